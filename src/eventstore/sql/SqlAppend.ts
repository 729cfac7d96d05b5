/**
 * The locked append path: lock the stream heads, find retried ids, check each append, then
 * write all that pass in one statement. It decides every case (idempotent replays, conflicts);
 * SpeculativeAppend.ts is the shortcut for the common ones.
 */
import { Effect } from "effect"
import { DuplicateEventId, WrongExpectedRevision } from "../EventStoreError.ts"
import type { RecordedEvent } from "../EventStoreTypes.ts"
import type { SqlDriver, SqlError, SqlQueryable, SqlStatement } from "./SqlDriver.ts"
import {
  type AppendOutcome,
  type AppendRequest,
  chain,
  EVENT_RECORDSET,
  EVENT_SELECT,
  eventRowsJson,
  expectedAllows,
  type Head,
  INSERTED_SUMMARY,
  insertedRanges,
  locate,
  type Planned,
  writtenOutcome
} from "./SqlAppendPlan.ts"
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from "./SqlRows.ts"
import type { SqlTables } from "./SqlSchema.ts"
import type { TextSha256 } from "../HashChain.ts"

/**
 * Appends a batch atomically. Each append is checked on its own (idempotency first, then the
 * expected revision) against its locked stream head, so a rejected append writes nothing and
 * does not disturb the others. Streams must be distinct within a batch.
 */
export const appendLocked = (
  driver: SqlDriver,
  tables: SqlTables,
  requests: ReadonlyArray<AppendRequest>,
  sha256Hex?: TextSha256
): Effect.Effect<ReadonlyArray<AppendOutcome>, SqlError> =>
  driver.readThenWrite(
    (tx) => plan(tables, tx, requests, sha256Hex),
    (batch) => (batch.planned.length === 0 ? undefined : insertStatement(driver, tables, batch.planned))
  ).pipe(Effect.flatMap(({ plan: batch, rows }) =>
    locate(driver, tables, batch.planned, insertedRanges(rows)).pipe(Effect.map((positionOf) => {
      const outcomes = [...batch.outcomes]
      for (const planned of batch.planned) outcomes[planned.index] = writtenOutcome(planned, positionOf)
      return outcomes as ReadonlyArray<AppendOutcome>
    }))
  ))

interface BatchPlan {
  /** Decided outcomes; undefined where the append is planned for writing. */
  readonly outcomes: ReadonlyArray<AppendOutcome | undefined>
  readonly planned: ReadonlyArray<Planned>
}

const plan = (tables: SqlTables, tx: SqlQueryable, requests: ReadonlyArray<AppendRequest>, sha256Hex: TextSha256 | undefined) =>
  Effect.gen(function*() {
    const heads = yield* lockHeads(tables, tx, requests.map((r) => r.stream))
    const written = yield* findWrittenIds(tables, tx, requests.filter((r) => heads.has(r.stream)))
    const outcomes: Array<AppendOutcome | undefined> = []
    const planned: Array<Planned> = []
    for (let index = 0; index < requests.length; index++) {
      const request = requests[index]!
      const head = heads.get(request.stream)
      const decision = check(request, head, written.get(request.stream) ?? [])
      outcomes.push(decision)
      if (decision === undefined) planned.push(chain(index, request, head, sha256Hex))
    }
    return { outcomes, planned } satisfies BatchPlan as BatchPlan
  })

/** Locks the heads of the streams that exist (sorted, so concurrent batches lock in one order). */
const lockHeads = (tables: SqlTables, tx: SqlQueryable, streams: ReadonlyArray<string>) =>
  tx.query<{ stream: string; revision: unknown; last_hash: string }>(
    `SELECT stream, revision, last_hash FROM ${tables.streams}
      WHERE stream IN (SELECT jsonb_array_elements_text($1::text::jsonb))
      ORDER BY stream FOR UPDATE`,
    [JSON.stringify(streams)]
  ).pipe(
    Effect.map((rows) => new Map(rows.map((r): [string, Head] => [r.stream, { revision: Number(r.revision), hash: r.last_hash }])))
  )

