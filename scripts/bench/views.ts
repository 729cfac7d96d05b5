/**
 * Benchmark: ViewCounted ingestion into the engagement read model, PostgreSQL event store → Redis read
 * store, with a baseline measured in the same run: the same runner committing once per event (batch 1).
 *
 * Method: N ViewCounted events are appended to a fresh PostgreSQL schema the way the View aggregate
 * writes them: one stream per (video, viewer), `view-<videoId>.<viewerKey>`, each append with expected
 * revision no_stream, 64 appends in flight (group commit). Views are spread over VIDEOS videos with a
 * skewed popularity (a fifth of all views go to the 5 most popular), so some count documents are hot.
 * Then the real SlotRunner folds the engagement projection from the store's catch-up subscription into
 * Redis (batches of 500: one getMany + one atomic Lua commit with the checkpoint per batch) and the time
 * until it has caught up with the head gives events/s. The baseline runs the same runner with batch size 1
 * until it has folded the first BASELINE events. The result is checked: every video's count equals the
 * views appended for it. Prints one JSON line.
 *
 * Use: node scripts/bench/views.ts [events=50000] [videos=500]
 *   (KEYFRAME_BENCH_POSTGRES_URL=postgres://root@127.0.0.1:5432/test, REDIS_URL=redis://127.0.0.1:6379)
 */
import { Effect, Layer, Logger } from "effect"
import postgres from "postgres"
import type { VideoCountsDoc } from "../../projections/EngagementDocuments.ts"
import { EngagementProjection } from "../../projections/EngagementProjection.ts"
import { startSlotRunner } from "../../projections/SlotRunner.ts"
import { ViewEventCodec } from "../../src/domain/view/ViewAggregate.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { ReadStore } from "../../src/readstore/ReadStore.ts"
import { RedisReadStore } from "../../src/readstore/redis/RedisReadStore.ts"
import type { Slot } from "../../src/readstore/ReadStoreTypes.ts"
import { userKey } from "../../src/videos/EngagementCommandIds.ts"

const N = Number(process.argv[2] ?? 50_000)
const VIDEOS = Number(process.argv[3] ?? 500)
const BASELINE = Math.min(N, 3_000)
const BATCH = 500
const APPENDS_IN_FLIGHT = 64
const PG_URL = process.env.KEYFRAME_BENCH_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test"
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const run = crypto.randomUUID().replaceAll("-", "").slice(0, 8)
const schema = `kfbench_views_${run}`
const keyPrefix = `kfbench:${run}:`

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

/** Deterministic skew: the first 5 videos share a fifth of the views, the rest are uniform. */
const videoOf = (i: number) => {
  const r = ((i * 2_654_435_761) >>> 0) / 2 ** 32
  return r < 0.2 ? `bv${i % 5}` : `bv${5 + (i % Math.max(1, VIDEOS - 5))}`
}

const slotOf = (name: string): Slot => ({ projection: `bench-views-${name}`, version: 1, generation: 0 })

const program = Effect.gen(function*() {
  const events = yield* EventStore
  const store = yield* ReadStore
  const expected = new Map<string, number>()
  const t0 = performance.now()
  let head = 0
  yield* Effect.forEach(
    Array.from({ length: N }, (_, i) => i),
    (i) => {
      const videoId = videoOf(i)
      expected.set(videoId, (expected.get(videoId) ?? 0) + 1)
      const viewerKey = userKey(`viewer-${i}`)
      const encoded = ViewEventCodec.encode({ _tag: "ViewCounted", videoId, viewerKey, sessionId: `s${i}`, watchedSeconds: 10 + (i % 300), at: Date.now() })
      return Effect.map(
        events.append(`view-${videoId}.${viewerKey}`, [{ type: encoded.type, data: encoded.data, metadata: { schemaVersion: encoded.schemaVersion } }], { expectedRevision: "no_stream" }),
        (r) => void (head = Math.max(head, r.position))
      )
    },
    { concurrency: APPENDS_IN_FLIGHT, discard: true }
  )
  const seedSeconds = (performance.now() - t0) / 1000

  const fold = (name: string, batchSize: number, until: number) =>
    Effect.scoped(Effect.gen(function*() {
      const started = performance.now()
      const runner = yield* startSlotRunner(EngagementProjection, slotOf(name), { batchSize, probeInterval: "20 millis" })
      yield* runner.waitFor(until, "600 seconds")
      const seconds = (performance.now() - started) / 1000
      yield* runner.stop
      return seconds
    }))

  // a short warm-up into a throwaway slot, so the fold and the adapters are compiled before timing
  const firstPositions = yield* events.readAll({ maxCount: BASELINE })
  yield* fold("warmup", BATCH, firstPositions.at(-1)!.position)
  const seconds = yield* fold("redis", BATCH, head)
  const baselineSeconds = yield* fold("baseline", 1, firstPositions.at(-1)!.position)

  const ids = [...expected.keys()]
  const docs = yield* store.getMany(slotOf("redis"), "video", ids)
  ids.forEach((id, i) => {
    const got = (docs[i] as VideoCountsDoc | undefined)?.views
    if (got !== expected.get(id)) throw new Error(`video ${id}: ${got} views folded, ${expected.get(id)} appended`)
  })
  for (const name of ["warmup", "redis", "baseline"]) yield* store.drop(slotOf(name))

  const eventsPerSec = Math.round(N / seconds)
  const baselinePerSec = Math.round(firstPositions.length / baselineSeconds)
  const target = 20_000
  return {
    bench: "views",
    method: "ViewCounted events appended to PostgreSQL (one stream per video+viewer, no_stream), then the real SlotRunner folds the engagement projection from the store's subscription into Redis; verified per video",
    events: N,
    videos: expected.size,
    streams: N,
    seed: { seconds: round(seedSeconds, 2), appendsPerSec: Math.round(N / seedSeconds), appendsInFlight: APPENDS_IN_FLIGHT },
    redis: { batchSize: BATCH, seconds: round(seconds, 3), eventsPerSec },
    baseline: { what: "the same runner, one fenced commit per event (batch size 1)", events: firstPositions.length, seconds: round(baselineSeconds, 3), eventsPerSec: baselinePerSec },
    vsBaseline: round(eventsPerSec / baselinePerSec),
    target: { eventsPerSec: target },
    pass: eventsPerSec >= target
  }
})

const layers = Layer.mergeAll(
  PostgresEventStore.layer({ url: PG_URL, schema }),
  RedisReadStore.layerFromUrl({ url: redisUrl, keyPrefix })
).pipe(Layer.provideMerge(Logger.layer([])))

try {
  const result = await Effect.runPromise(program.pipe(Effect.provide(layers)))
  console.log(JSON.stringify(result))
} finally {
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {} })
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
  await sql.end({ timeout: 5 })
}
