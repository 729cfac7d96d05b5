/**
 * The rate limiter in Redis: one Lua script does INCR + PEXPIRE (on the window's first request)
 * + PTTL atomically, so every node counts against the same window. The Redis client is passed in
 * (src/runtime creates an ioredis one), which keeps this module runtime-neutral.
 */
import { Effect, Layer } from "effect"
import { decision, RateLimiter, type RateLimiterShape } from "./RateLimiter.ts"

/** The one client method used (ioredis' `eval` has this shape). */
export interface RedisEval {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>
}

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

export const makeRedisRateLimiter = (client: RedisEval, keyPrefix = "keyframe:ratelimit:"): RateLimiterShape => {
  let lastWarning = 0
  return {
    kind: "redis",
    consume: (key, limit, windowMs) =>
      Effect.tryPromise(() => client.eval(SCRIPT, 1, `${keyPrefix}${key}`, windowMs)).pipe(
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
  layer: (client: RedisEval, keyPrefix?: string): Layer.Layer<RateLimiter> =>
    Layer.succeed(RateLimiter, makeRedisRateLimiter(client, keyPrefix))
} as const
