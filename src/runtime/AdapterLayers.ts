/** Picks the object store, read store, rate limiter, progress and presence adapters from the config; only the chosen adapter's module is loaded. */
import { Effect, Layer } from "effect"
import type { KeyframeSettings } from "../config.ts"
import { RateLimiter } from "../http/middleware/RateLimiter.ts"
import type { ObjectStore } from "../objectstore/ObjectStore.ts"
import { ObjectStoreUnavailable } from "../objectstore/ObjectStoreError.ts"
import type { ReadStore } from "../readstore/ReadStore.ts"
import { RoomPresence } from "../realtime/RoomPresence.ts"
import type { Redis } from "../redis/Redis.ts"
import { ProcessingProgress } from "../uploads/ProcessingProgress.ts"

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
      return m.FsObjectStore.layer({ root: `${config.server.dataDir.replace(/\/+$/, "")}/objects`, mediaCacheBytes: o.mediaCacheMb * 1024 * 1024 })
    }).pipe(Effect.mapError((e) => new ObjectStoreUnavailable({ operation: "open", reason: e.message, cause: e })))
  )

const redisLayers = new Map<string, Layer.Layer<Redis>>()

/**
 * The process's Redis (src/redis/Redis.ts) for REDIS_URL. One layer value per URL: layers are
 * memoized by identity within a build, so the read store, the rate limiter and the progress channel
 * built into one process share its connection. (A map of layer descriptions: it holds no connection.)
 */
export const redisLayer = (url: string): Layer.Layer<Redis> => {
  let layer = redisLayers.get(url)
  if (layer === undefined) {
    layer = Layer.unwrap(Effect.map(load("Redis", () => import("../redis/Redis.ts")), (m) => m.Redis.layer({ url }))).pipe(Layer.orDie)
    redisLayers.set(url, layer)
  }
  return layer
}

/** Redis when REDIS_URL is set, else in memory. */
export const readStoreLayer = (config: KeyframeSettings): Layer.Layer<ReadStore> =>
  Layer.unwrap(
    Effect.gen(function*() {
      const url = config.readStore.redisUrl
      if (url === undefined) return (yield* load("memory", () => import("../readstore/memory/MemoryReadStore.ts"))).MemoryReadStore.layer
      const m = yield* load("Redis", () => import("../readstore/redis/RedisReadStore.ts"))
      return m.RedisReadStore.layer({ keyPrefix: config.readStore.keyPrefix }).pipe(Layer.provide(redisLayer(url)))
    }).pipe(Effect.orDie)
  )

/**
 * One limit for all nodes when REDIS_URL is set (a Redis that is away lets requests through until it
 * is back, logged), else per process in memory.
 */
export const rateLimiterLayer = (config: KeyframeSettings): Layer.Layer<RateLimiter> =>
  Layer.unwrap(
    Effect.gen(function*() {
      const url = config.readStore.redisUrl
      if (url === undefined) return RateLimiter.layerMemoryWith({ maxTracked: config.rateLimit.maxTrackedClients })
      const { RedisRateLimiter } = yield* load("Redis rate limiter", () => import("../http/middleware/RedisRateLimiter.ts"))
      return RedisRateLimiter.layer().pipe(Layer.provide(redisLayer(url)))
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
      const m = yield* load("Redis progress", () => import("../uploads/redis/RedisProcessingProgress.ts"))
      return m.RedisProcessingProgress.layer({ channel: `${config.readStore.keyPrefix ?? ""}keyframe:progress` }).pipe(
        Layer.provide(redisLayer(url))
      )
    }).pipe(Effect.orDie)
  )

/**
 * Room presence: every node's in Redis when REDIS_URL is set (members on any node, one grace period
 * for all, playback waits over the whole room), else this process's.
 */
export const roomPresenceLayer = (config: KeyframeSettings): Layer.Layer<RoomPresence> =>
  Layer.unwrap(
    Effect.gen(function*() {
      const url = config.readStore.redisUrl
      if (url === undefined) return RoomPresence.layerMemory
      const m = yield* load("Redis presence", () => import("../realtime/redis/RedisRoomPresence.ts"))
      return m.RedisRoomPresence.layer({
        keyPrefix: config.readStore.keyPrefix ?? "",
        heartbeatMs: config.realtime.presenceHeartbeatMs,
        ttlMs: config.realtime.presenceTtlMs
      }).pipe(Layer.provide(redisLayer(url)))
    }).pipe(Effect.orDie)
  )
