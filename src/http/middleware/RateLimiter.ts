/**
 * The rate limiter port: a fixed-window counter per key (`consume` counts one request). In memory
 * for a single node (`layerMemory`, a bounded LRU table); `RedisRateLimiter` shares one count between all nodes.
 *
 * Not `effect/persistence`'s RateLimiter (checked in 4.1): its "fixed-window" store lengthens the key's
 * TTL by window/limit per accepted request (a leaky count, so Retry-After is not the window's end), its
 * memory store is an unbounded Map (no RATE_LIMIT_MAX_TRACKED bound against made-up addresses), a store
 * failure is an error where we fail open, and its Redis store runs on effect's own Redis service (NodeRedis,
 * node-redis from @effect/platform-node, Node only) rather than on the process's ioredis connection.
 */
import { Context, Effect, Layer } from "effect"
import { LruMap } from "../../collections/LruMap.ts"

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
  /**
   * The same count without an effect run (the middleware's path: a fiber per request costs more than
   * the count): a value from memory, a promise from Redis. Never rejects: a broken backend allows.
   */
  consumeNow(key: string, limit: number, windowMs: number): RateDecision | Promise<RateDecision>
}

export class RateLimiter extends Context.Service<RateLimiter, RateLimiterShape>()("keyframe/RateLimiter") {
  /** One process's counts, at most `maxTracked` of them (RATE_LIMIT_MAX_TRACKED); no timer keeps the process alive. */
  static readonly layerMemoryWith = (options: MemoryRateLimiterOptions): Layer.Layer<RateLimiter> =>
    Layer.sync(RateLimiter, () => makeMemoryRateLimiter(options))
  static readonly layerMemory: Layer.Layer<RateLimiter> = RateLimiter.layerMemoryWith({})
}

export interface MemoryRateLimiterOptions {
  /** Counters kept at most; past it the least recently used is dropped (that client starts a new window). */
  readonly maxTracked?: number | undefined
  readonly now?: (() => number) | undefined
}

export interface MemoryRateLimiter extends RateLimiterShape {
  /** How many counters the table holds now (never more than `maxTracked`). */
  readonly trackedClients: () => number
}

/** RATE_LIMIT_MAX_TRACKED's default: a flood of made-up addresses costs at most this many small entries. */
export const DEFAULT_MAX_TRACKED = 100_000

export const makeMemoryRateLimiter = (options: MemoryRateLimiterOptions = {}): MemoryRateLimiter => {
  const now = options.now ?? Date.now
  // O(1) per request (LruMap.ts): a flood of distinct keys neither grows the table nor slows a request down
  const windows = new LruMap<string, { count: number; endsAt: number }>(options.maxTracked ?? DEFAULT_MAX_TRACKED)
  const consumeNow = (key: string, limit: number, windowMs: number) => {
    const t = now()
    let w = windows.get(key)
    if (w === undefined || w.endsAt <= t) {
      w = { count: 0, endsAt: t + windowMs }
      windows.set(key, w)
    }
    w.count += 1
    return decision(w.count, limit, w.endsAt - t)
  }
  return {
    kind: "memory",
    trackedClients: () => windows.size,
    consumeNow,
    consume: (key, limit, windowMs) => Effect.sync(() => consumeNow(key, limit, windowMs))
  }
}

export const decision = (count: number, limit: number, resetMs: number): RateDecision => ({
  allowed: count <= limit,
  limit,
  remaining: Math.max(0, limit - count),
  resetMs: Math.max(0, resetMs)
})
