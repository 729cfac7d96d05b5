/** Picks the object store, read store and rate limiter adapters from the config; only the chosen adapter's module is loaded. */
import { Effect, Layer } from "effect"
import type { KeyframeSettings } from "../config.ts"
import { RateLimiter } from "../http/middleware/RateLimiter.ts"
import type { ObjectStore } from "../objectstore/ObjectStore.ts"
import { ObjectStoreUnavailable } from "../objectstore/ObjectStoreError.ts"
import type { ReadStore } from "../readstore/ReadStore.ts"
import { ProcessingProgress } from "../workers/ProcessingProgress.ts"

const load = <M>(what: string, importer: () => Promise<M>) =>
  Effect.tryPromise({ try: importer, catch: (cause) => new Error(`cannot load the ${what} adapter: ${String(cause)}`) })

/** S3 (or MinIO) when S3_BUCKET is set, else files under DATA_DIR/objects. */
export const objectStoreLayer = (config: KeyframeSettings): Layer.Layer<ObjectStore, ObjectStoreUnavailable> =>
  Layer.unwrap(
    Effect.gen(function*() {
      const o = config.objectStore
      if (o.bucket !== undefined) {
        const m = yield* load("S3", () => import("../objectstore/s3/S3ObjectStore.ts"))
        return m.S3ObjectStore.layer({
          endpoint: o.endpointUrl,
          region: o.region,
          bucket: o.bucket,
          accessKeyId: o.accessKeyId,
          secretAccessKey: o.secretAccessKey,
          forcePathStyle: o.forcePathStyle,
          requestChecksumCalculation: o.requestChecksumCalculation
        })
      }
      const m = yield* load("filesystem", () => import("../objectstore/fs/FsObjectStore.ts"))
      return m.FsObjectStore.layer({ root: `${config.server.dataDir.replace(/\/+$/, "")}/objects` })
    }).pipe(Effect.mapError((e) => new ObjectStoreUnavailable({ operation: "open", reason: e.message, cause: e })))
  )

/** Redis when REDIS_URL is set, else in memory. */
export const readStoreLayer = (config: KeyframeSettings): Layer.Layer<ReadStore> =>
  Layer.unwrap(
    Effect.gen(function*() {
      const url = config.readStore.redisUrl
      if (url === undefined) return (yield* load("memory", () => import("../readstore/memory/MemoryReadStore.ts"))).MemoryReadStore.layer
      return (yield* load("Redis", () => import("../readstore/redis/RedisReadStore.ts"))).RedisReadStore.layer({ url, keyPrefix: config.readStore.keyPrefix })
    }).pipe(Effect.orDie)
  )

/**
 * One limit for all nodes when REDIS_URL is set (its own ioredis connection: commands fail fast
 * while Redis is away, and the limiter then lets requests through), else per process in memory.
 */
export const rateLimiterLayer = (config: KeyframeSettings): Layer.Layer<RateLimiter> =>
  Layer.unwrap(
    Effect.gen(function*() {
      const url = config.readStore.redisUrl
      if (url === undefined) return RateLimiter.layerMemoryWith({ maxTracked: config.rateLimit.maxTrackedClients })
      const { Redis } = yield* load("Redis", () => import("ioredis"))
      const { RedisRateLimiter } = yield* load("Redis rate limiter", () => import("../http/middleware/RedisRateLimiter.ts"))
      const client = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 })
          c.on("error", () => {}) // reported by the limiter as it fails open
          return c
        }),
        (c) => Effect.sync(() => c.disconnect())
      )
      // connect before serving (a Redis that is down only logs: requests are let through until it is back)
      yield* Effect.tryPromise(() => client.connect()).pipe(
        Effect.timeout("3 seconds"),
        Effect.catch((e) => Effect.logWarning(`rate limiter: Redis at ${url} does not answer yet (${e.message}); limits are off until it does`))
      )
      return RedisRateLimiter.layer(client)
    }).pipe(Effect.orDie)
  )

/**
 * Processing progress: shared by every process through Redis pub/sub when REDIS_URL is set (an API
 * node then shows the percentages of workers elsewhere), else within this process.
 */
export const processingProgressLayer = (config: KeyframeSettings): Layer.Layer<ProcessingProgress> =>
  Layer.unwrap(
    Effect.gen(function*() {
      const url = config.readStore.redisUrl
      if (url === undefined) return ProcessingProgress.layer
      const m = yield* load("Redis progress", () => import("../workers/redis/RedisProcessingProgress.ts"))
      return m.redisProcessingProgressLayer({ url, channel: `${config.readStore.keyPrefix ?? ""}keyframe:progress` })
    }).pipe(Effect.orDie)
  )
