/** What both append paths share: requests, outcomes, stream heads, and chaining events onto a head. */
import { Effect } from "effect"
import type { DuplicateEventId, EventStoreUnavailable, WrongExpectedRevision } from "../EventStoreError.ts"
import type { AppendResult, ExpectedRevision, RecordedEvent } from "../EventStoreTypes.ts"
import type { ValidatedEvent } from "../EventValidation.ts"
import { GENESIS_HASH, linkMetadata, type TextSha256 } from "../HashChain.ts"
import type { SqlError, SqlQueryable } from "./SqlDriver.ts"
import type { SqlTables } from "./SqlSchema.ts"

export interface AppendRequest {
  readonly stream: string
  readonly events: ReadonlyArray<ValidatedEvent>
  readonly expected: ExpectedRevision
  /** The caller's clock at append (ISO): default occurredAt, and recordedAt. */
  readonly now: string
}

/** A stream's last event: its revision and hash. */
export interface Head {
  readonly revision: number
  readonly hash: string
}

export type AppendOutcome =
  /** `head` is the stream's new head when this append wrote (absent for an idempotent replay). */
  | { readonly _tag: "Written"; readonly result: AppendResult; readonly head?: Head }
  | { readonly _tag: "Rejected"; readonly error: WrongExpectedRevision | DuplicateEventId }
  /** This append alone failed: the database refused it, or failed once others of its batch had committed. */
  | { readonly _tag: "Failed"; readonly error: EventStoreUnavailable }

/** An append chained onto a head, not yet positioned. `index` is its place in the batch. */
export interface Planned {
  readonly index: number
  /** The head it was chained onto (undefined: a new stream). */
  readonly head: Head | undefined
  readonly events: ReadonlyArray<Omit<RecordedEvent, "position">>
}

export const expectedAllows = (expected: ExpectedRevision, head: Head | undefined): boolean =>
  expected === "any" ||
  (expected === "no_stream" && head === undefined) ||
  (expected === "stream_exists" && head !== undefined) ||
  (typeof expected === "number" && head?.revision === expected)

/** Gives each event its revision and its link in the stream's hash chain, from the head. */
export const chain = (index: number, request: AppendRequest, head: Head | undefined, sha256Hex?: TextSha256): Planned => {
  let prevHash = head?.hash ?? GENESIS_HASH
  let revision = head?.revision ?? -1
  const events: Array<Omit<RecordedEvent, "position">> = []
  for (const event of request.events) {
    // linkMetadata is chainMetadata without the Effect: this loop runs for every event appended.
    const metadata = linkMetadata(prevHash, event.type, event.data, {
      ...event.metadata,
      occurredAt: event.metadata.occurredAt ?? request.now
    }, sha256Hex)
    revision++
    prevHash = metadata.hash
    events.push({
      id: event.id,
      stream: request.stream,
      revision,
      type: event.type,
      data: event.data,
      metadata,
      recordedAt: request.now
    })
  }
  return { index, head, events }
}

/** The JSON parameter the insert statements read with jsonb_to_recordset (one object per event). */
export const eventRowsJson = (planned: ReadonlyArray<Planned>): string => {
  const rows: Array<unknown> = []
  for (const plan of planned) {
    for (const e of plan.events) {
      rows.push({ o: rows.length, s: e.stream, r: e.revision, i: e.id, t: e.type, d: e.data, m: e.metadata, at: e.recordedAt })
    }
  }
  return JSON.stringify(rows)
}

/** Column list matching eventRowsJson; `d` may be JSON null, which jsonb_to_recordset turns into SQL NULL. */
export const EVENT_RECORDSET = "jsonb_to_recordset($1::text::jsonb) AS x(o int, s text, r bigint, i uuid, t text, d jsonb, m jsonb, at timestamptz)"
export const EVENT_SELECT = "s, r, i, t, coalesce(d, 'null'::jsonb), m, at"

/**
 * What the insert statements return: per stream, its first and last new position and how
 * many rows it got (one row per append instead of one per event: cheaper, above all on PGlite).
 */
export const INSERTED_SUMMARY = "stream, min(position) AS first, max(position) AS last, count(*) AS n"

export interface InsertedRange {
  readonly first: number
  readonly last: number
  readonly count: number
}

export const insertedRanges = (rows: ReadonlyArray<Record<string, unknown>>): ReadonlyMap<string, InsertedRange> =>
  new Map(rows.map((r) => [String(r.stream), { first: Number(r.first), last: Number(r.last), count: Number(r.n) }]))

/**
 * Positions follow insertion order, and one statement's draws are consecutive when nobody
 * else draws from the sequence meanwhile (the commit-order lock, or PGlite's single client):
 * then the k-th event of an append is at first + k. False when a range has holes.
 */
export const rangesAreDense = (ranges: ReadonlyMap<string, InsertedRange>): boolean =>
  [...ranges.values()].every((r) => r.last - r.first + 1 === r.count)

/** The outcome of a planned append once written; undefined if its events were not inserted. */
export const writtenOutcome = (
  plan: Planned,
  positionOf: (stream: string, revision: number) => number | undefined
): AppendOutcome | undefined => {
  const events: Array<RecordedEvent> = []
  for (const e of plan.events) {
    const position = positionOf(e.stream, e.revision)
    if (position === undefined) return undefined
    events.push({ ...e, position })
  }
  const last = events[events.length - 1]!
  return {
    _tag: "Written",
    result: { events, nextRevision: last.revision, position: last.position },
    head: { revision: last.revision, hash: last.metadata.hash }
  }
}

/** Where each planned event landed, from the inserted ranges (asking the table when a range has holes). */
export const locate = (
  db: SqlQueryable,
  tables: SqlTables,
  planned: ReadonlyArray<Planned>,
  ranges: ReadonlyMap<string, InsertedRange>
): Effect.Effect<(stream: string, revision: number) => number | undefined, SqlError> => {
  if (rangesAreDense(ranges)) {
    const firstRevision = new Map(planned.map((p) => [p.events[0]!.stream, p.events[0]!.revision]))
    return Effect.succeed((stream, revision) => {
      const range = ranges.get(stream)
      return range === undefined ? undefined : range.first + revision - firstRevision.get(stream)!
    })
  }
  const all = [...ranges.values()]
  return db.query<{ position: unknown; stream: string; revision: unknown }>(
    `SELECT position, stream, revision FROM ${tables.events} WHERE position BETWEEN $1 AND $2`,
    [Math.min(...all.map((r) => r.first)), Math.max(...all.map((r) => r.last))]
  ).pipe(Effect.map((rows) => {
    const positions = new Map(rows.map((r) => [`${Number(r.revision)}:${r.stream}`, Number(r.position)]))
    return (stream, revision) => (ranges.has(stream) ? positions.get(`${revision}:${stream}`) : undefined)
  }))
}
