/**
 * Rate limiting middleware: every request counts against its client address, and a request with
 * a valid bearer token also against its user. Over a limit → 429 RATE_LIMITED with Retry-After.
 */
import { Exit } from "effect"
import type { MiddlewareHandler } from "hono"
import { recordRateLimited } from "../../observability/Metrics.ts"
import type { AppRuntime } from "../AppRuntime.ts"
import { authenticate, type AuthOptions } from "../auth/Auth.ts"
import { errorResponse, HttpError } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
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
  readonly runtime: AppRuntime<never>
  /** Paths never limited (probes and scrapes). */
  readonly exempt?: (path: string) => boolean
}

const headersOf = (d: RateDecision): Record<string, string> => ({
  "RateLimit-Limit": String(d.limit),
  "RateLimit-Remaining": String(d.remaining),
  "RateLimit-Reset": String(Math.ceil(d.resetMs / 1000))
})

export const rateLimit = (options: RateLimitOptions): MiddlewareHandler<AppEnv> => {
  const { settings, limiter, runtime } = options
  const consume = async (key: string, limit: number): Promise<RateDecision | undefined> => {
    const exit = await runtime.runPromiseExit(limiter.consume(key, limit, settings.windowMs))
    return Exit.isSuccess(exit) ? exit.value : undefined // consume never fails; a defect lets the request through
  }
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
  return async (c, next) => {
    if (options.exempt?.(c.req.path)) return next()
    let shown: RateDecision | undefined
    if (settings.perIp > 0) {
      const d = await consume(`ip:${c.get("clientIp")}`, settings.perIp)
      if (d && !d.allowed) return refuse("ip", d)
      shown = d
    }
    if (settings.perUser > 0) {
      const actor = await authenticate(c, options.auth)
      if (actor !== undefined && !(actor instanceof HttpError)) {
        const d = await consume(`user:${actor.userId}`, settings.perUser)
        if (d && !d.allowed) return refuse("user", d)
        shown = d
      }
    }
    await next()
    if (shown) for (const [k, v] of Object.entries(headersOf(shown))) c.res.headers.set(k, v)
  }
}
