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
import { Clock, type Duration, Effect, Option, type Scope, Stream } from "effect"
import type { EventStoreShape } from "../EventStore.ts"
import { type EventStoreError, type EventStoreUnavailable, InvalidArgument } from "../EventStoreError.ts"
import type {
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  SubscribeToStreamOptions
} from "../EventStoreTypes.ts"
import {
  validateCheckpointName,
  validateCursor,
  validateAppend,
  validateMaxCount,
  validateStreamName
} from "../EventValidation.ts"
import { makeGroupCommit } from "./GroupCommit.ts"
import { makeAppendWriter } from "./AppendWriter.ts"
import { type SqlDriver, type SqlError, unavailable } from "./SqlDriver.ts"
import {
  END,
  headPositionOf,
  readAllPage,
  readAllRows,
  readStreamRows,
  streamRevisionOf,
  validateFilter
} from "./SqlRead.ts"
import { migrate, sqlTables } from "./SqlSchema.ts"
import { makeStatistics } from "./SqlStatistics.ts"
import { catchUp, DEFAULT_POLL_INTERVAL } from "./SqlSubscription.ts"
import { Signal } from "./Signal.ts"

export interface SqlEventStoreOptions {
  /** The PostgreSQL schema holding the tables. */
  readonly schema: string
  /** Appending transactions in flight at once (group commit workers). */
  readonly appendWorkers?: number
  /** Events per appending transaction. */
  readonly maxBatchEvents?: number
  /** Subscriptions' safety-net poll when no wake-up arrives. */
  readonly pollInterval?: Duration.Input
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

    const writer = makeAppendWriter(driver, tables)
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

    const append = Effect.fn("EventStore.append")(function*(
      stream: string,
      events: ReadonlyArray<NewEvent>,
      appendOptions?: { readonly expectedRevision?: unknown }
    ) {
      const valid = yield* validateAppend(stream, events, appendOptions?.expectedRevision)
      const now = new Date(yield* Clock.currentTimeMillis).toISOString()
      return yield* groupCommit.submit({ ...valid, now })
    })

    const readStream = Effect.fn("EventStore.readStream")(function*(stream: string, readOptions?: ReadStreamOptions) {
      const name = yield* validateStreamName(stream)
      const direction = readOptions?.direction ?? "forwards"
      if (direction !== "forwards" && direction !== "backwards") {
        return yield* new InvalidArgument({ argument: "direction", reason: "expected forwards or backwards" })
      }
      const from = yield* validateCursor("fromRevision", readOptions?.fromRevision, ["start", "end"])
      const maxCount = yield* validateMaxCount(readOptions?.maxCount)
      const revision = from === "start" ? 0 : from === "end" ? END : from ?? (direction === "forwards" ? 0 : END)
      const events = yield* db(readStreamRows(driver, tables, name, revision, direction, maxCount))
      // A forwards read that ran out reached the head: the next append can skip reading it.
      const last = events[events.length - 1]
      if (direction === "forwards" && last !== undefined && (maxCount === undefined || events.length < maxCount)) {
        writer.observe(name, { revision: last.revision, hash: last.metadata.hash })
      }
      return events
    })

    const readAll = Effect.fn("EventStore.readAll")(function*(readOptions?: ReadAllOptions) {
      const direction = readOptions?.direction ?? "forwards"
      if (direction !== "forwards" && direction !== "backwards") {
        return yield* new InvalidArgument({ argument: "direction", reason: "expected forwards or backwards" })
      }
      const from = yield* validateCursor("fromPosition", readOptions?.fromPosition, ["start", "end"])
      const maxCount = yield* validateMaxCount(readOptions?.maxCount)
      const filter = yield* validateFilter(readOptions?.filter)
      const position = from === "start" ? 0 : from === "end" ? END : from ?? (direction === "forwards" ? 0 : END)
      return yield* db(readAllRows(driver, tables, position, direction, maxCount, filter))
    })

    const headPosition = db(headPositionOf(driver, tables)).pipe(Effect.withSpan("EventStore.headPosition"))

    const subscribeToAll = (subscribeOptions?: SubscribeToAllOptions): Stream.Stream<RecordedEvent, EventStoreError> =>
      Stream.unwrap(Effect.gen(function*() {
        const after = yield* validateCursor("after", subscribeOptions?.after, ["start", "end"])
        const filter = yield* validateFilter(subscribeOptions?.filter)
        return catchUp({
          signal,
          pollInterval,
          pageSize: PAGE_SIZE,
          start: after === "end" ? headPosition : Effect.succeed(after === "start" || after === undefined ? 0 : after),
          readAfter: (cursor, pageSize) => db(readAllPage(driver, tables, cursor, pageSize, filter)),
          cursorOf: (event) => event.position
        })
      }))

    const subscribeToStream = (
      stream: string,
      subscribeOptions?: SubscribeToStreamOptions
    ): Stream.Stream<RecordedEvent, EventStoreError> =>
      Stream.unwrap(Effect.gen(function*() {
        const name = yield* validateStreamName(stream)
        const after = yield* validateCursor("after", subscribeOptions?.after, ["start", "end"])
        return catchUp({
          signal,
          pollInterval,
          pageSize: PAGE_SIZE,
          start: after === "end"
            ? db(streamRevisionOf(driver, tables, name))
            : Effect.succeed(after === "start" || after === undefined ? -1 : after),
          readAfter: (cursor, pageSize) =>
            db(readStreamRows(driver, tables, name, cursor + 1, "forwards", pageSize)).pipe(Effect.map((events) => ({ events }))),
          cursorOf: (event) => event.revision
        })
      }))

    const readCheckpoint = Effect.fn("EventStore.readCheckpoint")(function*(name: string) {
      const checkpoint = yield* validateCheckpointName(name)
      const rows = yield* db(
        driver.query<{ position: unknown }>(`SELECT position FROM ${tables.checkpoints} WHERE name = $1`, [checkpoint])
      )
      return rows.length === 0 ? Option.none<number>() : Option.some(Number(rows[0]!.position))
    })

    const storeCheckpoint = Effect.fn("EventStore.storeCheckpoint")(function*(name: string, position: number) {
      const checkpoint = yield* validateCheckpointName(name)
      const value = yield* validateCursor("position", position, [])
      if (value === undefined) return yield* new InvalidArgument({ argument: "position", reason: "required" })
      yield* db(driver.query(
        `INSERT INTO ${tables.checkpoints} (name, position) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`,
        [checkpoint, value]
      ))
    })

    const ping = db(driver.query("SELECT 1")).pipe(Effect.asVoid, Effect.withSpan("EventStore.ping"))

    return {
      kind: driver.kind,
      append: append as EventStoreShape["append"],
      readStream,
      readAll,
      subscribeToAll,
      subscribeToStream,
      headPosition,
      readCheckpoint,
      storeCheckpoint,
      ping
    } satisfies EventStoreShape
  })
