/**
 * The speculative append path: one statement, no prior read. Each append is chained onto the
 * head this process believes the stream has (from HeadCache, or "new stream" when unknown),
 * and the statement moves a stream's head only if it is still that one: a conditional upsert
 * on the heads table, the same row the locked path locks. Events are inserted only for the
 * streams whose head moved, so a wrong guess writes nothing for that append and it goes the
 * locked way (SqlAppend.ts). Ids written before make the statement fail on the (stream, id)
 * key: the whole batch then goes the locked way, which recognizes replays.
 */
import { Effect } from "effect"
import type { SqlDriver, SqlError } from "./SqlDriver.ts"
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
import type { SqlTables } from "./SqlSchema.ts"
import type { TextSha256 } from "../HashChain.ts"

/** The head to speculate on for this request, or "locked" when only the locked path can decide. */
export const guessHead = (request: AppendRequest, cached: Head | undefined): Head | undefined | "locked" => {
  if (cached !== undefined) return expectedAllows(request.expected, cached) ? cached : "locked"
  // Unknown stream: guess it is new; only an append that accepts a new stream may guess so.
  return request.expected === "any" || request.expected === "no_stream" ? undefined : "locked"
}

/** Outcomes in request order; undefined where the guess was wrong (retry on the locked path). */
export const appendSpeculative = (
  driver: SqlDriver,
  tables: SqlTables,
  requests: ReadonlyArray<AppendRequest>,
  heads: ReadonlyArray<Head | undefined>,
  sha256Hex?: TextSha256
): Effect.Effect<ReadonlyArray<AppendOutcome | undefined>, SqlError> =>
  Effect.gen(function*() {
    const planned: Array<Planned> = requests.map((request, i) => chain(i, request, heads[i], sha256Hex))
    const rows = yield* driver.query(statement(driver, tables), [eventRowsJson(planned), guardsJson(planned)])
    const positionOf = yield* locate(driver, tables, planned, insertedRanges(rows))
    return planned.map((plan) => writtenOutcome(plan, positionOf))
  })

const guardsJson = (planned: ReadonlyArray<Planned>) =>
  JSON.stringify(planned.map((p) => {
    const last = p.events[p.events.length - 1]!
    return { s: last.stream, p: p.head?.revision ?? -1, r: last.revision, h: last.metadata.hash }
  }))

/**
 * One autocommitted statement. `moved` upserts the heads whose current revision is the guessed
 * one (-1: no row); the commit-order lock is taken after it (heads, then the lock: the locked
 * path's order too) and before positions are drawn; events go in only for moved streams.
 */
const statement = (driver: SqlDriver, tables: SqlTables): string => {
  const lock = driver.commitOrderLock
  const notify = driver.notifyOnCommit
  return `WITH
    guess AS (SELECT * FROM jsonb_to_recordset($2::text::jsonb) AS y(s text, p bigint, r bigint, h text)),
    moved AS (
      INSERT INTO ${tables.streams} AS h (stream, revision, last_hash)
      SELECT s, r, h FROM guess ORDER BY s
      ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash
        WHERE h.revision = (SELECT g.p FROM guess g WHERE g.s = excluded.stream)
      RETURNING stream),
    ${lock === undefined ? "" : `ordering AS MATERIALIZED (SELECT ${lock} FROM (SELECT count(*) FROM moved) AS m),`}
    inserted AS (
      INSERT INTO ${tables.events} (stream, revision, id, type, data, metadata, recorded_at)
      SELECT ${EVENT_SELECT} FROM ${EVENT_RECORDSET}${lock === undefined ? "" : ", ordering"}
       WHERE x.s IN (SELECT stream FROM moved) ORDER BY o
      RETURNING stream, position)
    ${notify === undefined ? "" : `, notify AS MATERIALIZED (SELECT ${notify})`}
    SELECT ${INSERTED_SUMMARY} FROM inserted${notify === undefined ? "" : ", notify"} GROUP BY stream`
}
