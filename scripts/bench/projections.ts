/**
 * Benchmark: projection apply throughput (load touched documents, fold, one atomic commit with
 * the checkpoint per batch) into the memory and Redis read stores, against a baseline measured
 * in the same run: Redis with one MULTI/EXEC round trip per event (batch size 1).
 *
 * Method: N events of the test projection (per-stream counters + per-category totals, with
 * indexes) are generated in memory as RecordedEvents (only handled types, as a filtered
 * subscription delivers them) and fed to the runner's BatchApplier in batches; the event store
 * is left out, so this measures the read side alone. Each store first gets a warm-up pass
 * into a throwaway slot. The baseline runs over the first BASELINE events (a rate is what
 * is compared). Each run's stream documents are checked against a plain fold. Prints one JSON line.
 *
 * Use: node scripts/bench/projections.ts [events=200000]   (REDIS_URL, default redis://127.0.0.1:6379)
 */
import { Effect, Layer } from "effect"
import { makeBatchApplier } from "../../projections/BatchApplier.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { makeMemoryReadStore } from "../../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore, type ReadStoreShape } from "../../src/readstore/ReadStore.ts"
import { RedisReadStore } from "../../src/readstore/redis/RedisReadStore.ts"
import type { Slot } from "../../src/readstore/ReadStoreTypes.ts"
import { makeStreamCounter, referenceFold } from "../../test/projections/StreamCounter.ts"

const N = Number(process.argv[2] ?? 200_000)
const BASELINE = Math.min(N, 20_000)
const STREAMS = 2_000
const BATCH = 500
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const keyPrefix = `kfbench:${crypto.randomUUID().slice(0, 8)}:`

/** Deterministic events: 90% Counted, 7% Reset, 3% Removed, over STREAMS streams in 20 categories. */
const generate = (n: number): Array<RecordedEvent> => {
  let seed = 42
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x7fffffff)
  const revisions = new Map<string, number>()
  const recordedAt = new Date().toISOString()
  return Array.from({ length: n }, (_, i) => {
    const s = Math.floor(random() * STREAMS)
    const stream = `c${s % 20}-s${s}`
    const r = random()
    const revision = revisions.get(stream) ?? 0
    revisions.set(stream, revision + 1)
    return {
      id: crypto.randomUUID(),
      stream,
      revision,
      position: i + 1,
      type: r < 0.9 ? "Counted" : r < 0.97 ? "Reset" : "Removed",
      data: { n: i },
      metadata: { occurredAt: recordedAt, schemaVersion: 1, prevHash: "0".repeat(64), hash: "0".repeat(64) },
      recordedAt
    }
  })
}

const projection = makeStreamCounter({ name: "bench" })

const measure = (store: ReadStoreShape, slot: Slot, events: ReadonlyArray<RecordedEvent>, batchSize: number) =>
  Effect.gen(function*() {
    const applier = makeBatchApplier(projection, slot, store, 10_000)
    const started = performance.now()
    for (let i = 0; i < events.length; i += batchSize) yield* applier.apply(events.slice(i, i + batchSize))
    const seconds = (performance.now() - started) / 1000
    return { events: events.length, seconds: round(seconds, 3), eventsPerSec: Math.round(events.length / seconds) }
  })

/** The model must be right, or the figures mean nothing: compare every stream document with a plain fold. */
const verify = (store: ReadStoreShape, slot: Slot, events: ReadonlyArray<RecordedEvent>) =>
  Effect.gen(function*() {
    const { streams } = referenceFold(events)
    const ids = Array.from({ length: STREAMS }, (_, s) => `c${s % 20}-s${s}`)
    const docs = yield* store.getMany(slot, "stream", ids)
    ids.forEach((id, i) => {
      if (JSON.stringify(docs[i]) !== JSON.stringify(streams.get(id))) throw new Error(`${slot.projection}/${id} differs from the reference fold`)
    })
  })

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

const program = Effect.gen(function*() {
  const events = generate(N)
  const slot = (name: string): Slot => ({ projection: `bench-${name}`, version: 1, generation: 0 })

  // Warm-up passes into throwaway slots, so the JIT has compiled the fold and the adapters before timing.
  const memory = makeMemoryReadStore()
  yield* measure(memory, slot("warmup"), events.slice(0, 50_000), BATCH)
  const memoryResult = yield* measure(memory, slot("memory"), events, BATCH)
  yield* verify(memory, slot("memory"), events)

  const redis = yield* ReadStore
  yield* measure(redis, slot("warmup"), events.slice(0, 20_000), BATCH)
  const redisResult = yield* measure(redis, slot("redis"), events, BATCH)
  yield* verify(redis, slot("redis"), events)
  const baseline = yield* measure(redis, slot("baseline"), events.slice(0, BASELINE), 1)
  yield* verify(redis, slot("baseline"), events.slice(0, BASELINE))
  for (const name of ["warmup", "redis", "baseline"]) yield* redis.drop(slot(name))

  const ratio = round(redisResult.eventsPerSec / baseline.eventsPerSec)
  const targets = { memoryEventsPerSec: 50_000, redisEventsPerSec: 15_000, redisVsBaseline: 5 }
  return {
    bench: "projections",
    method: "BatchApplier over in-memory RecordedEvents (event store excluded); load+fold+atomic commit per batch",
    events: N,
    streams: STREAMS,
    batchSize: BATCH,
    memory: memoryResult,
    redis: redisResult,
    baseline: { what: "redis, one MULTI/EXEC round trip per event (batch size 1)", ...baseline },
    redisVsBaseline: ratio,
    targets,
    pass: memoryResult.eventsPerSec >= targets.memoryEventsPerSec && redisResult.eventsPerSec >= targets.redisEventsPerSec &&
      ratio >= targets.redisVsBaseline
  }
})

const result = await Effect.runPromise(program.pipe(Effect.provide(RedisReadStore.layer({ url: redisUrl, keyPrefix }))))
console.log(JSON.stringify(result))
