/**
 * Rate limiting middleware: every request counts against its client address, and a request with
 * a valid bearer token also against its user. Over a limit → 429 RATE_LIMITED with Retry-After.
 */
import { Effect, Exit } from "effect"
import type { Context, MiddlewareHandler } from "hono"
import { recordRateLimited } from "../../observability/Metrics.ts"
import type { AppRuntime } from "../AppRuntime.ts"
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
  /** Both counts in one effect run (one fiber per request, not two); the user's is not counted when the address is refused. */
  const count = (c: Context<AppEnv>) =>
    Effect.gen(function*(): Effect.fn.Return<Outcome> {
      let shown: RateDecision | undefined
      if (settings.perIp > 0) {
        shown = yield* limiter.consume(`ip:${c.get("clientIp")}`, settings.perIp, settings.windowMs)
        if (!shown.allowed) return { refused: "ip", decision: shown }
      }
      if (settings.perUser > 0) {
        const actor = yield* Effect.promise(() => authenticate(c, options.auth) ?? Promise.resolve(undefined))
        if (actor !== undefined && !(actor instanceof HttpError)) {
          shown = yield* limiter.consume(`user:${actor.userId}`, settings.perUser, settings.windowMs)
          if (!shown.allowed) return { refused: "user", decision: shown }
        }
      }
      return { decision: shown }
    })
  /** The same counts without an effect run, when the limiter offers it (memory: synchronous; Redis: a promise). */
  const countNow = async (c: Context<AppEnv>, consumeNow: NonNullable<RateLimiterShape["consumeNow"]>): Promise<Outcome> => {
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
    let outcome: Outcome
    if (limiter.consumeNow !== undefined) outcome = await countNow(c, limiter.consumeNow)
    else {
      const exit = await runtime.runPromiseExit(count(c))
      // consume never fails; a defect lets the request through
      outcome = Exit.isSuccess(exit) ? exit.value : { decision: undefined }
    }
    if (outcome.refused && outcome.decision) return refuse(outcome.refused, outcome.decision)
    if (outcome.decision) addResponseHeaders(c, headersOf(outcome.decision))
    return next()
  }
}
