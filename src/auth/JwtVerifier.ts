/** Bearer JWT verifiers: HS256 with a shared secret, RS256/ES256 against a JWKS endpoint, or both (chosen by the token's `alg`). */
import { decode, verify, verifyWithJwks } from "hono/jwt"
import type { HonoJsonWebKey } from "hono/utils/jwt/jws"
import type { AsymmetricAlgorithm } from "hono/utils/jwt/jwa"
import { LruMap } from "../collections/LruMap.ts"
import { checkLifetime, type LifetimeRules, TokenRejected } from "./TokenLifetime.ts"

/** Checks every verifier applies besides the signature: issuer, audience, and the time claims (TokenLifetime.ts). */
export interface ClaimChecks extends LifetimeRules {
  readonly issuer?: string | undefined
  readonly audience?: string | undefined
}

/** Verifies a compact JWT and returns its claims; throws when the token is not acceptable. */
export type VerifyToken = (token: string) => Promise<Record<string, unknown>>

/** The key server could not be reached: not the client's fault (503, not 401). */
export class AuthUnavailable extends Error {
  override readonly name = "AuthUnavailable"
}

// hono's time checks allow no clock skew: they are off here, and checkLifetime does them after the signature
const checks = (c: ClaimChecks) => ({
  exp: false,
  nbf: false,
  iat: false,
  ...(c.issuer !== undefined ? { iss: c.issuer } : {}),
  ...(c.audience !== undefined ? { aud: c.audience } : {})
})

export const hs256Verifier = (secret: string, claimChecks: ClaimChecks = {}): VerifyToken => async (token) =>
  checkLifetime(await verify(token, secret, { alg: "HS256", ...checks(claimChecks) }), claimChecks)

const ASYMMETRIC: ReadonlyArray<AsymmetricAlgorithm> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

export interface JwksOptions extends ClaimChecks {
  readonly url: string
  /** How long fetched keys are trusted (default 10 min); an unknown `kid` refetches sooner, at most every `minRefetchMs`. */
  readonly cacheMs?: number
  readonly minRefetchMs?: number
  readonly fetch?: typeof fetch
}

/** Keys are fetched once and cached, so a request does not wait for the key server (hono's jwks_uri option fetches every time). */
export const jwksVerifier = (options: JwksOptions): VerifyToken => {
  const cacheMs = options.cacheMs ?? 600_000
  const minRefetchMs = options.minRefetchMs ?? 30_000
  const doFetch = options.fetch ?? fetch
  let keys: ReadonlyArray<HonoJsonWebKey> = []
  let fetchedAt = Number.NEGATIVE_INFINITY
  let inFlight: Promise<void> | undefined
  // after a failed fetch, requests do not each wait for the key server again before minRefetchMs
  let failed: { readonly at: number; readonly error: AuthUnavailable } | undefined

  const refresh = () =>
    failed !== undefined && Date.now() - failed.at < minRefetchMs ? Promise.reject(failed.error) : (inFlight ??= (async () => {
      try {
        const res = await doFetch(options.url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(5_000) })
        if (!res.ok) throw new Error(`HTTP ${res.status}`)
        const body = (await res.json()) as { keys?: unknown }
        if (!Array.isArray(body.keys)) throw new Error("no \"keys\" array")
        keys = body.keys as Array<HonoJsonWebKey>
        fetchedAt = Date.now()
        failed = undefined
      } catch (e) {
        const error = new AuthUnavailable(`the JWKS at ${options.url} could not be read: ${e instanceof Error ? e.message : String(e)}`)
        failed = { at: Date.now(), error }
        throw error
      } finally {
        inFlight = undefined
      }
    })())

  return async (token) => {
    const kid = decode(token).header.kid
    const age = Date.now() - fetchedAt
    const known = keys.some((k) => k.kid === kid)
    if (age > cacheMs || (!known && age > minRefetchMs)) {
      // keys we already have stay usable while the key server is down; without any, it is a 503
      await refresh().catch((e) => {
        if (keys.length === 0) throw e
      })
    }
    return checkLifetime(await verifyWithJwks(token, { keys: [...keys], allowedAlgorithms: ASYMMETRIC, verification: checks(options) }), options)
  }
}

const KNOWN: ReadonlyArray<string> = ["HS256", "HS384", "HS512", ...ASYMMETRIC]

/**
 * Remembers the claims of tokens that verified, for the token's lifetime: a client sending the same
 * token on every request pays for one signature check. The cache key is the whole compact token
 * (its signature included), so only the exact bytes that verified hit; the time claims are checked
 * again on every hit, so an expired token is refused as before. Failures are not cached.
 */
export const cachedVerifier = (verify: VerifyToken, rules: LifetimeRules, capacity = 10_000): VerifyToken => {
  const verified = new LruMap<string, Record<string, unknown>>(capacity)
  return async (token) => {
    const claims = verified.get(token)
    if (claims !== undefined) return checkLifetime(claims, rules)
    const fresh = await verify(token)
    verified.set(token, fresh)
    return fresh
  }
}

/** HS256 tokens go to the secret, asymmetric ones to the JWKS; an algorithm with no configured key is refused. Verified tokens are cached. */
export const jwtVerifier = (options: ClaimChecks & { readonly secret?: string | undefined; readonly jwksUrl?: string | undefined }): VerifyToken =>
  cachedVerifier(uncachedJwtVerifier(options), options)

const uncachedJwtVerifier = (options: ClaimChecks & { readonly secret?: string | undefined; readonly jwksUrl?: string | undefined }): VerifyToken => {
  const hs = options.secret !== undefined ? hs256Verifier(options.secret, options) : undefined
  const jwks = options.jwksUrl !== undefined ? jwksVerifier({ ...options, url: options.jwksUrl }) : undefined
  return async (token) => {
    const alg: unknown = decode(token).header.alg
    // the header is the client's text: only an algorithm from our own list is ever named back
    if (typeof alg !== "string" || !KNOWN.includes(alg)) throw new TokenRejected("UNAUTHORIZED", "the token's signing algorithm is not accepted here")
    const chosen = alg === "HS256" ? hs : alg.startsWith("HS") ? undefined : jwks
    if (chosen === undefined) throw new TokenRejected("UNAUTHORIZED", `tokens signed with ${alg} are not accepted here`)
    return chosen(token)
  }
}
