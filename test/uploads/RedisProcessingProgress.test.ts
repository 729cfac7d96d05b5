/** Processing progress across processes: two hubs ("an API node" and "a worker") on one real Redis channel. */
import { Deferred, Effect, Fiber, Layer, ManagedRuntime, Stream } from "effect"
import { Redis as IoRedis } from "ioredis"
import { afterAll, describe, expect, it } from "vitest"
import { Redis } from "../../src/redis/Redis.ts"
import { ProcessingProgress, type ProgressUpdate } from "../../src/uploads/ProcessingProgress.ts"
import { RedisProcessingProgress } from "../../src/uploads/redis/RedisProcessingProgress.ts"
import { testRedis } from "../support/redis.ts"

const redis = await testRedis("progress")

/** One process's progress layer, on a Redis connection of its own. */
const progressLayer = (url: string, channel: string) => RedisProcessingProgress.layer({ channel }).pipe(Layer.provide(Redis.layer({ url })))

const update = (uploadId: string, percent: number): ProgressUpdate => ({
  uploadId,
  step: "transcode",
  attempt: 1,
  percent,
  done: percent / 10,
  at: Date.now()
})

/** Collects what a subscriber of `rt` receives until `count` updates arrived (or 3 s passed). */
const collect = (rt: ManagedRuntime.ManagedRuntime<ProcessingProgress, never>, count: number) =>
  rt.runPromise(
    Effect.gen(function*() {
      const progress = yield* ProcessingProgress
      const subscribed = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkDetach(Effect.scoped(Effect.gen(function*() {
        const updates = yield* progress.subscribe
        yield* Deferred.succeed(subscribed, undefined)
        return yield* updates.pipe(Stream.take(count), Stream.runCollect, Effect.timeoutOption("3 seconds"))
      })))
      yield* Deferred.await(subscribed)
      return fiber
    })
  )

if (redis) {
  afterAll(() => redis.cleanup())

  describe("RedisProcessingProgress", () => {
    it("an update published in one process reaches the other's subscribers, and its own once", async () => {
      const channel = `${redis.newPrefix()}progress`
      const api = ManagedRuntime.make(progressLayer(redis.url, channel))
      const worker = ManagedRuntime.make(progressLayer(redis.url, channel))
      await Promise.all([api.runPromise(Effect.void), worker.runPromise(Effect.void)])

      const onApi = await collect(api, 2)
      const onWorker = await collect(worker, 3)
      await worker.runPromise(ProcessingProgress.use((p) => p.publish(update("u1", 10))))
      worker.runSync(ProcessingProgress.use((p) => Effect.sync(() => p.publishUnsafe(update("u1", 20)))))
      // Garbage on the channel (another program, an old version) is ignored, not delivered or fatal.
      const raw = new IoRedis(redis.url)
      await raw.publish(channel, "not json")
      await raw.publish(channel, JSON.stringify({ origin: "x", update: { uploadId: "u1", step: "dance" } }))
      await raw.publish(channel, JSON.stringify({ origin: "x", update: update("u2", 50) }))
      raw.disconnect()

      const apiGot = await api.runPromise(Fiber.join(onApi))
      const workerGot = await worker.runPromise(Fiber.join(onWorker))
      expect(apiGot._tag).toBe("Some")
      expect(apiGot._tag === "Some" && apiGot.value.map((u) => [u.uploadId, u.percent])).toEqual([["u1", 10], ["u1", 20]])
      // The worker sees its own two updates once each (no echo from the channel), then u2 from elsewhere.
      expect(workerGot._tag === "Some" && workerGot.value.map((u) => [u.uploadId, u.percent])).toEqual([["u1", 10], ["u1", 20], ["u2", 50]])
      await Promise.all([api.dispose(), worker.dispose()])
    })

    it("keeps working within the process when Redis does not answer", async () => {
      const rt = ManagedRuntime.make(progressLayer("redis://127.0.0.1:1", "nowhere"))
      const got = await collect(rt, 1)
      await rt.runPromise(ProcessingProgress.use((p) => p.publish(update("u3", 70))))
      const result = await rt.runPromise(Fiber.join(got))
      expect(result._tag === "Some" && result.value.map((u) => u.percent)).toEqual([70])
      await rt.dispose()
    })
  })
}