/** Events already in these (existing) streams whose ids the appends carry again, in revision order. */
const findWrittenIds = (tables: SqlTables, tx: SqlQueryable, requests: ReadonlyArray<AppendRequest>) => {
  if (requests.length === 0) return Effect.succeed(new Map<string, ReadonlyArray<RecordedEvent>>())
  const keys = requests.flatMap((r) => r.events.map((e) => ({ stream: r.stream, id: e.id })))
  return tx.query<EventRow>(
    `SELECT ${EVENT_COLUMNS.split(", ").map((c) => `e.${c}`).join(", ")}
       FROM ${tables.events} e
       JOIN jsonb_to_recordset($1::text::jsonb) AS k(stream text, id uuid) ON e.stream = k.stream AND e.id = k.id
      ORDER BY e.stream, e.revision`,
    [JSON.stringify(keys)]
  ).pipe(Effect.map((rows) => {
    const byStream = new Map<string, Array<RecordedEvent>>()
    for (const row of rows) {
      const event = toRecordedEvent(row)
      const list = byStream.get(event.stream) ?? []
      list.push(event)
      byStream.set(event.stream, list)
    }
    return byStream as Map<string, ReadonlyArray<RecordedEvent>>
  }))
}

/** An outcome decided before writing (idempotent replay or rejection), or undefined to go ahead. */
const check = (
  request: AppendRequest,
  head: Head | undefined,
  written: ReadonlyArray<RecordedEvent>
): AppendOutcome | undefined => {
  if (written.length > 0) {
    const isReplay = written.length === request.events.length &&
      written.every((e, i) =>
        e.id === request.events[i]!.id &&
        e.type === request.events[i]!.type &&
        e.revision === written[0]!.revision + i
      )
    if (isReplay) {
      const last = written[written.length - 1]!
      return { _tag: "Written", result: { events: written, nextRevision: last.revision, position: last.position } }
    }
    const seen = new Set(written.map((e) => e.id))
    const first = request.events.find((e) => seen.has(e.id))!
    return { _tag: "Rejected", error: new DuplicateEventId({ stream: request.stream, eventId: first.id }) }
  }
  return expectedAllows(request.expected, head) ? undefined : {
    _tag: "Rejected",
    error: new WrongExpectedRevision({ stream: request.stream, expected: request.expected, actual: head?.revision ?? "no_stream" })
  }
}

/**
 * Writes the planned events and moves the stream heads in one statement: heads first, then
 * (PostgreSQL) the commit-order lock, taken just before positions are drawn from the sequence
 * so that positions become visible in increasing order (see SqlEventStore.ts). The
 * speculative path takes its locks in the same order.
 */
const insertStatement = (driver: SqlDriver, tables: SqlTables, planned: ReadonlyArray<Planned>): SqlStatement => {
  const heads = planned.map((p) => {
    const last = p.events[p.events.length - 1]!
    return { s: last.stream, r: last.revision, h: last.metadata.hash }
  })
  const lock = driver.commitOrderLock
  const notify = driver.notifyOnCommit
  const text = `WITH
    heads AS (
      INSERT INTO ${tables.streams} (stream, revision, last_hash)
      SELECT s, r, h FROM jsonb_to_recordset($2::text::jsonb) AS y(s text, r bigint, h text) ORDER BY s
      ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash
      RETURNING stream),
    ${lock === undefined ? "" : `ordering AS MATERIALIZED (SELECT ${lock} FROM (SELECT count(*) FROM heads) AS m),`}
    inserted AS (
      INSERT INTO ${tables.events} (stream, revision, id, type, data, metadata, recorded_at)
      SELECT ${EVENT_SELECT} FROM ${EVENT_RECORDSET}${lock === undefined ? "" : ", ordering"} ORDER BY o
      RETURNING stream, position)
    ${notify === undefined ? "" : `, notify AS MATERIALIZED (SELECT ${notify})`}
    SELECT ${INSERTED_SUMMARY} FROM inserted${notify === undefined ? "" : ", notify"} GROUP BY stream`
  return { text, params: [eventRowsJson(planned), JSON.stringify(heads)] }
}
