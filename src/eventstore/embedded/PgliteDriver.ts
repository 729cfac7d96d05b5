/** SqlDriver over PGlite: one in-process connection, so one semaphore serializes statements and transactions. */
import type { PGlite } from "@electric-sql/pglite"
import { Effect, Exit, Semaphore } from "effect"
import { type Row, type SqlDriver, SqlError, type SqlQueryable } from "../sql/SqlDriver.ts"

const toSqlError = (cause: unknown): SqlError => {
  const e = cause as { code?: unknown; message?: unknown }
  return new SqlError({
    code: typeof e?.code === "string" ? e.code : undefined,
    message: typeof e?.message === "string" ? e.message : String(cause),
    cause
  })
}

export const makePgliteDriver = (db: PGlite): SqlDriver => {
  // Everything goes through this permit: a transaction holds it from BEGIN to COMMIT, so no
  // other fiber's statement can land inside it on the shared connection.
  const lock = Semaphore.makeUnsafe(1)
  const run = <R extends Row>(text: string, params?: ReadonlyArray<unknown>) =>
    Effect.tryPromise({
      try: () => db.query<R>(text, params === undefined ? undefined : [...params]),
      catch: toSqlError
    }).pipe(Effect.map((result) => result.rows as ReadonlyArray<R>))
  const exec = (text: string) => Effect.tryPromise({ try: () => db.exec(text), catch: toSqlError })
  const inTransaction: SqlQueryable = { query: run }

  return {
    kind: "embedded",
    query: (text, params) => lock.withPermits(1)(run(text, params)),
    transaction: (fn) =>
      lock.withPermits(1)(
        Effect.uninterruptibleMask((restore) =>
          Effect.gen(function*() {
            yield* exec("BEGIN")
            const exit = yield* Effect.exit(restore(fn(inTransaction)))
            if (Exit.isSuccess(exit)) {
              const committed = yield* Effect.exit(exec("COMMIT"))
              if (Exit.isSuccess(committed)) return exit.value
              yield* Effect.ignore(exec("ROLLBACK"))
              return yield* Effect.failCause(committed.cause)
            }
            yield* Effect.ignore(exec("ROLLBACK"))
            return yield* Effect.failCause(exit.cause)
          })
        )
      ),
    // The write is one statement, atomic on its own; holding the permit keeps the read valid.
    readThenWrite: (read, write) =>
      lock.withPermits(1)(
        Effect.gen(function*() {
          const plan = yield* read(inTransaction)
          const statement = write(plan)
          const rows = statement === undefined ? [] : yield* run(statement.text, statement.params)
          return { plan, rows }
        })
      ),
    // One process owns the database and transactions already run one at a time.
    commitOrderLock: undefined,
    notifyOnCommit: undefined,
    needsAnalyze: true, // PGlite runs no autovacuum daemon
    onRemoteCommit: () => Effect.void
  }
}
