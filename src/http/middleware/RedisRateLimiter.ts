/**
 * The rate limiter in Redis: one Lua script does INCR + PEXPIRE (on the window's first request)
 * + PTTL atomically, so every node counts against the same window. It runs on the process's Redis
 * connection (src/redis/Redis.ts), shared with the read store and the progress channel.
 */
import { Effect, Layer } from "effect"
import { Redis, type RedisShape } from "../../redis/Redis.ts"
import { decision, type RateDecision, RateLimiter, type RateLimiterShape } from "./RateLimiter.ts"


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
const TIMEOUT_MS = 1_000

type Counting = { kfRateCount(key: string, windowMs: number): Promise<unknown> }

/** `warn` writes the outage warning through the process's logger (the layer's context). */
export const makeRedisRateLimiter = (
  redis: RedisShape,
  keyPrefix = "keyframe:ratelimit:",
  warn: (message: string) => void = () => {}
): RateLimiterShape => {
  let lastWarning = 0
  // EVALSHA: the script is sent once, not with every request
  redis.client.defineCommand("kfRateCount", { numberOfKeys: 1, lua: SCRIPT })
  const client = redis.client as typeof redis.client & Counting
  // While the connection is down a command would wait in ioredis' offline queue: let the request through at once instead.
  const evaluate = (key: string, windowMs: number) =>
    redis.isReady() ? client.kfRateCount(`${keyPrefix}${key}`, windowMs) : Promise.reject(new Error(`not connected to ${redis.address}`))
  const failOpen = (limit: number, windowMs: number, reason: string) => {
    const t = Date.now()
    if (t - lastWarning >= WARN_EVERY_MS) {
      lastWarning = t
      warn(`rate limiting is off while Redis does not answer: ${reason}`)
    }
    return decision(0, limit, windowMs)
  }
  const consumeNow = (key: string, limit: number, windowMs: number): Promise<RateDecision> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("no answer within 1 second")), TIMEOUT_MS)))
    return Promise.race([evaluate(key, windowMs), late]).then(
      (reply) => {
        const [count, ttl] = reply as [number, number]
        return decision(Number(count), limit, Number(ttl))
      },
      (e: unknown) => failOpen(limit, windowMs, e instanceof Error ? e.message : String(e))
    ).finally(() => clearTimeout(timer))
  }
  return {
    kind: "redis",
    consumeNow,
    consume: (key, limit, windowMs) => Effect.promise(() => consumeNow(key, limit, windowMs))
  }
}

export const RedisRateLimiter = {
  layer: (keyPrefix?: string): Layer.Layer<RateLimiter, never, Redis> =>
    Layer.effect(
      RateLimiter,
      Effect.gen(function*() {
        const redis = yield* Redis
        const context = yield* Effect.context<never>()
        return makeRedisRateLimiter(redis, keyPrefix, (message) => void Effect.runForkWith(context)(Effect.logWarning(message)))
      })
    )
} as const
