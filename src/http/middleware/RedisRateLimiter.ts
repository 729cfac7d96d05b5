/**
 * The rate limiter in Redis: one Lua script does INCR + PEXPIRE (on the window's first request)
 * + PTTL atomically, so every node counts against the same window. It runs on the process's Redis
 * connection (src/redis/Redis.ts), shared with the read store and the progress channel.
 */
import { Effect, Layer } from "effect"
import { Redis, type RedisShape } from "../../redis/Redis.ts"
import { decision, RateLimiter, type RateLimiterShape } from "./RateLimiter.ts"


const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`

const WARN_EVERY_MS = 10_000
/** A slow Redis must not slow every request down: past this the request is let through. */
const TIMEOUT = "1 second"

export const makeRedisRateLimiter = (redis: RedisShape, keyPrefix = "keyframe:ratelimit:"): RateLimiterShape => {
  let lastWarning = 0
  // While the connection is down a command would wait in ioredis' offline queue: let the request through at once instead.
  const evaluate = (key: string, windowMs: number) =>
    redis.isReady() ? redis.client.eval(SCRIPT, 1, `${keyPrefix}${key}`, windowMs) : Promise.reject(new Error(`not connected to ${redis.address}`))
  return {
    kind: "redis",
    consume: (key, limit, windowMs) =>
      Effect.tryPromise({
        try: () => evaluate(key, windowMs),
        catch: (cause) => new Error(cause instanceof Error ? cause.message : String(cause))
      }).pipe(
        Effect.map((reply) => {
          const [count, ttl] = reply as [number, number]
          return decision(Number(count), limit, Number(ttl))
        }),
        Effect.timeout(TIMEOUT),
        // Fail open: a Redis outage must not take the API down with it.
        Effect.catch((e) =>
          Effect.suspend(() => {
            const allow = Effect.succeed(decision(0, limit, windowMs))
            const t = Date.now()
            if (t - lastWarning < WARN_EVERY_MS) return allow
            lastWarning = t
            return Effect.andThen(Effect.logWarning(`rate limiting is off while Redis does not answer: ${e.message}`), allow)
          })
        )
      )
  }
}

export const RedisRateLimiter = {
  layer: (keyPrefix?: string): Layer.Layer<RateLimiter, never, Redis> =>
    Layer.effect(RateLimiter, Effect.map(Redis, (redis) => makeRedisRateLimiter(redis, keyPrefix)))
} as const
