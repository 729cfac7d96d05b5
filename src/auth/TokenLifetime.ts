/**
 * The time claims of a verified token: `exp` is required, the lifetime is bounded, and `nbf`, `iat`
 * and `exp` allow a small clock-skew leeway (hono's own checks allow none, so verifiers turn them off).
 */

/** A token the server refuses, with words of ours only: nothing from the token is repeated. */
export class TokenRejected extends Error {
  override readonly name = "TokenRejected"
  readonly code: "UNAUTHORIZED" | "TOKEN_LIFETIME_TOO_LONG"
  constructor(code: "UNAUTHORIZED" | "TOKEN_LIFETIME_TOO_LONG", message: string) {
    super(message)
    this.code = code
  }
}

export interface LifetimeRules {
  /** Longest accepted lifetime, seconds (JWT_MAX_TTL_SECONDS): exp - iat, or exp - now when there is no iat. */
  readonly maxTtlSeconds?: number | undefined
  /** Clock skew allowed between the issuer and this server, seconds (JWT_LEEWAY_SECONDS). */
  readonly leewaySeconds?: number | undefined
}

export const DEFAULT_MAX_TTL_SECONDS = 86_400
export const DEFAULT_LEEWAY_SECONDS = 60

const numeric = (claims: Record<string, unknown>, name: string): number | undefined => {
  const value = claims[name]
  if (value === undefined) return undefined
  if (typeof value !== "number" || !Number.isFinite(value)) throw new TokenRejected("UNAUTHORIZED", `the token's ${name} claim is not a number`)
  return value
}

/** Returns the claims when their times are acceptable at `nowSeconds`; throws TokenRejected otherwise. */
export const checkLifetime = (
  claims: Record<string, unknown>,
  rules: LifetimeRules = {},
  nowSeconds = Math.floor(Date.now() / 1000)
): Record<string, unknown> => {
  const maxTtl = rules.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS
  const leeway = rules.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS
  const exp = numeric(claims, "exp")
  const nbf = numeric(claims, "nbf")
  const iat = numeric(claims, "iat")
  if (exp === undefined) throw new TokenRejected("UNAUTHORIZED", "the token has no exp claim: tokens must expire")
  if (exp + leeway <= nowSeconds) throw new TokenRejected("UNAUTHORIZED", "the token has expired")
  if (nbf !== undefined && nbf - leeway > nowSeconds) throw new TokenRejected("UNAUTHORIZED", "the token is not valid yet")
  if (iat !== undefined && iat - leeway > nowSeconds) {
    throw new TokenRejected("UNAUTHORIZED", "the token was issued in the future (check the issuer's clock)")
  }
  // without iat the lifetime is measured from now, on this server's clock: the leeway covers the issuer's skew
  const tooLong = iat !== undefined ? exp - iat > maxTtl : exp - nowSeconds > maxTtl + leeway
  if (tooLong) {
    throw new TokenRejected("TOKEN_LIFETIME_TOO_LONG", `the token's lifetime is too long: this server accepts at most ${maxTtl} s`)
  }
  return claims
}
