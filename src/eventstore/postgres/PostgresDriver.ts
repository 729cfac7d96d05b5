/** SqlDriver over postgres.js: a connection pool, transactions on reserved connections, LISTEN/NOTIFY wake-ups. */
import { Effect, Exit } from "effect"
import type { Sql } from "postgres"
import { type Row, type SqlDriver, SqlError, type SqlQueryable } from "../sql/SqlDriver.ts"

export const toSqlError = (cause: unknown): SqlError => {
  const e = cause as { code?: unknown; message?: unknown }
  return new SqlError({
    code: typeof e?.code === "string" ? e.code : undefined,
    message: typeof e?.message === "string" ? e.message : String(cause),
    cause
  })
}

type Queryable = Pick<Sql, "unsafe">
type ReservedSql = Awaited<ReturnType<Sql["reserve"]>>

/** A sent statement's outcome as a value: undefined, or its SqlError. */
const settle = (query: PromiseLike<unknown>): Promise<SqlError | undefined> =>
  Promise.resolve(query).then(() => undefined, toSqlError)
const settleRows = (query: PromiseLike<unknown>): Promise<ReadonlyArray<Row> | SqlError> =>
  Promise.resolve(query).then((rows) => rows as ReadonlyArray<Row>, toSqlError)

const simple = (reserved: ReservedSql, text: string) => Effect.tryPromise({ try: () => reserved.unsafe(text), catch: toSqlError })
const rollback = (reserved: ReservedSql) => Effect.ignore(simple(reserved, "ROLLBACK"))

const queryOn = (sql: Queryable): SqlQueryable["query"] => <R extends Row>(text: string, params?: ReadonlyArray<unknown>) =>
  Effect.tryPromise({
    // Prepared: each statement text is parsed once per connection (our texts are constant).
    try: async () => (await sql.unsafe(text, (params ?? []) as Array<never>, { prepare: true })) as unknown as ReadonlyArray<R>,
    catch: toSqlError
  })

export interface PostgresDriverOptions {
  readonly schema: string
  /** Test and benchmark knob: drop the commit-order lock to show what it protects against. */
  readonly unorderedCommits?: boolean | undefined
}

export const makePostgresDriver = (sql: Sql, options: PostgresDriverOptions): SqlDriver => {
  const channel = `keyframe_${options.schema}`
  /** Runs `body` on a reserved connection inside BEGIN … (body ends the transaction); BEGIN is pipelined with body's first statement. */
  const inTransaction = <A, E, R>(body: (reserved: ReservedSql) => Effect.Effect<A, E, R>) =>
    Effect.acquireUseRelease(
      Effect.tryPromise({ try: () => sql.reserve(), catch: toSqlError }),
      (reserved) =>
        Effect.gen(function*() {
          // Had BEGIN failed, body's first statement ran outside a transaction: roll back, fail.
          const begin = settle(reserved.unsafe("BEGIN").execute())
          const exit = yield* Effect.exit(body(reserved))
          const beginFailed = yield* Effect.promise(() => begin)
          if (beginFailed !== undefined) {
            yield* rollback(reserved)
            return yield* Effect.fail(beginFailed)
          }
          if (Exit.isFailure(exit)) yield* rollback(reserved)
          return yield* exit
        }),
      (reserved) => Effect.sync(() => reserved.release())
    )

  const transaction: SqlDriver["transaction"] = (fn) =>
    inTransaction((reserved) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const value = yield* restore(fn({ query: queryOn(reserved) }))
          yield* simple(reserved, "COMMIT")
          return value
        })
      )
    )

  const readThenWrite: SqlDriver["readThenWrite"] = (read, write) =>
    inTransaction((reserved) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const plan = yield* restore(read({ query: queryOn(reserved) }))
          const statement = write(plan)
          if (statement === undefined) {
            yield* simple(reserved, "COMMIT")
            return { plan, rows: [] }
          }
          // The write and COMMIT leave together. If the write fails, PostgreSQL turns that
          // COMMIT into a ROLLBACK; either way we report the first failure.
          const written = settleRows(reserved.unsafe(statement.text, [...statement.params] as Array<never>, { prepare: true }).execute())
          const committed = settle(reserved.unsafe("COMMIT").execute())
          const [rows, commitFailed] = yield* Effect.promise(() => Promise.all([written, committed]))
          if (rows instanceof SqlError) return yield* Effect.fail(rows)
          if (commitFailed !== undefined) return yield* Effect.fail(commitFailed)
          return { plan, rows }
        })
      )
    )

  return {
    kind: "postgres",
    query: queryOn(sql),
    transaction,
    readThenWrite,
    // Held to commit: appending transactions of every process draw positions and commit in
    // one order (SqlEventStore.ts explains why). One key per schema.
    commitOrderLock: options.unorderedCommits === true
      ? undefined
      : `pg_advisory_xact_lock(hashtext('keyframe.order:${options.schema}'))`,
    notifyOnCommit: `pg_notify('${channel}', '')`,
    needsAnalyze: false, // autovacuum keeps statistics
    onRemoteCommit: (wake) =>
      Effect.acquireRelease(
        Effect.tryPromise({ try: () => sql.listen(channel, () => wake()), catch: toSqlError }),
        (listening) => Effect.tryPromise(() => listening.unlisten()).pipe(Effect.ignore)
      ).pipe(Effect.asVoid)
  }
}
