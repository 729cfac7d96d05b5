/** The Hono side of bearer JWT authentication: the request's Authorization header verified once, and the `requireAuth` guard. */
import type { Context, MiddlewareHandler } from "hono"
import { AuthRefusal, type AuthOptions, authenticateToken } from "../../auth/TokenAuth.ts"
import type { Role } from "../../domain/shared/ActorRoles.ts"
import type { Principal } from "../../domain/shared/Decider.ts"
import { errorResponse, HttpError } from "../HttpError.ts"
import { withRouteDoc } from "../openapi/RouteDoc.ts"
import type { AppEnv } from "../AppEnv.ts"

// the transport-neutral core (src/auth/), re-exported for the routes that import it from here
export { hs256Verifier, jwksVerifier, jwtVerifier } from "../../auth/JwtVerifier.ts"
export { actorFromClaims, actorFromToken, type AuthOptions, noAuth, ROLES, tokenExpiresAt } from "../../auth/TokenAuth.ts"

/** A refused token as the HTTP error: 401 with the Bearer challenge, or 503 AUTH_UNAVAILABLE (its text is hidden by UnavailableDetail.ts). */
export const httpAuthError = (refusal: AuthRefusal): HttpError =>
  new HttpError({
    status: refusal.status,
    code: refusal.code,
    message: refusal.message,
    headers: refusal.status === 401 ? { "WWW-Authenticate": 'Bearer realm="keyframe"' } : { "Retry-After": "5" }
  })

const unauthorized = (message: string) => httpAuthError(new AuthRefusal({ status: 401, code: "UNAUTHORIZED", message }))

/** Verifies a token string: the Principal, or a 401 HttpError (503 AUTH_UNAVAILABLE when the JWKS cannot be fetched). */
export const verifyBearerToken = async (auth: AuthOptions, token: string): Promise<Principal | HttpError> => {
  const result = await authenticateToken(auth, token)
  return result instanceof AuthRefusal ? httpAuthError(result) : result
}

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
