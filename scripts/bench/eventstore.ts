/**
 * Event store benchmark: the embedded (PGlite) and PostgreSQL adapters against plain INSERTs
 * with the same driver, in the same run. Prints one JSON line per adapter.
 *
 *   npm run bench -- eventstore [--seconds 2] [--only embedded|postgres]
 *
 * Each figure alternates short slices of the adapter and of the baseline (4 each), so a load
 * swing on a shared machine hits both sides of a ratio alike. Baseline = plain parameterized
 * INSERTs of the same rows into a table of the same shape (same columns and unique keys), no
 * Keyframe code: one row per autocommitted statement, or 100 rows in one multi-row INSERT in
 * a transaction. The embedded baseline is PGlite made durable the same way as the adapter
 * (fsync on, DurableNodeFs.ts): both sides wait for the device.
 * Appends go to distinct new streams with the default expected revision ("any").
 * PostgreSQL: KEYFRAME_BENCH_POSTGRES_URL (default postgres://root@127.0.0.1:5432/test), a
 * fresh schema dropped at the end. Embedded: temporary directories, removed at the end.
 */
import { PGlite } from "@electric-sql/pglite"
import { Effect, Fiber, type Layer, ManagedRuntime, Stream } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import postgres from "postgres"
import { durablePgliteOptions } from "../../src/eventstore/embedded/DurableNodeFs.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore, type EventStoreShape } from "../../src/eventstore/EventStore.ts"
import type { NewEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
// the adapters as the server runs them: the hash chain on node:crypto (src/runtime/EventStoreLayer.ts)
import { nodeSha256Hex } from "../../src/runtime/NodeDigests.ts"

const { values: args } = parseArgs({ options: { seconds: { type: "string", default: "2" }, only: { type: "string" } } })
const PHASE_MS = Number(args.seconds) * 1000
const SLICES = 4
const PG_URL = process.env.KEYFRAME_BENCH_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test"
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const round = (n: number, digits = 0) => Number(n.toFixed(digits))

const payload = { title: "clip.mp4", size: 1_048_576, owner: "alice", tags: ["a", "b"] }
const event = (i: number): NewEvent => ({ type: "BenchHappened", data: { ...payload, i } })
const batchOf = (n: number) => Array.from({ length: n }, (_, i) => event(i))
let streamSeq = 0
const nextStream = () => `bench-${process.pid}x${++streamSeq}`

/** `op` from `concurrency` loops for `ms`: [operations, seconds]. */
const slice = async (ms: number, concurrency: number, op: () => Promise<unknown>): Promise<[number, number]> => {
  const started = performance.now()
  let done = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < started + ms) {
      await op()
      done++
    }
  }))
  return [done, (performance.now() - started) / 1000]
}

/** Operations per second of the adapter and of the baseline, in alternating slices. */
const compare = async (concurrency: number, adapterOp: () => Promise<unknown>, rawOp: () => Promise<unknown>) => {
  const totals = { adapter: { done: 0, seconds: 0 }, raw: { done: 0, seconds: 0 } }
  for (let i = 0; i < SLICES; i++) {
    for (const [side, op] of [["adapter", adapterOp], ["raw", rawOp]] as const) {
      const [done, seconds] = await slice(PHASE_MS / SLICES, concurrency, op)
      totals[side].done += done
      totals[side].seconds += seconds
    }
  }
  return { adapter: totals.adapter.done / totals.adapter.seconds, raw: totals.raw.done / totals.raw.seconds }
}

/** Reads a whole log in pages of 1,000, returns rows per second. */
const scan = async (page: (from: number) => Promise<ReadonlyArray<{ readonly position: unknown }>>) => {
  const started = performance.now()
  let rows = 0
  for (let from = 0; ;) {
    const got = await page(from)
    rows += got.length
    if (got.length < 1000) break
    from = Number(got[got.length - 1]!.position) + 1
  }
  return rows / ((performance.now() - started) / 1000)
}

