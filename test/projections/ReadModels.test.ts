/**
 * The read models run by the real runner against a realistic history in the embedded event
 * store, on the memory store and on a real Redis: every document and every index listing equals a
 * sequential fold of the same events; a rebuild of a real projection swaps in an equal model.
 */
import { Effect, Layer, ManagedRuntime, Option, References } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { allProjections } from "../../projections/index.ts"
import { ProjectionRunner } from "../../projections/ProjectionRunner.ts"
import { foldSequential } from "../../projections/ProjectionReplay.ts"
import { diffReadModels, dumpSlot } from "../../projections/ReadModelDiff.ts"
import { startSlotRunner } from "../../projections/SlotRunner.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { MemoryReadStore } from "../../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore } from "../../src/readstore/ReadStore.ts"
import { RedisReadStore } from "../../src/readstore/redis/RedisReadStore.ts"
import type { Slot } from "../../src/readstore/ReadStoreTypes.ts"
import { testRedis } from "../support/redis.ts"
import { makeHistory } from "./RealisticHistory.ts"

let events: ManagedRuntime.ManagedRuntime<EventStore, unknown>
let history: Array<RecordedEvent> = []
beforeAll(async () => {
  events = ManagedRuntime.make(PgliteEventStore.layer({}))
  history = await events.runPromise(Effect.gen(function*() {
    const store = yield* EventStore
    // Streams are appended concurrently (each in order), as traffic would: the store groups the commits.
    const byStream = new Map<string, Array<ReturnType<typeof makeHistory>[number]>>()
    for (const a of makeHistory({ events: 2_000, idPrefix: "rm", users: 30, concurrency: 30 })) {
      byStream.set(a.stream, [...(byStream.get(a.stream) ?? []), a])
    }
    yield* Effect.forEach([...byStream.values()], (appends) => Effect.forEach(appends, (a) => store.append(a.stream, a.events), { discard: true }), {
      concurrency: 16,
      discard: true
    })
    return [...(yield* store.readAll({}))]
  }))
}, 120_000)
afterAll(() => events?.dispose())

const redis = await testRedis("read-models")
afterAll(() => redis?.cleanup())

const stores: Array<[string, () => Layer.Layer<ReadStore>]> = [["memory", () => MemoryReadStore.layer]]
if (redis) stores.push(["redis", () => RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix: redis.newPrefix() })])
else it.skip("Redis: not reachable (see the warning above)", () => {})

const quiet = <A, E, R>(e: Effect.Effect<A, E, R>) => Effect.provideService(e, References.MinimumLogLevel, "Error")

for (const [kind, readStoreLayer] of stores) {
  describe(`read models on ${kind}`, () => {
    const run = <A, E>(body: Effect.Effect<A, E, EventStore | ReadStore>) =>
      events.runPromise(quiet(Effect.provide(body, Layer.provideMerge(readStoreLayer(), Layer.succeed(EventStore, events.runSync(EventStore))))))

    it("each projection, folded by the runner in batches, equals the sequential fold (documents and indexes)", async () => {
      const head = history.at(-1)!.position
      await run(Effect.scoped(Effect.gen(function*() {
        const store = yield* ReadStore
        for (const projection of allProjections) {
          const slot: Slot = { projection: projection.name, version: projection.version, generation: 0 }
          const runner = yield* startSlotRunner(projection, slot, { batchSize: 97 })
          yield* runner.waitFor(head, "60 seconds")
          const expected = foldSequential(projection, history)
          const docs = yield* dumpSlot(store, projection, slot)
          for (const [model, byId] of expected) {
            expect(byId.size, `${projection.name}/${model} is not empty`).toBeGreaterThan(0)
            expect(Object.fromEntries(docs.get(model)!), `${projection.name}/${model}`).toEqual(Object.fromEntries(byId))
          }
          const report = yield* diffReadModels(projection, { store, slot, docs }, expected, { checkIndexes: true })
          expect(report.equal, JSON.stringify(report.models.filter((m) => m.indexMismatches.length > 0)).slice(0, 500)).toBe(true)
          expect((yield* runner.status).restarts).toBe(0)
          yield* runner.stop
        }
      })))
    }, 120_000)

    it("the ProjectionRunner serves every read model; an admin rebuild of one builds a new generation beside it and swaps", async () => {
      await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const base = Layer.mergeAll(Layer.succeed(ReadStore, store), Layer.succeed(EventStore, yield* EventStore))
        yield* Effect.provide(Effect.gen(function*() {
          const runner = yield* ProjectionRunner
          for (const p of allProjections) yield* runner.waitFor(p.name, history.at(-1)!.position, "60 seconds")
          expect((yield* runner.status).map((s) => s.state)).toEqual(allProjections.map(() => "serving"))
          yield* runner.rebuild("uploads")
          for (let i = 0; i < 600; i++) {
            const s = (yield* runner.status).find((x) => x.projection === "uploads")
            if (s?.rebuild?.state === "done") break
            yield* Effect.sleep("25 millis")
          }
          const active = yield* runner.active("uploads")
          expect(active.generation).toBe(1)
          const uploads = allProjections.find((p) => p.name === "uploads")!
          const report = yield* diffReadModels(uploads, { store, slot: active, docs: yield* dumpSlot(store, uploads, active) }, foldSequential(uploads, history), { checkIndexes: true })
          expect(report.equal).toBe(true)
          expect(Option.isNone(yield* store.checkpoint({ ...active, generation: 0 }))).toBe(true) // the old generation's keys are gone
        }), ProjectionRunner.layer(allProjections, { buildPollInterval: "50 millis" }).pipe(Layer.provideMerge(base)))
      }))
    }, 120_000)
  })
}
