/** Rate limits per address and per user: in memory, and in a real Redis shared by two "nodes" (429 + Retry-After + the JSON error). */
import { ConfigProvider, Context, Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadConfig } from "../../src/config.ts"
import { makeApp } from "../../src/http/App.ts"
import { jwtVerifier } from "../../src/http/auth/Auth.ts"
import type { RateLimitSettings } from "../../src/http/middleware/RateLimit.ts"
import { makeMemoryRateLimiter, RateLimiter, type RateLimiterShape } from "../../src/http/middleware/RateLimiter.ts"
import { makeRedisRateLimiter } from "../../src/http/middleware/RedisRateLimiter.ts"
import { Redis, type RedisShape } from "../../src/redis/Redis.ts"
import { rateLimiterLayer } from "../../src/runtime/AdapterLayers.ts"
import { testRedis, type TestRedis } from "../support/redis.ts"
import { TEST_SECRET, tokenFor } from "./TestApp.ts"

const runtime = ManagedRuntime.make(Layer.empty)
afterAll(() => runtime.dispose())

const appWith = (limiter: RateLimiterShape, settings: Partial<RateLimitSettings>) =>
  makeApp({
    runtime: runtime as never,
    auth: { verifyToken: jwtVerifier({ secret: TEST_SECRET }) },
    trustProxy: true,
    rateLimit: { limiter, settings: { perIp: 0, perUser: 0, windowMs: 60_000, ...settings } }
  })

/** `ip` as the trusted proxy appends it, after whatever the client wrote (ClientAddress.test.ts). */
const from = (ip: string, token?: string) => ({
  headers: { "X-Forwarded-For": `10.6.6.6, ${ip}`, ...(token ? { Authorization: `Bearer ${token}` } : {}) }
})

const expect429 = async (res: Response, who: RegExp) => {
  expect(res.status).toBe(429)
  expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1)
  expect(res.headers.get("RateLimit-Remaining")).toBe("0")
  const body = await res.json()
  expect(body.error.code).toBe("RATE_LIMITED")
  expect(body.error.message).toMatch(who)
}

describe("in memory", () => {
  it("limits each client address, not the probes", async () => {
    const app = appWith(makeMemoryRateLimiter(), { perIp: 3 })
    for (let i = 0; i < 3; i++) {
      const res = await app.request("/openapi.json", from("203.0.113.7"))
      expect(res.status).toBe(200)
      expect(res.headers.get("RateLimit-Remaining")).toBe(String(2 - i))
    }
    await expect429(await app.request("/openapi.json", from("203.0.113.7")), /address: at most 3 per 60 s/)
    expect((await app.request("/openapi.json", from("203.0.113.8"))).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await app.request("/healthz", from("203.0.113.7"))).status).toBe(200)
  })

  it("limits each user whatever address they come from", async () => {
    const app = appWith(makeMemoryRateLimiter(), { perUser: 2, perIp: 100 })
    const alice = await tokenFor("alice")
    expect((await app.request("/openapi.json", from("198.51.100.1", alice))).status).toBe(200)
    expect((await app.request("/openapi.json", from("198.51.100.2", alice))).status).toBe(200)
    await expect429(await app.request("/openapi.json", from("198.51.100.3", alice)), /user/)
    expect((await app.request("/openapi.json", from("198.51.100.3", await tokenFor("bob")))).status).toBe(200)
    // an invalid token is not a user: only the address counts (and the route decides about the 401)
    expect((await app.request("/openapi.json", from("198.51.100.3", "a.b.c"))).status).toBe(200)
  })

  it("starts over when the window ends", async () => {
    let clock = 1_000_000
    const limiter = makeMemoryRateLimiter({ now: () => clock })
    const take = () => Effect.runSync(limiter.consume("k", 2, 1000))
    expect([take().allowed, take().allowed, take().allowed]).toEqual([true, true, false])
    expect(take().resetMs).toBe(1000)
    clock += 1000
    expect(take()).toEqual({ allowed: true, limit: 2, remaining: 1, resetMs: 1000 })
  })
})