/** Time from starting an append to a live subscriber receiving it, one event at a time. */
const subscriptionLatency = async (store: EventStoreShape, samples: number) => {
  const started = new Map<string, number>()
  const latencies: Array<number> = []
  const subscriber = Effect.runFork(
    store.subscribeToAll({ after: "end", filter: { streamPrefixes: ["latency-"] } }).pipe(
      Stream.take(samples),
      Stream.runForEach((e) => Effect.sync(() => latencies.push(performance.now() - started.get(e.stream)!)))
    )
  )
  await new Promise((r) => setTimeout(r, 200)) // let it reach the live phase
  for (let i = 0; i < samples; i++) {
    const stream = `latency-${process.pid}x${i}`
    started.set(stream, performance.now())
    await run(store.append(stream, [event(i)]))
    await new Promise((r) => setTimeout(r, 5))
  }
  const deadline = Date.now() + 10_000
  while (latencies.length < samples && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  await run(Fiber.interrupt(subscriber))
  const sorted = latencies.sort((a, b) => a - b)
  const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!, 2)
  return { p50: at(50), p99: at(99), samples: sorted.length }
}

/** The same shape of table as the adapter's events table. */
const rawTable = (table: string) => `CREATE TABLE ${table} (
  position bigserial PRIMARY KEY, stream text NOT NULL, revision bigint NOT NULL, id uuid NOT NULL,
  type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL,
  UNIQUE (stream, revision), UNIQUE (stream, id))`

/** Rows as the adapter stores them (metadata of the same shape and size, hashes not computed). */
const rawRows = (n: number) => {
  const stream = nextStream()
  const hex = "0123456789abcdef".repeat(4)
  return Array.from({ length: n }, (_, i) => [
    stream,
    i,
    crypto.randomUUID(),
    "BenchHappened",
    JSON.stringify({ ...payload, i }),
    JSON.stringify({ schemaVersion: 1, occurredAt: new Date().toISOString(), prevHash: hex, hash: hex }),
    new Date().toISOString()
  ]).flat()
}

const valuesSql = (table: string, n: number) =>
  `INSERT INTO ${table} (stream, revision, id, type, data, metadata, recorded_at) VALUES ` +
  Array.from({ length: n }, (_, r) => `(${Array.from({ length: 7 }, (_, c) => `$${r * 7 + c + 1}`).join(", ")})`).join(", ")

interface Baseline {
  readonly insertOne: () => Promise<unknown>
  readonly insertBatch: () => Promise<unknown>
  readonly readPage: (from: number) => Promise<ReadonlyArray<{ readonly position: unknown }>>
}

const openStore = async (layer: Layer.Layer<EventStore, unknown>) => {
  const runtime = ManagedRuntime.make(layer)
  return { store: await runtime.runPromise(EventStore.useSync((s) => s)), close: () => runtime.dispose() }
}

/** Every figure for one adapter and its baseline; one JSON line. */
const measure = async (adapter: string, store: EventStoreShape, raw: Baseline, extra: () => Promise<object>) => {
  await run(store.append(nextStream(), [event(0)])) // warm up both
  await raw.insertOne()
  const c1 = await compare(1, () => run(store.append(nextStream(), [event(1)])), raw.insertOne)
  const c16 = await compare(16, () => run(store.append(nextStream(), [event(1)])), raw.insertOne)
  const batch = await compare(1, () => run(store.append(nextStream(), batchOf(100))), raw.insertBatch)
  const readPage = (from: number) => run(store.readAll({ fromPosition: from, maxCount: 1000 }))
  const reads = { adapter: 0, raw: 0 }
  for (let i = 0; i < 2; i++) {
    reads.adapter += (await scan(readPage)) / 2
    reads.raw += (await scan(raw.readPage)) / 2
  }
  const latency = await subscriptionLatency(store, 200)
  const line = {
    bench: "eventstore",
    adapter,
    appendsPerSec: { c1: round(c1.adapter), c16: round(c16.adapter) },
    batch100EventsPerSec: round(100 * batch.adapter),
    readAllEventsPerSec: round(reads.adapter),
    subscriptionLatencyMs: latency,
    raw: {
      insertsPerSec: { c1: round(c1.raw), c16: round(c16.raw) },
      batch100RowsPerSec: round(100 * batch.raw),
      readRowsPerSec: round(reads.raw)
    },
    ratio: {
      appendC1: round(c1.adapter / c1.raw, 2),
      appendC16: round(c16.adapter / c16.raw, 2),
      batch100: round(batch.adapter / batch.raw, 2),
      readAll: round(reads.adapter / reads.raw, 2)
    },
    ...(await extra()),
    targets: {
      batchWithin1_5xOfRaw: batch.adapter / batch.raw >= 1 / 1.5,
      ...(adapter === "postgres" ? { appendsC16AtLeast2000: c16.adapter >= 2000 } : {})
    }
  }
  console.log(JSON.stringify(line))
}

