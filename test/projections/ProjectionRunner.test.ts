/** The projection runner against the embedded event store and real read stores (memory and Redis). */
import { Effect, Layer, ManagedRuntime, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ProjectionRunner } from "../../projections/ProjectionRunner.ts"
import { startSlotRunner } from "../../projections/SlotRunner.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { MemoryReadStore } from "../../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore } from "../../src/readstore/ReadStore.ts"
import { RedisReadStore } from "../../src/readstore/redis/RedisReadStore.ts"
import type { Slot } from "../../src/readstore/ReadStoreTypes.ts"
import { failureTag } from "../readstore/ReadStoreContract.ts"
import { testRedis } from "../support/redis.ts"
import { appendSteps, checkpointOf, dumpSlot, expectedDump, type Step } from "./CounterHarness.ts"
import { makeStreamCounter } from "./StreamCounter.ts"

let events: ManagedRuntime.ManagedRuntime<EventStore, unknown>
beforeAll(async () => {
  events = ManagedRuntime.make(PgliteEventStore.layer({}))
  await events.runPromise(Effect.void)
})
afterAll(() => events?.dispose())

const redis = await testRedis("projections")
afterAll(() => redis?.cleanup())

/** A category of streams no other test writes to, and a counter projection restricted to it. */
const fresh = (version = 1) => {
  const category = `c${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`
  const projection = makeStreamCounter({ name: `counter-${category}`, version, streamPrefixes: [`${category}-`] })
  const slot: Slot = { projection: projection.name, version, generation: 0 }
  const steps = (n: number, types: ReadonlyArray<string> = ["Counted", "Counted", "Reset", "Ignored", "Counted", "Removed"]): Array<Step> =>
    Array.from({ length: n }, (_, i) => ({ stream: `${category}-s${i % 7}`, types: [types[i % types.length]!, "Counted"] }))
  return { category, projection, slot, steps }
}

const stores: Array<[string, () => Layer.Layer<ReadStore>]> = [["memory", () => MemoryReadStore.layer]]
if (redis) stores.push(["redis", () => RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix: redis.newPrefix() })])
else it.skip("Redis: not reachable (see the warning above)", () => {})

