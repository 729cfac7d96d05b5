/**
 * Benchmark: replay throughput of Keyframe's read models (videos, uploads, quotas, rooms,
 * streams, engagement, storage) into the memory and Redis read stores, against a baseline measured in the same
 * run: Redis with one commit round trip per event (batch size 1).
 *
 * Method: a deterministic history of N events of realistic mix (uploads with byte progress,
 * processing steps, retries, failures and cancellations; quota reservations; watch rooms with
 * members, chat and playback; live streams with chunks) is generated in memory as
 * RecordedEvents, encoded by the aggregates' own codecs. Each projection gets the events its
 * subscription would deliver (its types and stream prefixes) and folds them through the
 * runner's BatchApplier (decode, load touched documents, fold, one atomic commit with the
 * checkpoint per batch, fenced on the previous one as the runner's are); the event store is
 * left out, so this measures the read side alone.
 * Throughput is N (events in the log) divided by the time to bring all the read models up to
 * date. Each store first gets a warm-up pass into throwaway slots (memory: the whole history). The baseline runs over the
 * first BASELINE events. Every run is checked document by document against a sequential fold.
 * Prints one JSON line.
 *
 * Use: node scripts/bench/projections.ts [events=200000]   (REDIS_URL, default redis://127.0.0.1:6379)
 */
import { Effect } from "effect"
import { makeBatchApplier } from "../../projections/BatchApplier.ts"
import { allProjections } from "../../projections/index.ts"
import type { AnyProjection } from "../../projections/Projection.ts"
import { foldSequential } from "../../projections/ProjectionReplay.ts"
import { canonicalJson } from "../../src/eventstore/HashChain.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { makeMemoryReadStore } from "../../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore, type ReadStoreShape } from "../../src/readstore/ReadStore.ts"
import { RedisReadStore } from "../../src/readstore/redis/RedisReadStore.ts"
import type { Slot } from "../../src/readstore/ReadStoreTypes.ts"
import { makeHistory, toRecorded } from "../../test/projections/RealisticHistory.ts"

const N = Number(process.argv[2] ?? 200_000)
const BASELINE = Math.min(N, 20_000)
const BATCH = 500
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const keyPrefix = `kfbench:${crypto.randomUUID().slice(0, 8)}:`

const delivered = (projection: AnyProjection, events: ReadonlyArray<RecordedEvent>) => {
  const types = new Set(projection.handles)
  const prefixes = projection.streamPrefixes ?? [""]
  return events.filter((e) => types.has(e.type) && prefixes.some((p) => e.stream.startsWith(p)))
}

const slotOf = (run: string, projection: AnyProjection): Slot => ({ projection: `bench-${run}-${projection.name}`, version: 1, generation: 0 })

/** Brings every read model up to date with `events`; the rate counts every event of the log once. */
const measure = (store: ReadStoreShape, run: string, events: ReadonlyArray<RecordedEvent>, batchSize: number) =>
  Effect.gen(function*() {
    const perProjection: Record<string, number> = {}
    const feeds = allProjections.map((p) => [p, delivered(p, events)] as const)
    const started = performance.now()
    for (const [projection, feed] of feeds) {
      const t = performance.now()
      const applier = makeBatchApplier(projection, slotOf(run, projection), store, 10_000)
      for (let i = 0; i < feed.length; i += batchSize) yield* applier.apply(feed.slice(i, i + batchSize))
      perProjection[projection.name] = Math.round(feed.length / ((performance.now() - t) / 1000))
    }
    const seconds = (performance.now() - started) / 1000
    return { events: events.length, seconds: round(seconds, 3), eventsPerSec: Math.round(events.length / seconds), perProjectionEventsPerSec: perProjection }
  })

/** The models must be right, or the figures mean nothing: every document equals the sequential fold's. */
const verify = (store: ReadStoreShape, run: string, events: ReadonlyArray<RecordedEvent>) =>
  Effect.gen(function*() {
    let documents = 0
    for (const projection of allProjections) {
      for (const [model, docs] of foldSequential(projection, events)) {
        const ids = [...docs.keys()]
        for (let i = 0; i < ids.length; i += 1000) {
          const chunk = ids.slice(i, i + 1000)
          const got = yield* store.getMany(slotOf(run, projection), model, chunk)
          chunk.forEach((id, j) => {
            if (canonicalJson(got[j]) !== canonicalJson(docs.get(id))) throw new Error(`${run}: ${projection.name}/${model}/${id} differs from the sequential fold`)
          })
        }
        documents += ids.length
      }
    }
    return documents
  })

const drop = (store: ReadStoreShape, run: string) => Effect.forEach(allProjections, (p) => store.drop(slotOf(run, p)), { discard: true })

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

const program = Effect.gen(function*() {
  const events = toRecorded(makeHistory({ events: N }))
  const mix: Record<string, number> = {}
  for (const e of events) mix[e.stream.slice(0, e.stream.indexOf("-"))] = (mix[e.stream.slice(0, e.stream.indexOf("-"))] ?? 0) + 1

  // Warm-up passes into throwaway slots, so the JIT has compiled the folds and the adapters before timing.
  const memory = makeMemoryReadStore()
  // One whole pass first: the folds meet every event shape before timing (a partial pass left them half-optimised).
  yield* measure(memory, "warmup", events, BATCH)
  yield* drop(memory, "warmup") // a smaller heap for the timed run
  const memoryResult = yield* measure(memory, "memory", events, BATCH)
  const documents = yield* verify(memory, "memory", events)

  const redis = yield* ReadStore
  yield* measure(redis, "warmup", events.slice(0, 20_000), BATCH)
  const redisResult = yield* measure(redis, "redis", events, BATCH)
  yield* verify(redis, "redis", events)
  const baseline = yield* measure(redis, "baseline", events.slice(0, BASELINE), 1)
  yield* verify(redis, "baseline", events.slice(0, BASELINE))
  for (const run of ["warmup", "redis", "baseline"]) yield* drop(redis, run)

  const ratio = round(redisResult.eventsPerSec / baseline.eventsPerSec)
  const targets = { memoryEventsPerSec: 50_000, redisEventsPerSec: 15_000, redisVsBaseline: 5 }
  return {
    bench: "projections",
    method: "every real read model via BatchApplier over in-memory RecordedEvents of a realistic mix (event store excluded); decode+load+fold+atomic fenced commit (Redis: one Lua script) per batch",
    events: N,
    mix,
    documents,
    batchSize: BATCH,
    memory: memoryResult,
    redis: redisResult,
    baseline: { what: "redis, one fenced commit round trip per event (batch size 1)", ...baseline },
    redisVsBaseline: ratio,
    targets,
    pass: memoryResult.eventsPerSec >= targets.memoryEventsPerSec && redisResult.eventsPerSec >= targets.redisEventsPerSec &&
      ratio >= targets.redisVsBaseline
  }
})

const result = await Effect.runPromise(program.pipe(Effect.provide(RedisReadStore.layerFromUrl({ url: redisUrl, keyPrefix }))))
console.log(JSON.stringify(result))
