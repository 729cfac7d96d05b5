/** Bearer JWT authentication (DESIGN.md §7): `sub` is the user id, `roles` among user, sponsor, admin, auditor. */
import { Effect } from "effect"
import type { Context, MiddlewareHandler } from "hono"
import type { Role } from "../../domain/shared/ActorRoles.ts"
import type { Principal } from "../../domain/shared/Decider.ts"
import { errorResponse, HttpError, toHttpError } from "../HttpError.ts"
import { withRouteDoc } from "../openapi/RouteDoc.ts"
import type { AppEnv } from "../AppEnv.ts"
import { AuthUnavailable, type VerifyToken } from "./JwtVerifier.ts"
import { TokenRejected } from "./TokenLifetime.ts"

export { hs256Verifier, jwksVerifier, jwtVerifier } from "./JwtVerifier.ts"

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

const unauthorized = (message: string, code = "UNAUTHORIZED") =>
  new HttpError({ status: 401, code, message, headers: { "WWW-Authenticate": 'Bearer realm="keyframe"' } })

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

// the `exp` (ms) of the token each actor was verified from: a live feed ends when its token does (sse/FeedAccess.ts)
const expiries = new WeakMap<Principal, number>()

/** When the token `actor` came from expires, ms since the epoch; undefined for an actor not made by verifyBearerToken. */
export const tokenExpiresAt = (actor: Principal): number | undefined => expiries.get(actor)

const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/**
 * Verifies a token string (a bearer header's, or a WebSocket upgrade's `?token=` / subprotocol):
 * the Principal, or a 401 HttpError (503 AUTH_UNAVAILABLE when the JWKS cannot be fetched).
 */
export const verifyBearerToken = async (auth: AuthOptions, token: string): Promise<Principal | HttpError> => {
  if (!COMPACT_JWT.test(token)) return unauthorized("the token is not a compact JWT")
  let claims: Record<string, unknown>
  try {
    claims = await auth.verifyToken(token)
  } catch (e) {
    // one mapping for the key server's failure (HttpError.ts); its text is replaced before any answer leaves
    if (e instanceof AuthUnavailable) return toHttpError(e)!
    return unauthorized(`invalid token: ${reasonOf(e)}`, e instanceof TokenRejected ? e.code : "UNAUTHORIZED")
  }
  const actor = actorFromClaims(claims)
  if (typeof actor === "string") return unauthorized(actor)
  if (typeof claims.exp === "number") expiries.set(actor, claims.exp * 1000)
  return actor
}

/** The same as an Effect, for the realtime transports: fails with the HttpError (401/503). */
export const actorFromToken = (auth: AuthOptions, token: string): Effect.Effect<Principal, HttpError> =>
  Effect.flatMap(Effect.promise(() => verifyBearerToken(auth, token)), (r) => (r instanceof HttpError ? Effect.fail(r) : Effect.succeed(r)))

// One verification per request and verifier, shared by the rate limiter and requireAuth.
const verified = new WeakMap<Request, WeakMap<AuthOptions, Promise<Principal | HttpError>>>()

/** The request's bearer token verified (memoized per request): Principal, HttpError, or undefined when there is no Authorization header. */
export const authenticate = (c: Context<AppEnv>, auth: AuthOptions): Promise<Principal | HttpError> | undefined => {
  const header = c.req.header("Authorization")
  if (header === undefined) return undefined
  let perAuth = verified.get(c.req.raw)
  if (perAuth === undefined) verified.set(c.req.raw, perAuth = new WeakMap())
  let result = perAuth.get(auth)
  if (result === undefined) {
    const match = header.match(/^Bearer\s+(\S+)\s*$/i)
    result = match ? verifyBearerToken(auth, match[1]!) : Promise.resolve(unauthorized("the Authorization header must be \"Bearer <jwt>\""))
    perAuth.set(auth, result)
  }
  return result
}

/**
 * Guards a route: 401 without a valid bearer token, 403 when `roles` is given and the
 * token has none of them. Sets `c.var.actor`. Documents the route's security for /openapi.json.
 */
export const requireAuth = (
  auth: AuthOptions,
  options: { readonly roles?: ReadonlyArray<Role> } = {}
): MiddlewareHandler<AppEnv> =>
  withRouteDoc(
    async (c, next) => {
      const result = await (authenticate(c, auth) ??
        Promise.resolve(unauthorized("a bearer token is required (Authorization: Bearer <jwt>)")))
      // answered here rather than thrown, so a sub-app used on its own (tests) gets the JSON error too
      if (result instanceof HttpError) return errorResponse(result)
      if (options.roles && !options.roles.some((r) => result.roles.includes(r))) {
        return errorResponse(
          new HttpError({ status: 403, code: "FORBIDDEN", message: `this needs one of the roles ${options.roles.join(", ")}` })
        )
      }
      c.set("actor", result)
      await next()
    },
    { security: { roles: options.roles ?? [] } }
  )