for (const [kind, readStoreLayer] of stores) {
  describe(`projection runner on ${kind}`, () => {
    /** Runs a test body with the shared event store and one read store instance (reused across runner restarts). */
    const run = <A, E>(body: Effect.Effect<A, E, EventStore | ReadStore>) =>
      events.runPromise(Effect.provide(body, Layer.provideMerge(readStoreLayer(), Layer.succeed(EventStore, events.runSync(EventStore)))))

    it("catches up from history in batches, then follows live events; the checkpoint is committed with the writes", async () => {
      const t = fresh()
      await run(Effect.scoped(Effect.gen(function*() {
        const history = yield* appendSteps(t.steps(60))
        const runner = yield* startSlotRunner(t.projection, t.slot, { batchSize: 25 })
        yield* runner.waitFor(history.at(-1)!.position, "20 seconds")
        expect(yield* dumpSlot(t.slot)).toEqual(expectedDump(history))
        const status = yield* runner.status
        expect(status.state).toBe("running")
        expect(status.eventsApplied).toBe(history.filter((e) => e.type !== "Ignored").length)
        expect(status.batches).toBeGreaterThanOrEqual(Math.ceil(status.eventsApplied / 25))
        expect(status.batches).toBeLessThan(status.eventsApplied)
        const live = yield* appendSteps(t.steps(9))
        yield* runner.waitFor(live.at(-1)!.position, "20 seconds")
        expect(yield* dumpSlot(t.slot)).toEqual(expectedDump([...history, ...live]))
        expect(yield* checkpointOf(t.slot)).toBe(live.at(-1)!.position)
        expect((yield* runner.lag).caughtUp).toBe(true)
      })))
    })

    it("a restarted runner resumes from the stored checkpoint: nothing is applied twice or skipped", async () => {
      const t = fresh()
      await run(Effect.scoped(Effect.gen(function*() {
        const first = yield* appendSteps(t.steps(20))
        const one = yield* startSlotRunner(t.projection, t.slot)
        yield* one.waitFor(first.at(-1)!.position, "20 seconds")
        yield* one.stop
        expect((yield* one.status).state).toBe("stopped")
        const second = yield* appendSteps(t.steps(13))
        const lag = yield* one.lag
        expect(lag.caughtUp).toBe(false)
        expect(lag.positionsBehind).toBeGreaterThan(0)
        expect(lag.secondsBehind).toBeGreaterThanOrEqual(0)
        const two = yield* startSlotRunner(t.projection, t.slot)
        yield* two.waitFor(second.at(-1)!.position, "20 seconds")
        expect((yield* two.status).eventsApplied).toBe(second.filter((e) => e.type !== "Ignored").length)
        expect(yield* dumpSlot(t.slot)).toEqual(expectedDump([...first, ...second]))
      })))
    })

    it("waitFor: resolves for handled and unhandled positions, times out (typed) for a position not yet written", async () => {
      const t = fresh()
      await run(Effect.scoped(Effect.gen(function*() {
        const runner = yield* startSlotRunner(t.projection, t.slot)
        const handled = yield* appendSteps(t.steps(3))
        yield* runner.waitFor(handled.at(-1)!.position, "10 seconds")
        expect((yield* dumpSlot(t.slot)).streams.length).toBe(3)
        // An event of a type the projection skips never becomes its checkpoint, yet waiting on it must end.
        const [ignored] = yield* appendSteps([{ stream: `${t.category}-x`, types: ["Ignored"] }])
        const started = Date.now()
        yield* runner.waitFor(ignored!.position, "10 seconds")
        expect(Date.now() - started).toBeLessThan(2_000)
        expect((yield* runner.status).checkpoint).toBeLessThan(ignored!.position)
        const head = yield* EventStore.use((s) => s.headPosition)
        const exit = yield* Effect.exit(runner.waitFor(head + 1_000, "300 millis"))
        expect(failureTag(exit)).toBe("ProjectionWaitTimeout")
      })))
    })

    it("ProjectionRunner: activates v1, builds v2 beside it and swaps, rebuilds a generation, drops old keys", async () => {
      const v1 = fresh(1)
      const v2 = { ...makeStreamCounter({ name: v1.projection.name, version: 2, streamPrefixes: [`${v1.category}-`] }) }
      const host = (projection: typeof v1.projection) =>
        ProjectionRunner.layer([projection], { buildPollInterval: "50 millis", runner: { batchSize: 20 } })
      await run(Effect.gen(function*() {
        const readStore = yield* ReadStore
        const eventStore = yield* EventStore
        const base = Layer.mergeAll(Layer.succeed(ReadStore, readStore), Layer.succeed(EventStore, eventStore))
        const withHost = <A, E>(projection: typeof v1.projection, body: Effect.Effect<A, E, ProjectionRunner | EventStore | ReadStore>) =>
          Effect.provide(body, Layer.provideMerge(host(projection), base))
        /** Polls the status until the build into `generation` is done. */
        const rebuildDone = (generation: number) =>
          Effect.gen(function*() {
            const runner = yield* ProjectionRunner
            for (let i = 0; i < 400; i++) {
              const [s] = yield* runner.status
              if (s?.rebuild?.to.generation === generation && s.rebuild.state === "done") return s
              yield* Effect.sleep("25 millis")
            }
            throw new Error("rebuild did not finish")
          })
        const name = v1.projection.name
        const all = yield* appendSteps(v1.steps(30))

        // First start: nothing active, so v1 generation 0 becomes active and runs.
        yield* withHost(v1.projection, Effect.gen(function*() {
          const runner = yield* ProjectionRunner
          yield* runner.waitFor(name, all.at(-1)!.position, "20 seconds")
          expect(yield* runner.active(name)).toEqual({ projection: name, version: 1, generation: 0 })
          const [status] = yield* runner.status
          expect(status).toMatchObject({ state: "serving", runner: { state: "running" } })
        }))
        expect(yield* dumpSlot(v1.slot)).toEqual(expectedDump(all))

        // A process with version 2: builds beside v1 (still active meanwhile), swaps, drops v1.
        all.push(...(yield* appendSteps(v1.steps(10))))
        const v2Slot: Slot = { projection: name, version: 2, generation: 0 }
        yield* withHost(v2, Effect.gen(function*() {
          const runner = yield* ProjectionRunner
          yield* runner.waitFor(name, all.at(-1)!.position, "20 seconds")
          expect(yield* runner.active(name)).toEqual(v2Slot)
          expect(Option.getOrUndefined(yield* readStore.active(name))).toEqual(v2Slot)
          const status = yield* rebuildDone(0)
          expect(status?.rebuild).toMatchObject({ state: "done", from: v1.slot, to: v2Slot })
          expect(status?.rebuild?.fraction).toBe(1)

          // An admin rebuild of the same version: generation 1, live events keep flowing meanwhile.
          yield* runner.rebuild(name)
          expect(failureTag(yield* Effect.exit(runner.rebuild(name)))).toBe("RebuildInProgress")
          all.push(...(yield* appendSteps(v1.steps(15))))
          yield* rebuildDone(1)
          const gen1: Slot = { ...v2Slot, generation: 1 }
          expect(yield* runner.active(name)).toEqual(gen1)
          all.push(...(yield* appendSteps(v1.steps(4))))
          yield* runner.waitFor(name, all.at(-1)!.position, "20 seconds")
          expect(yield* dumpSlot(gen1)).toEqual(expectedDump(all))
          expect(yield* dumpSlot(v2Slot)).toEqual({ streams: [], categories: [], indexes: { "stream/all": [], "category/all": [], "category/active": [] } })
          expect(failureTag(yield* Effect.exit(runner.waitFor("nope", 1, "1 second")))).toBe("ProjectionNotRunning")
        }))
        expect(Option.isNone(yield* readStore.checkpoint(v1.slot))).toBe(true)
        expect((yield* dumpSlot(v1.slot)).streams).toEqual([])

        // An older process (v1) finds v2 active: it does not write, and says so.
        yield* withHost(v1.projection, Effect.gen(function*() {
          const runner = yield* ProjectionRunner
          for (let i = 0; i < 100 && (yield* runner.status)[0]?.state === "starting"; i++) yield* Effect.sleep("20 millis")
          expect((yield* runner.status)[0]?.state).toBe("superseded")
          expect(failureTag(yield* Effect.exit(runner.waitFor(name, 1, "1 second")))).toBe("ProjectionNotRunning")
        }))
      }))
    })
  })
}
