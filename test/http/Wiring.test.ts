/**
 * Main.ts's adapter choice from the config: object store (fs or S3 via s3rver, checksum setting), read store
 * and processing progress (memory or Redis), and the one Redis connection the Redis adapters share.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigProvider, Context, Effect, Layer, Option, Stream } from "effect"
import { Redis as IoRedis } from "ioredis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadConfig } from "../../src/config.ts"
import { RateLimiter } from "../../src/http/middleware/RateLimiter.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { ReadStore } from "../../src/readstore/ReadStore.ts"
import { Redis } from "../../src/redis/Redis.ts"
import { objectStoreLayer, processingProgressLayer, rateLimiterLayer, readStoreLayer, redisLayer } from "../../src/runtime/AdapterLayers.ts"
import { ProcessingProgress } from "../../src/uploads/ProcessingProgress.ts"
import { testRedis, type TestRedis } from "../support/redis.ts"
import { type S3TestServer, startS3 } from "../support/s3.ts"

const dataDir = mkdtempSync(join(tmpdir(), "keyframe-wiring-"))
let s3: S3TestServer
let redis: TestRedis | undefined
beforeAll(async () => {
  s3 = await startS3("keyframe-wiring")
  redis = await testRedis("wiring")
})
afterAll(async () => {
  await s3?.stop()
  await redis?.cleanup()
  rmSync(dataDir, { recursive: true, force: true })
})

const configOf = (env: Record<string, string>) => Effect.runPromise(loadConfig(ConfigProvider.fromUnknown({ DATA_DIR: dataDir, ...env })))

const withService = async <I, S, A>(layer: Layer.Layer<I, unknown>, key: Context.Key<I, S>, f: (s: S) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(Layer.build(layer), (ctx) => f(Context.get(ctx, key)))))

/** A body of unknown length, as tus PATCHes stream it. */
const streamOf = (bytes: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096))
      controller.close()
    }
  })

const roundTrip = (store: typeof ObjectStore.Service, key: string, bytes: Uint8Array) =>
  Effect.gen(function*() {
    yield* store.put(key, streamOf(bytes))
    const got = yield* store.get(key)
    return { kind: store.kind, bytes: new Uint8Array(yield* Effect.promise(() => new Response(got.body).arrayBuffer())) }
  })

const sample = crypto.getRandomValues(new Uint8Array(50_000))

describe("object store", () => {
  it("is files under DATA_DIR/objects when S3_BUCKET is unset", async () => {
    const r = await withService(objectStoreLayer(await configOf({})), ObjectStore, (s) => roundTrip(s, "wiring/a.bin", sample))
    expect(r.kind).toBe("fs")
    expect(r.bytes).toEqual(sample)
    expect(existsSync(join(dataDir, "objects"))).toBe(true)
  })

  it("is S3 when S3_BUCKET is set; a streamed put stores the exact bytes with the default WHEN_REQUIRED", async () => {
    const env = {
      S3_BUCKET: s3.bucket,
      S3_ENDPOINT_URL: s3.endpoint,
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_FORCE_PATH_STYLE: "true"
    }
    const config = await configOf(env)
    expect(config.objectStore.requestChecksumCalculation).toBe("WHEN_REQUIRED")
    const r = await withService(objectStoreLayer(config), ObjectStore, (s) => roundTrip(s, "wiring/b.bin", sample))
    expect(r.kind).toBe("s3")
    expect(r.bytes).toEqual(sample)
  })
})

describe("read store", () => {
  it("is in memory when REDIS_URL is unset", async () => {
    expect(await withService(readStoreLayer(await configOf({})), ReadStore, (s) => Effect.succeed(s.kind))).toBe("memory")
  })

  it("is Redis when REDIS_URL is set", async () => {
    if (!redis) return console.warn("SKIPPED: no Redis (see the suite's warning above)")
    expect(await withService(readStoreLayer(await configOf({ REDIS_URL: redis.url })), ReadStore, (s) => Effect.succeed(s.kind)))
      .toBe("redis")
  })
})

describe("processing progress", () => {
  const update = { uploadId: "wired", step: "transcode" as const, attempt: 1, percent: 42, done: 4.2, at: 0 }
  /** Publishes on one layer built from `env` and says whether a subscriber on a second one (another process) got it. */
  const crosses = async (env: Record<string, string>) => {
    const config = await configOf(env)
    return Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const api = Context.get(yield* Layer.build(processingProgressLayer(config)), ProcessingProgress)
      const worker = Context.get(yield* Layer.build(processingProgressLayer(config)), ProcessingProgress)
      const updates = yield* api.subscribe
      yield* Effect.sleep("100 millis") // the second layer's subscription to the channel settles
      yield* worker.publish(update)
      const got = yield* updates.pipe(Stream.take(1), Stream.runCollect, Effect.timeoutOption("1 second"))
      return Option.isSome(got) && got.value[0]?.percent === 42
    })))
  }

  it("stays in the process when REDIS_URL is unset", async () => {
    expect(await crosses({})).toBe(false)
  })

  it("crosses processes through Redis when REDIS_URL is set", async () => {
    if (!redis) return console.warn("SKIPPED: no Redis (see the suite's warning above)")
    expect(await crosses({ REDIS_URL: redis.url, READ_STORE_KEY_PREFIX: redis.newPrefix() })).toBe(true)
  })
})

describe("Redis", () => {
  it("the read store, the rate limiter and the progress channel of one process send on one connection", async () => {
    if (!redis) return console.warn("SKIPPED: no Redis (see the suite's warning above)")
    const config = await configOf({ REDIS_URL: redis.url, READ_STORE_KEY_PREFIX: redis.newPrefix() })
    const probe = new IoRedis(redis.url)
    try {
      await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
        const services = yield* Layer.build(
          Layer.mergeAll(readStoreLayer(config), rateLimiterLayer(config), processingProgressLayer(config), redisLayer(redis!.url))
        )
        const id = yield* Effect.promise(() => Context.get(services, Redis).client.client("ID"))
        /** The last command the shared connection sent, as the server saw it (a publish is sent without waiting). */
        const lastCommand = (expected: string) =>
          Effect.promise(async () => {
            let seen: string | undefined
            for (let i = 0; i < 40 && seen !== expected; i++) {
              seen = /\bcmd=(\S+)/.exec(String(await probe.client("LIST", "ID", String(id))))?.[1]
              if (seen !== expected) await new Promise((r) => setTimeout(r, 25))
            }
            return seen
          })
        yield* Context.get(services, ReadStore).ping
        expect(yield* lastCommand("ping")).toBe("ping")
        yield* Context.get(services, RateLimiter).consume("ip:wiring", 5, 1_000)
        expect(yield* lastCommand("eval")).toBe("eval")
        yield* Context.get(services, ProcessingProgress).publish({ uploadId: "w", step: "transcode", attempt: 1, percent: 1, done: 0, at: 0 })
        expect(yield* lastCommand("publish")).toBe("publish")
      })))
    } finally {
      probe.disconnect()
    }
  })
})
