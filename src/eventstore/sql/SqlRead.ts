/** The SQL event store's reads: one stream by revision, all streams by position (with a filter). */
import { Effect } from "effect"
import type { Direction, EventFilter, ReadCursor, RecordedEvent } from "../EventStoreTypes.ts"
import type { SqlError, SqlQueryable } from "./SqlDriver.ts"
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from "./SqlRows.ts"
import type { SqlTables } from "./SqlSchema.ts"

/** Larger than any revision or position; bigint holds it. */
export const END = Number.MAX_SAFE_INTEGER

/** A read cursor as a revision or position bound (both start at 0). */
export const boundOf = (from: ReadCursor): number => (from === "start" ? 0 : from === "end" ? END : from)

export const readStreamRows = (
  db: SqlQueryable,
  tables: SqlTables,
  stream: string,
  from: number,
  direction: Direction,
  maxCount: number | undefined
): Effect.Effect<ReadonlyArray<RecordedEvent>, SqlError> =>
  db.query<EventRow>(
    direction === "forwards"
      ? `SELECT ${EVENT_COLUMNS} FROM ${tables.events} WHERE stream = $1 AND revision >= $2 ORDER BY revision LIMIT $3`
      : `SELECT ${EVENT_COLUMNS} FROM ${tables.events} WHERE stream = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`,
    [stream, from, maxCount ?? null]
  ).pipe(Effect.map((rows) => rows.map(toRecordedEvent)))

/** Only the filter parts that are present go into the statement, so each shape keeps a simple plan. */
const filterSql = (filter: EventFilter | undefined, params: Array<unknown>): string => {
  let sql = ""
  if (filter?.streamPrefixes !== undefined && filter.streamPrefixes.length > 0) {
    params.push(JSON.stringify(filter.streamPrefixes))
    sql += ` AND EXISTS (SELECT 1 FROM jsonb_array_elements_text($${params.length}::text::jsonb) AS p(prefix)
                          WHERE starts_with(stream, p.prefix))`
  }
  if (filter?.eventTypes !== undefined && filter.eventTypes.length > 0) {
    params.push(JSON.stringify(filter.eventTypes))
    sql += ` AND type IN (SELECT jsonb_array_elements_text($${params.length}::text::jsonb))`
  }
  return sql
}

export const readAllRows = (
  db: SqlQueryable,
  tables: SqlTables,
  from: number,
  direction: Direction,
  maxCount: number | undefined,
  filter: EventFilter | undefined
): Effect.Effect<ReadonlyArray<RecordedEvent>, SqlError> => {
  const params: Array<unknown> = [from, maxCount ?? null]
  const where = filterSql(filter, params)
  return db.query<EventRow>(
    direction === "forwards"
      ? `SELECT ${EVENT_COLUMNS} FROM ${tables.events} WHERE position >= $1${where} ORDER BY position LIMIT $2`
      : `SELECT ${EVENT_COLUMNS} FROM ${tables.events} WHERE position <= $1${where} ORDER BY position DESC LIMIT $2`,
    params
  ).pipe(Effect.map((rows) => rows.map(toRecordedEvent)))
}

/**
 * The page a subscription to all reads: the next `window` events after `after` in position
 * order (the primary key, whatever the planner knows of the table), of which those that pass
 * the filter. A filtered subscription thus moves on past events it does not want instead of
 * scanning them again at every wake-up, and each read does bounded work.
 */
export const readAllPage = (
  db: SqlQueryable,
  tables: SqlTables,
  after: number,
  window: number,
  filter: EventFilter | undefined
): Effect.Effect<{ readonly events: ReadonlyArray<RecordedEvent>; readonly scannedTo: number; readonly more: boolean }, SqlError> => {
  const params: Array<unknown> = [after, window]
  const where = filterSql(filter, params)
  return db.query<EventRow & { scanned: unknown; n: unknown }>(
    `WITH scan AS MATERIALIZED (
       SELECT ${EVENT_COLUMNS} FROM ${tables.events} WHERE position > $1 ORDER BY position LIMIT $2)
     SELECT (SELECT max(position) FROM scan) AS scanned, (SELECT count(*) FROM scan) AS n, kept.*
       FROM (SELECT 1) AS one LEFT JOIN (SELECT * FROM scan WHERE true${where}) AS kept ON true
      ORDER BY kept.position`,
    params
  ).pipe(Effect.map((rows) => ({
    events: rows.filter((r) => r.position !== null).map(toRecordedEvent),
    scannedTo: rows[0]?.scanned == null ? after : Number(rows[0].scanned),
    more: Number(rows[0]?.n ?? 0) >= window
  })))
}

export const headPositionOf = (db: SqlQueryable, tables: SqlTables): Effect.Effect<number, SqlError> =>
  db.query<{ head: unknown }>(`SELECT coalesce(max(position), 0) AS head FROM ${tables.events}`).pipe(
    Effect.map((rows) => Number(rows[0]?.head ?? 0))
  )

/** The stream's last revision, or -1 when it does not exist. */
export const streamRevisionOf = (db: SqlQueryable, tables: SqlTables, stream: string): Effect.Effect<number, SqlError> =>
  db.query<{ revision: unknown }>(`SELECT revision FROM ${tables.streams} WHERE stream = $1`, [stream]).pipe(
    Effect.map((rows) => (rows.length === 0 ? -1 : Number(rows[0]!.revision)))
  )