const embedded = async () => {
  const dir = await mkdtemp(join(tmpdir(), "keyframe-bench-"))
  const { store, close } = await openStore(PgliteEventStore.layer({ dataDir: join(dir, "store"), sha256Hex: nodeSha256Hex }))
  const db = await PGlite.create(durablePgliteOptions(join(dir, "raw"), []))
  try {
    await db.exec(rawTable("raw_events"))
    const one = valuesSql("raw_events", 1)
    const hundred = valuesSql("raw_events", 100)
    await measure("embedded", store, {
      insertOne: () => db.query(one, rawRows(1)),
      insertBatch: () => db.transaction((tx) => tx.query(hundred, rawRows(100))),
      readPage: async (from) =>
        (await db.query<{ position: unknown }>("SELECT * FROM raw_events WHERE position >= $1 ORDER BY position LIMIT 1000", [from]))
          .rows
    }, async () => ({}))
  } finally {
    await close()
    await db.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Several store instances (as several processes would) appending on one schema, with and without the commit-order lock. */
const multiStore = async (schema: string, unorderedCommits: boolean) => {
  const stores = await Promise.all(
    Array.from({ length: 4 }, () => openStore(PostgresEventStore.layer({ url: PG_URL, schema, poolSize: 4, unorderedCommits, sha256Hex: nodeSha256Hex })))
  )
  try {
    let next = 0
    const [done, seconds] = await slice(PHASE_MS, 16, () => run(stores[next++ % stores.length]!.store.append(nextStream(), [event(1)])))
    return done / seconds
  } finally {
    await Promise.all(stores.map((s) => s.close()))
  }
}

const postgresBench = async () => {
  const schema = `kf_bench_${process.pid}`
  const sql = postgres(PG_URL, { max: 16, onnotice: () => {} })
  const { store, close } = await openStore(PostgresEventStore.layer({ url: PG_URL, schema, poolSize: 10, sha256Hex: nodeSha256Hex }))
  try {
    const table = `"${schema}".raw_events`
    await sql.unsafe(rawTable(table))
    const one = valuesSql(table, 1)
    const hundred = valuesSql(table, 100)
    await measure("postgres", store, {
      insertOne: () => sql.unsafe(one, rawRows(1) as Array<never>, { prepare: true }),
      insertBatch: () => sql.begin((tx) => tx.unsafe(hundred, rawRows(100) as Array<never>, { prepare: true })),
      readPage: (from) => sql.unsafe(`SELECT * FROM ${table} WHERE position >= $1 ORDER BY position LIMIT 1000`, [from], { prepare: true })
    }, async () => {
      const withLock = await multiStore(schema, false)
      const withoutLock = await multiStore(schema, true)
      // 4 stores on one schema, 16 appenders: what the commit-order lock costs (ratio < 1: it costs).
      return {
        orderingLock: {
          multiStoreAppendsPerSec: round(withLock),
          withoutLockAppendsPerSec: round(withoutLock),
          ratio: round(withLock / withoutLock, 2)
        }
      }
    })
  } finally {
    await close()
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
    await sql.end({ timeout: 5 })
  }
}

if (args.only === undefined || args.only === "embedded") await embedded()
if (args.only === undefined || args.only === "postgres") await postgresBench()
