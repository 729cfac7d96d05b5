/** The small, neutral SQL driver the shared SQL event store runs on (PGlite and postgres.js implement it). */
import { Data, type Effect, type Scope } from "effect"
import { EventStoreUnavailable } from "../EventStoreError.ts"

/** A failure reported by the driver; `code` is the SQLSTATE when the server sent one (e.g. "23505"). */
export class SqlError extends Data.TaggedError("SqlError")<{
  readonly code: string | undefined
  readonly message: string
  readonly cause?: unknown
}> {}

/** The port's view of a driver failure (the store's boundary: no raw driver error gets past it). */
export const unavailable = (e: SqlError): EventStoreUnavailable =>
  new EventStoreUnavailable({ reason: e.code === undefined ? e.message : `${e.message} (${e.code})`, cause: e })

export type Row = Record<string, unknown>

export interface SqlStatement {
  readonly text: string
  readonly params: ReadonlyArray<unknown>
}

export interface SqlQueryable {
  /** Runs one statement with `$1…$n` parameters (strings, numbers, booleans, null) and returns its rows. */
  query<R extends Row = Row>(text: string, params?: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<R>, SqlError>
}

export interface SqlDriver extends SqlQueryable {
  /** "embedded" (PGlite) or "postgres". */
  readonly kind: string
  /**
   * Runs `fn` between BEGIN and COMMIT on one connection; rolls back when `fn` fails or is
   * interrupted. Statements outside `fn` never interleave with it on that connection.
   */
  transaction<A, E, R>(fn: (tx: SqlQueryable) => Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R>
  /**
   * Reads, then writes with at most ONE statement (built from what was read), atomically:
   * no other statement interleaves, locks taken by `read` hold until the write commits.
   * PostgreSQL: a transaction whose COMMIT is pipelined with the write; PGlite (the
   * database's only client): a section no other statement enters, without BEGIN/COMMIT.
   */
  readThenWrite<P, E, R>(
    read: (db: SqlQueryable) => Effect.Effect<P, E, R>,
    write: (plan: P) => SqlStatement | undefined
  ): Effect.Effect<{ readonly plan: P; readonly rows: ReadonlyArray<Row> }, E | SqlError, R>
  /**
   * An SQL expression evaluated inside an appending transaction, before global positions are
   * drawn, that makes appending transactions commit in position order (a transaction-scoped
   * lock). Undefined when the driver already runs one transaction at a time (PGlite).
   */
  readonly commitOrderLock: string | undefined
  /**
   * An SQL expression evaluated inside an appending transaction that wakes the subscribers
   * of other processes once it commits (NOTIFY). Undefined when there are no other processes.
   */
  readonly notifyOnCommit: string | undefined
  /**
   * True when the database has no autovacuum (PGlite): the store then runs ANALYZE itself as
   * the log grows; without statistics the planner scans the whole log for a page of events.
   */
  readonly needsAnalyze: boolean
  /** Calls `wake` whenever another connection's append committed, until the scope closes. */
  onRemoteCommit(wake: () => void): Effect.Effect<void, SqlError, Scope.Scope>
}
