/** Bearer JWT authentication (DESIGN.md §7): `sub` is the user id, `roles` among user, sponsor, admin, auditor. */
import type { MiddlewareHandler } from "hono"
import { verify } from "hono/jwt"
import type { Actor } from "../../domain/shared/Decider.ts"
import { errorResponse, HttpError } from "../HttpError.ts"
import type { AppEnv } from "../RequestId.ts"

export type Role = "user" | "sponsor" | "admin" | "auditor"
export const ROLES: ReadonlyArray<Role> = ["user", "sponsor", "admin", "auditor"]

/** How tokens are checked: an HS256 secret, or any verifier (a JWKS one for RS256). */
export interface AuthOptions {
  readonly verifyToken: (token: string) => Promise<Record<string, unknown>>
}

export const hs256Verifier = (secret: string): AuthOptions["verifyToken"] => (token) => verify(token, secret, "HS256")

const unauthorized = (message: string) =>
  errorResponse(
    new HttpError({ status: 401, code: "UNAUTHORIZED", message, headers: { "WWW-Authenticate": 'Bearer realm="keyframe"' } })
  )

/** The actor a verified payload names, or a reason it names none. */
export const actorFromClaims = (claims: Record<string, unknown>): Actor | string => {
  const sub = claims.sub
  if (typeof sub !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/.test(sub)) return "the token's sub is not a valid user id"
  const raw = claims.roles ?? ["user"]
  const roles = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : undefined
  if (roles === undefined || !roles.every((r): r is Role => ROLES.includes(r as Role))) {
    return `the token's roles must be among ${ROLES.join(", ")}`
  }
  return { userId: sub, roles: roles.length === 0 ? ["user"] : roles }
}

/**
 * Guards a route: 401 without a valid bearer token, 403 when `roles` is given and the
 * token has none of them. Sets `c.var.actor`.
 */
export const requireAuth = (
  auth: AuthOptions,
  options: { readonly roles?: ReadonlyArray<Role> } = {}
): MiddlewareHandler<AppEnv> =>
async (c, next) => {
  const header = c.req.header("Authorization")
  const match = header?.match(/^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/)
  if (!match) return unauthorized("a bearer token is required (Authorization: Bearer <jwt>)")
  let claims: Record<string, unknown>
  try {
    claims = await auth.verifyToken(match[1]!)
  } catch (e) {
    return unauthorized(`invalid token: ${e instanceof Error ? e.message : "verification failed"}`)
  }
  const actor = actorFromClaims(claims)
  if (typeof actor === "string") return unauthorized(actor)
  if (options.roles && !options.roles.some((r) => actor.roles.includes(r))) {
    return errorResponse(
      new HttpError({ status: 403, code: "FORBIDDEN", message: `this needs one of the roles ${options.roles.join(", ")}` })
    )
  }
  c.set("actor", actor)
  await next()
}
