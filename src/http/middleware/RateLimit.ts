/**
 * Rate limiting middleware: every request counts against its client address, and a request with
 * a valid bearer token also against its user. Over a limit → 429 RATE_LIMITED with Retry-After.
 */
import type { Context, MiddlewareHandler } from "hono"
import { recordRateLimited } from "../../observability/Metrics.ts"
import { authenticate, type AuthOptions } from "../auth/Auth.ts"
import { errorResponse, HttpError } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { addResponseHeaders } from "../ResponseHeaders.ts"
import type { RateDecision, RateLimiterShape } from "./RateLimiter.ts"

export interface RateLimitSettings {
  /** Requests per window per user; 0 = no per-user limit. */
  readonly perUser: number
  /** Requests per window per client address; 0 = no per-address limit. */
  readonly perIp: number
  readonly windowMs: number
}

export interface RateLimitOptions {
  readonly settings: RateLimitSettings
  readonly limiter: RateLimiterShape
  readonly auth: AuthOptions
  /** Paths never limited (probes and scrapes). */
  readonly exempt?: (path: string) => boolean
}

const headersOf = (d: RateDecision): Record<string, string> => ({
  "RateLimit-Limit": String(d.limit),
  "RateLimit-Remaining": String(d.remaining),
  "RateLimit-Reset": String(Math.ceil(d.resetMs / 1000))
})

export const rateLimit = (options: RateLimitOptions): MiddlewareHandler<AppEnv> => {
  const { settings, limiter } = options
  const refuse = (who: "user" | "ip", d: RateDecision) => {
    recordRateLimited(who)
    const seconds = Math.max(1, Math.ceil(d.resetMs / 1000))
    return errorResponse(
      new HttpError({
        status: 429,
        code: "RATE_LIMITED",
        message: `too many requests from this ${who === "user" ? "user" : "address"}: at most ${d.limit} per ` +
          `${settings.windowMs / 1000} s; retry in ${seconds} s`,
        headers: { "Retry-After": String(seconds), ...headersOf(d) }
      })
    )
  }
  type Outcome = { readonly refused?: "user" | "ip"; readonly decision: RateDecision | undefined }
  /**
   * Both counts without an effect run (memory answers synchronously, Redis with a promise): a fiber per
   * request would cost more than the counts. The user's is not counted when the address is refused.
   */
  const count = async (c: Context<AppEnv>): Promise<Outcome> => {
    const { consumeNow } = limiter
    let shown: RateDecision | undefined
    if (settings.perIp > 0) {
      shown = await consumeNow(`ip:${c.get("clientIp")}`, settings.perIp, settings.windowMs)
      if (!shown.allowed) return { refused: "ip", decision: shown }
    }
    if (settings.perUser > 0) {
      const actor = await authenticate(c, options.auth)
      if (actor !== undefined && !(actor instanceof HttpError)) {
        shown = await consumeNow(`user:${actor.userId}`, settings.perUser, settings.windowMs)
        if (!shown.allowed) return { refused: "user", decision: shown }
      }
    }
    return { decision: shown }
  }
  return async (c, next) => {
    if (options.exempt?.(c.req.path)) return next()
    if (settings.perIp <= 0 && settings.perUser <= 0) return next()
    const outcome = await count(c)
    if (outcome.refused && outcome.decision) return refuse(outcome.refused, outcome.decision)
    if (outcome.decision) addResponseHeaders(c, headersOf(outcome.decision))
    return next()
  }
}
