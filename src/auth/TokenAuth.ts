/**
 * Bearer JWT authentication, transport-neutral (DESIGN.md §7): a token string becomes the Principal it
 * names (`sub` = user id, `roles` among user, sponsor, admin, auditor) or a refusal with its status.
 * The HTTP middleware (src/http/auth/Auth.ts) and the WebSocket upgrades (src/realtime/) both use it.
 */
import { Data, Effect } from "effect"
import type { Role } from "../domain/shared/ActorRoles.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { AuthUnavailable, type VerifyToken } from "./JwtVerifier.ts"
import { TokenRejected } from "./TokenLifetime.ts"

/** The roles a token may grant: the domain's (ActorRoles.ts) but "system", which only workers and janitors act as. */
export const ROLES: ReadonlyArray<Role> = ["user", "sponsor", "admin", "auditor"]

/** How tokens are checked: an HS256 secret, a JWKS (RS256), or both — see `jwtVerifier`. */
export interface AuthOptions {
  readonly verifyToken: VerifyToken
}

/** Verifies nothing: every token is refused (an app built without auth settings). */
export const noAuth: AuthOptions = {
  verifyToken: () => Promise.reject(new TokenRejected("UNAUTHORIZED", "no token verification is configured"))
}

/**
 * A token that opens nothing: 401 (the client's credential) or 503 AUTH_UNAVAILABLE (the key server's
 * fault; its message names the JWKS URL, so transports show a generic text and log this one).
 */
export class AuthRefusal extends Data.TaggedError("AuthRefusal")<{
  readonly status: 401 | 503
  readonly code: string
  readonly message: string
}> {}

export const unauthorized = (message: string, code = "UNAUTHORIZED") => new AuthRefusal({ status: 401, code, message })

/** What went wrong, in words that never echo the token or its header (hono's messages include them). */
const reasonOf = (e: unknown): string => {
  if (e instanceof TokenRejected) return e.message
  const name = e instanceof Error ? e.name : ""
  switch (name) {
    case "JwtTokenExpired":
      return "the token has expired"
    case "JwtTokenNotBefore":
    case "JwtTokenIssuedAt":
      return "the token is not valid yet"
    case "JwtTokenSignatureMismatched":
      return "the token's signature does not match"
    case "JwtTokenIssuer":
      return "the token's issuer is not accepted"
    case "JwtTokenAudience":
    case "JwtPayloadRequiresAud":
      return "the token's audience is not accepted"
    case "JwtAlgorithmMismatch":
    case "JwtAlgorithmNotAllowed":
    case "JwtSymmetricAlgorithmNotAllowed":
    case "JwtAlgorithmNotImplemented":
      return "the token's signing algorithm is not accepted"
    case "JwtTokenInvalid":
    case "JwtHeaderInvalid":
    case "JwtHeaderRequiresKid":
      return "the token is malformed or its key is unknown"
    default:
      return "verification failed"
  }
}

/** The actor a verified payload names, or a reason it names none. */
export const actorFromClaims = (claims: Record<string, unknown>): Principal | string => {
  const sub = claims.sub
  if (typeof sub !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/.test(sub)) return "the token's sub is not a valid user id"
  const raw = claims.roles ?? ["user"]
  const roles = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : undefined
  if (roles === undefined || !roles.every((r): r is Role => ROLES.includes(r as Role))) {
    return `the token's roles must be among ${ROLES.join(", ")}`
  }
  return { userId: sub, roles: roles.length === 0 ? ["user"] : roles }
}

// the `exp` (ms) of the token each actor was verified from: a live feed ends when its token does
const expiries = new WeakMap<Principal, number>()

/** When the token `actor` came from expires, ms since the epoch; undefined for an actor not made by authenticateToken. */
export const tokenExpiresAt = (actor: Principal): number | undefined => expiries.get(actor)

const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/** Verifies a token string (a bearer header's, a `?access_token=`, a `bearer.<jwt>` subprotocol): the Principal or the refusal. */
export const authenticateToken = async (auth: AuthOptions, token: string): Promise<Principal | AuthRefusal> => {
  if (!COMPACT_JWT.test(token)) return unauthorized("the token is not a compact JWT")
  let claims: Record<string, unknown>
  try {
    claims = await auth.verifyToken(token)
  } catch (e) {
    if (e instanceof AuthUnavailable) return new AuthRefusal({ status: 503, code: "AUTH_UNAVAILABLE", message: e.message })
    return unauthorized(`invalid token: ${reasonOf(e)}`, e instanceof TokenRejected ? e.code : "UNAUTHORIZED")
  }
  const actor = actorFromClaims(claims)
  if (typeof actor === "string") return unauthorized(actor)
  if (typeof claims.exp === "number") expiries.set(actor, claims.exp * 1000)
  return actor
}

/** The same as an Effect: fails with the AuthRefusal. */
export const actorFromToken = (auth: AuthOptions, token: string): Effect.Effect<Principal, AuthRefusal> =>
  Effect.flatMap(Effect.promise(() => authenticateToken(auth, token)), (r) => (r instanceof AuthRefusal ? Effect.fail(r) : Effect.succeed(r)))
