/**
 * The fault-injection property (ProjectionFaults.test.ts) on real read models: the uploads and
 * quotas projections over random realistic histories. Whatever commit fails and however (before
 * writing, after writing with the reply lost, a crash), and whether the runner recovers by itself
 * or is killed and restarted, the read model ends equal to a clean replay and to a sequential
 * fold, with the checkpoint at the last handled event. Memory and real Redis.
 */
import { Effect, Layer, ManagedRuntime, References } from "effect"
import * as fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { QuotasProjection, UploadsProjection } from "../../projections/index.ts"
import type { AnyProjection } from "../../projections/Projection.ts"
import { foldSequential } from "../../projections/ProjectionReplay.ts"
import { dumpSlot } from "../../projections/ReadModelDiff.ts"
import { startSlotRunner } from "../../projections/SlotRunner.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { type CommitFault, withFaults } from "../../src/readstore/FaultyReadStore.ts"
import { MemoryReadStore } from "../../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore } from "../../src/readstore/ReadStore.ts"
import { RedisReadStore } from "../../src/readstore/redis/RedisReadStore.ts"
import type { Slot } from "../../src/readstore/ReadStoreTypes.ts"
import { testRedis } from "../support/redis.ts"
import { makeHistory } from "./RealisticHistory.ts"

let events: ManagedRuntime.ManagedRuntime<EventStore, unknown>
beforeAll(async () => {
  events = ManagedRuntime.make(PgliteEventStore.layer({}))
  await events.runPromise(Effect.void)
})
afterAll(() => events?.dispose())
const redis = await testRedis("real-projection-faults")
afterAll(() => redis?.cleanup())

const RUNS = 30

const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  before: fc.integer({ min: 0, max: 60 }),
  during: fc.integer({ min: 1, max: 60 }),
  faultAt: fc.integer({ min: 1, max: 5 }),
  fault: fc.constantFrom<Exclude<CommitFault, undefined>>("before", "after", "die"),
  restart: fc.constantFrom("kill", "recover"),
  batchSize: fc.integer({ min: 1, max: 8 }),
  projection: fc.constantFrom("uploads", "quotas")
})

const runOptions = { retryBase: "5 millis", retryMax: "20 millis", probeInterval: "10 millis" } as const

/** The real projection, renamed and narrowed to one case's streams (the event store is shared by all cases). */
const narrowed = (which: string, prefix: string): AnyProjection => {
  const base = which === "uploads" ? UploadsProjection : QuotasProjection
  const category = which === "uploads" ? "upload" : "quota"
  return { ...base, name: `f-${which}-${prefix}`, streamPrefixes: [`${category}-${prefix}`] }
}

const cases: Array<[string, () => Layer.Layer<ReadStore>]> = [["memory", () => MemoryReadStore.layer]]
if (redis) cases.push(["redis", () => RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix: redis.newPrefix() })])
else it.skip("Redis: not reachable (see the warning above)", () => {})

for (const [kind, storeLayer] of cases) {
  describe(`real read models under injected faults on ${kind}`, () => {
    it(`uploads and quotas end equal to a clean replay (${RUNS} random histories)`, async () => {
      const stores = ManagedRuntime.make(Layer.provideMerge(storeLayer(), Layer.succeed(EventStore, events.runSync(EventStore))))
      let fired = 0
      await fc.assert(
        fc.asyncProperty(scenario, async (c) => {
          const prefix = `p${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`
          const projection = narrowed(c.projection, prefix)
          const slot: Slot = { projection: projection.name, version: 1, generation: 0 }
          const clean: Slot = { ...slot, generation: 1 }
          const history = makeHistory({ events: c.before + c.during, seed: c.seed, idPrefix: prefix, users: 5, concurrency: 8, videos: false })
          const cut = Math.max(0, history.findIndex((_, i) => history.slice(0, i + 1).reduce((n, a) => n + a.events.length, 0) >= c.before))
          await stores.runPromise(Effect.scoped(Effect.gen(function*() {
            const store = yield* EventStore
            const base = yield* ReadStore
            const append = (appends: typeof history) =>
              Effect.gen(function*() {
                const out: Array<RecordedEvent> = []
                for (const a of appends) out.push(...(yield* store.append(a.stream, a.events)).events)
                return out
              })
            let faultFired = false
            const faulty = withFaults(base, {
              commit: (n) => {
                if (n !== c.faultAt) return undefined
                faultFired = true
                return c.fault
              }
            })
            const all = yield* append(history.slice(0, c.before === 0 ? 0 : cut + 1))
            const a = yield* startSlotRunner(projection, slot, { ...runOptions, batchSize: c.batchSize }).pipe(Effect.provideService(ReadStore, faulty))
            all.push(...(yield* append(history.slice(c.before === 0 ? 0 : cut + 1))))
            const handled = all.filter((e) => projection.handles.includes(e.type) && projection.streamPrefixes!.some((p) => e.stream.startsWith(p)))
            const last = handled.at(-1)?.position ?? 0
            if (c.restart === "kill") {
              for (let i = 0; i < 2_000 && !faultFired && (yield* a.status).checkpoint < last; i++) yield* Effect.sleep("2 millis")
              yield* a.stop
              const b = yield* startSlotRunner(projection, slot, { ...runOptions, batchSize: c.batchSize })
              yield* b.waitFor(last, "20 seconds")
            } else {
              yield* a.waitFor(last, "20 seconds")
            }
            if (faultFired) fired++
            const replay = yield* startSlotRunner(projection, clean, { batchSize: 500 })
            yield* replay.waitFor(last, "20 seconds")
            const got = yield* dumpSlot(base, projection, slot)
            expect(got).toEqual(yield* dumpSlot(base, projection, clean))
            expect(got).toEqual(foldSequential(projection, all))
            if (last > 0) expect((yield* base.checkpoint(slot))._tag).toBe("Some")
            const checkpoint = yield* base.checkpoint(slot)
            expect(checkpoint._tag === "Some" ? checkpoint.value : 0).toBe(last)
          }).pipe(Effect.provideService(References.MinimumLogLevel, "Error"))))
        }),
        { numRuns: RUNS }
      )
      await stores.dispose()
      // Only meaningful if faults actually fired in a good share of the cases.
      expect(fired).toBeGreaterThan(RUNS / 4)
    }, 120_000)
  })
}