describe("in memory, bounded (RATE_LIMIT_MAX_TRACKED)", () => {
  it("drops the least recently used counter first", () => {
    const limiter = makeMemoryRateLimiter({ maxTracked: 2 })
    const take = (key: string) => Effect.runSync(limiter.consume(key, 1, 60_000)).allowed
    expect([take("a"), take("a"), take("b")]).toEqual([true, false, true])
    expect(take("a")).toBe(false) // a is now the most recently used
    expect(take("c")).toBe(true) // evicts b, not a
    expect(limiter.trackedClients()).toBe(2)
    expect([take("a"), take("b")]).toEqual([false, true]) // b started over; a kept its count
  })

  it("stays within its bound and as fast under a flood of distinct addresses", () => {
    const bound = 100_000
    const limiter = makeMemoryRateLimiter({ maxTracked: bound })
    const flood = 200_000
    const batch = 10_000
    const times: Array<number> = []
    for (let i = 0; i < flood; i += batch) {
      const start = performance.now()
      for (let j = i; j < i + batch; j++) Effect.runSync(limiter.consume(`ip:10.${j >> 16}.${(j >> 8) & 255}.${j & 255}`, 10, 60_000))
      times.push(performance.now() - start)
      expect(limiter.trackedClients()).toBeLessThanOrEqual(bound)
    }
    expect(limiter.trackedClients()).toBe(bound)
    // the batches after the bound cost about what the first ones did: medians of 5, so that one GC pause or a
    // busy neighbour (the machine is shared, the suites run 3 at a time) is not taken for a slowdown
    const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const [first, last] = [median(times.slice(0, 5)), median(times.slice(-5))]
    expect(last, JSON.stringify(times.map(Math.round))).toBeLessThan(Math.max(5 * first, 50))
  })

  it("is bounded by RATE_LIMIT_MAX_TRACKED in Main's wiring", async () => {
    const config = await Effect.runPromise(loadConfig(ConfigProvider.fromUnknown({ RATE_LIMIT_MAX_TRACKED: "3" })))
    const limiter = await Effect.runPromise(Effect.scoped(Effect.map(Layer.build(rateLimiterLayer(config)), (ctx) => Context.get(ctx, RateLimiter))))
    const take = (key: string) => Effect.runSync(limiter.consume(key, 1, 60_000)).allowed
    expect([take("a"), take("a"), take("b"), take("c"), take("d")]).toEqual([true, false, true, true, true])
    expect(take("a")).toBe(true) // dropped as the 4th key came in
  })
})

describe("in Redis (REDIS_URL): one limit for all nodes", () => {
  let redis: TestRedis | undefined
  const connections: Array<ManagedRuntime.ManagedRuntime<Redis, never>> = []
  /** A node's own Redis service (its connection closes after the suite). */
  const connect = (url = redis!.url): Promise<RedisShape> => {
    const connection = ManagedRuntime.make(Redis.layer({ url }))
    connections.push(connection)
    return connection.runPromise(Redis.useSync((redis) => redis))
  }
  beforeAll(async () => {
    redis = await testRedis("ratelimit")
  })
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.dispose()))
    await redis?.cleanup()
  })
  const skip = () => {
    if (redis) return false
    console.warn("SKIPPED: no Redis (see the suite's warning above)")
    return true
  }

  it("two app instances with their own connections share one count", async () => {
    if (skip()) return
    const prefix = redis!.newPrefix("nodes")
    const nodeA = appWith(makeRedisRateLimiter(await connect(), prefix), { perIp: 4 })
    const nodeB = appWith(makeRedisRateLimiter(await connect(), prefix), { perIp: 4 })
    const statuses = []
    for (const app of [nodeA, nodeB, nodeA, nodeB, nodeA, nodeB]) statuses.push((await app.request("/openapi.json", from("192.0.2.1"))).status)
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
    await expect429(await nodeB.request("/openapi.json", from("192.0.2.1")), /address/)
    expect((await nodeA.request("/openapi.json", from("192.0.2.2"))).status).toBe(200)
  })

  it("counts atomically under concurrency: exactly the limit passes", async () => {
    if (skip()) return
    const prefix = redis!.newPrefix("race")
    const limiters = [makeRedisRateLimiter(await connect(), prefix), makeRedisRateLimiter(await connect(), prefix)]
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => Effect.runPromise(limiters[i % 2]!.consume("user:racer", 25, 60_000)))
    )
    expect(results.filter((r) => r.allowed)).toHaveLength(25)
  })

  it("starts over when the window (the key's PTTL) ends", async () => {
    if (skip()) return
    const limiter = makeRedisRateLimiter(await connect(), redis!.newPrefix("window"))
    const take = () => Effect.runPromise(limiter.consume("ip:x", 1, 300))
    expect((await take()).allowed).toBe(true)
    const refused = await take()
    expect(refused.allowed).toBe(false)
    expect(refused.resetMs).toBeGreaterThan(0)
    expect(refused.resetMs).toBeLessThanOrEqual(300)
    await new Promise((r) => setTimeout(r, 350))
    expect((await take()).allowed).toBe(true)
  })

  it("lets requests through (fail open, quickly) while Redis does not answer", async () => {
    const dead = await connect("redis://127.0.0.1:1")
    const started = Date.now()
    const d = await Effect.runPromise(makeRedisRateLimiter(dead).consume("ip:y", 1, 1000))
    expect(d.allowed).toBe(true)
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it("Main's wiring picks Redis when REDIS_URL is set, memory otherwise", async () => {
    if (skip()) return
    const kind = async (env: Record<string, string>) => {
      const config = await Effect.runPromise(loadConfig(ConfigProvider.fromUnknown(env)))
      return Effect.runPromise(Effect.scoped(Effect.map(Layer.build(rateLimiterLayer(config)), (ctx) => Context.get(ctx, RateLimiter).kind)))
    }
    expect(await kind({ REDIS_URL: redis!.url })).toBe("redis")
    expect(await kind({})).toBe("memory")
  })
})
