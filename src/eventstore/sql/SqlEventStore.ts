/**
 * The event store over SQL (PostgreSQL and PGlite share it; each adapter brings a SqlDriver).
 *
 * Appends go through group commit (GroupCommit.ts) to AppendWriter.ts: a one-statement
 * speculative path (SpeculativeAppend.ts), then the locked path (SqlAppend.ts) for the rest.
 *
 * Out-of-order commits (DESIGN.md §5). Positions come from a sequence when rows are inserted,
 * but concurrent transactions may commit in another order: a reader that saw position 11
 * committed while 10 was still in flight would move past 10 for good. We take the "assign
 * global positions in one serialized step" answer: every appending statement takes a
 * transaction-scoped lock (the driver's `commitOrderLock`) right before it draws positions,
 * held until commit, so positions become visible in increasing order and every snapshot sees
 * a prefix of the log. Why not the transaction-id horizon alone
 * (`tx_id < pg_snapshot_xmin(pg_current_snapshot())`)? It is exact for the order
 * (transaction id, position), not for position order: a transaction with a lower id can hold
 * a higher position, so a position cursor can still skip; and every reader stalls behind any
 * long writing transaction anywhere in the cluster (xmin is cluster-wide). The lock
 * serializes appending commits; group commit wins that back (one transaction carries many
 * appends). The benchmark measures it (`orderingLock`: several stores on one schema, with
 * and without the lock).
 *
 * readAll needs no horizon either: committed rows form a prefix, so paging by position never
 * skips, and an append that returned is visible to the next read.
 */
import { Clock, type Duration, Effect, Option, type Scope } from "effect"
import { type EventStoreShape, makeEventStore, type RawEventStore } from "../EventStore.ts"
import type { EventStoreUnavailable } from "../EventStoreError.ts"
import { makeGroupCommit } from "./GroupCommit.ts"
import { makeAppendWriter } from "./AppendWriter.ts"
import { type SqlDriver, type SqlError, unavailable } from "./SqlDriver.ts"
import { boundOf, headPositionOf, readAllPage, readAllRows, readStreamRows, streamRevisionOf } from "./SqlRead.ts"
import { migrate, sqlTables } from "./SqlSchema.ts"
import { makeStatistics } from "./SqlStatistics.ts"
import { catchUp, DEFAULT_POLL_INTERVAL } from "./SqlSubscription.ts"
import { Signal } from "./Signal.ts"
import type { TextSha256 } from "../HashChain.ts"

export interface SqlEventStoreOptions {
  /** The PostgreSQL schema holding the tables. */
  readonly schema: string
  /** Appending transactions in flight at once (group commit workers). */
  readonly appendWorkers?: number
  /** Events per appending transaction. */
  readonly maxBatchEvents?: number
  /** Subscriptions' safety-net poll when no wake-up arrives. */
  readonly pollInterval?: Duration.Input
  /** The hash chain's SHA-256 (HashChain.ts); default the portable one. */
  readonly sha256Hex?: TextSha256 | undefined
}

const PAGE_SIZE = 500

/** Builds the store on a driver: creates or migrates the schema, starts group commit and the wake-ups. */
export const makeSqlEventStore = (
  driver: SqlDriver,
  options: SqlEventStoreOptions
): Effect.Effect<EventStoreShape, EventStoreUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const tables = sqlTables(options.schema)
    yield* migrate(driver, tables).pipe(Effect.mapError(unavailable))
    const signal = new Signal()
    yield* driver.onRemoteCommit(() => signal.notify()).pipe(Effect.mapError(unavailable))
    const pollInterval = options.pollInterval ?? DEFAULT_POLL_INTERVAL

    const writer = makeAppendWriter(driver, tables, options.sha256Hex)
    const statistics = yield* makeStatistics(driver, tables)
    const groupCommit = yield* makeGroupCommit({
      write: (batch) =>
        writer.write(batch).pipe(
          Effect.tap((outcomes) => statistics.written(outcomes)),
          Effect.mapError(unavailable)
        ),
      onCommitted: () => signal.notify(),
      workers: options.appendWorkers ?? 1,
      maxBatchEvents: options.maxBatchEvents ?? 2000
    })

    const db = <A>(effect: Effect.Effect<A, SqlError>) => Effect.mapError(effect, unavailable)

    // Inputs arrive checked, defaults filled in (makeEventStore).
    const raw: RawEventStore = {
      kind: driver.kind,

      append: (request) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => groupCommit.submit({ ...request, now: new Date(now).toISOString() })),

      readStream: (stream, { direction, from, maxCount }) =>
        db(readStreamRows(driver, tables, stream, boundOf(from), direction, maxCount)).pipe(
          Effect.map((events) => {
            // A forwards read that ran out reached the head: the next append can skip reading it.
            const last = events[events.length - 1]
            if (direction === "forwards" && last !== undefined && (maxCount === undefined || events.length < maxCount)) {
              writer.observe(stream, { revision: last.revision, hash: last.metadata.hash })
            }
            return events
          })
        ),

      readAll: ({ direction, filter, from, maxCount }) =>
        db(readAllRows(driver, tables, boundOf(from), direction, maxCount, filter)),

      subscribeToAll: ({ after, filter }) =>
        catchUp({
          signal,
          pollInterval,
          pageSize: PAGE_SIZE,
          start: after === "end" ? raw.headPosition : Effect.succeed(after === "start" ? 0 : after),
          readAfter: (cursor, pageSize) => db(readAllPage(driver, tables, cursor, pageSize, filter)),
          cursorOf: (event) => event.position
        }),

      subscribeToStream: (stream, after) =>
        catchUp({
          signal,
          pollInterval,
          pageSize: PAGE_SIZE,
          start: after === "end"
            ? db(streamRevisionOf(driver, tables, stream))
            : Effect.succeed(after === "start" ? -1 : after),
          readAfter: (cursor, pageSize) =>
            db(readStreamRows(driver, tables, stream, cursor + 1, "forwards", pageSize)).pipe(Effect.map((events) => ({ events }))),
          cursorOf: (event) => event.revision
        }),

      headPosition: db(headPositionOf(driver, tables)),

      readCheckpoint: (name) =>
        db(driver.query<{ position: unknown }>(`SELECT position FROM ${tables.checkpoints} WHERE name = $1`, [name])).pipe(
          Effect.map((rows) => (rows.length === 0 ? Option.none<number>() : Option.some(Number(rows[0]!.position))))
        ),

      storeCheckpoint: (name, position) =>
        db(driver.query(
          `INSERT INTO ${tables.checkpoints} (name, position) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`,
          [name, position]
        )).pipe(Effect.asVoid),

      ping: db(driver.query("SELECT 1")).pipe(Effect.asVoid)
    }
    return makeEventStore(raw)
  })
