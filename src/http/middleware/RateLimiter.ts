/**
 * The rate limiter port: a fixed-window counter per key (`consume` counts one request). In memory
 * for a single node (`layerMemory`); `RedisRateLimiter` shares one count between all nodes.
 */
import { Context, Effect, Layer } from "effect"

export interface RateDecision {
  readonly allowed: boolean
  readonly limit: number
  /** Requests left in this window (0 when refused). */
  readonly remaining: number
  /** Milliseconds until the window ends and the count starts over. */
  readonly resetMs: number
}

export interface RateLimiterShape {
  readonly kind: "memory" | "redis"
  /** Counts one request against `key` (at most `limit` per `windowMs`). Never fails: a broken backend allows the request (logged). */
  consume(key: string, limit: number, windowMs: number): Effect.Effect<RateDecision>
}

export class RateLimiter extends Context.Service<RateLimiter, RateLimiterShape>()("keyframe/RateLimiter") {
  /** One process's counts; windows are swept lazily, so no timer keeps the process alive. */
  static readonly layerMemory: Layer.Layer<RateLimiter> = Layer.sync(RateLimiter, () => makeMemoryRateLimiter())
}

const SWEEP_AT = 10_000

export const makeMemoryRateLimiter = (now: () => number = Date.now): RateLimiterShape => {
  const windows = new Map<string, { count: number; endsAt: number }>()
  const sweep = (t: number) => {
    for (const [k, w] of windows) if (w.endsAt <= t) windows.delete(k)
  }
  return {
    kind: "memory",
    consume: (key, limit, windowMs) =>
      Effect.sync(() => {
        const t = now()
        let w = windows.get(key)
        if (w === undefined || w.endsAt <= t) {
          if (windows.size >= SWEEP_AT) sweep(t)
          w = { count: 0, endsAt: t + windowMs }
          windows.set(key, w)
        }
        w.count += 1
        return decision(w.count, limit, w.endsAt - t)
      })
  }
}

export const decision = (count: number, limit: number, resetMs: number): RateDecision => ({
  allowed: count <= limit,
  limit,
  remaining: Math.max(0, limit - count),
  resetMs: Math.max(0, resetMs)
})
