/**
 * Writes a group-commit batch: first the speculative one-statement path for every append
 * whose head we can guess, then the locked path for the rest and for wrong guesses. Keeps
 * the head cache in step with what was committed.
 */
import { Effect } from "effect"
import { appendLocked } from "./SqlAppend.ts"
import type { AppendOutcome, AppendRequest, Head } from "./SqlAppendPlan.ts"
import { type SqlDriver, type SqlError, unavailable } from "./SqlDriver.ts"
import type { SqlTables } from "./SqlSchema.ts"
import { appendSpeculative, guessHead } from "./SpeculativeAppend.ts"
import { HeadCache } from "./HeadCache.ts"
import type { TextSha256 } from "../HashChain.ts"

/** Conflicts between concurrent transactions: the batch is simply tried again. */
const RETRYABLE = new Set(["40001", "40P01", "23505"])
export const isRetryable = (e: SqlError): boolean => e.code !== undefined && RETRYABLE.has(e.code)

/**
 * The statement was refused for what it carried (data exception, constraint, size limit),
 * not for the connection: one append may be the cause, so each is retried alone.
 */
const isAboutTheData = (e: SqlError): boolean => e.code !== undefined && /^(22|23|54)/.test(e.code) && !isRetryable(e)

export interface AppendWriter {
  readonly write: (batch: ReadonlyArray<AppendRequest>) => Effect.Effect<ReadonlyArray<AppendOutcome>, SqlError>
  /** A stream's head as a read saw it (the last event of a read that reached the stream's end). */
  readonly observe: (stream: string, head: Head) => void
}

export const makeAppendWriter = (driver: SqlDriver, tables: SqlTables, sha256Hex?: TextSha256, cacheSize = 10_000): AppendWriter => {
  const cache = new HeadCache(cacheSize)

  const remember = (requests: ReadonlyArray<AppendRequest>, outcomes: ReadonlyArray<AppendOutcome | undefined>) =>
    outcomes.forEach((o, i) => {
      if (o?._tag === "Written" && o.head !== undefined) cache.observe(requests[i]!.stream, o.head)
      else if (o?._tag === "Rejected") cache.forget(requests[i]!.stream)
    })

  const locked = (requests: ReadonlyArray<AppendRequest>) =>
    appendLocked(driver, tables, requests, sha256Hex).pipe(
      Effect.retry({ times: 8, while: isRetryable }),
      Effect.tap((outcomes) => Effect.sync(() => remember(requests, outcomes))),
      Effect.tapError(() => Effect.sync(() => requests.forEach((r) => cache.forget(r.stream))))
    )

  /** The locked path; if the database refuses the batch for its content, each append alone: the bad one fails by itself. */
  const lockedIsolated = (requests: ReadonlyArray<AppendRequest>): Effect.Effect<ReadonlyArray<AppendOutcome>, SqlError> =>
    locked(requests).pipe(
      Effect.catchIf((e) => requests.length > 1 && isAboutTheData(e), () =>
        Effect.forEach(requests, (request) =>
          locked([request]).pipe(
            Effect.map((outcomes) => outcomes[0]!),
            Effect.catchIf(isAboutTheData, (e) => Effect.succeed<AppendOutcome>({ _tag: "Failed", error: unavailable(e) }))
          )))
    )

  /** Tries the guessable appends in one statement; undefined outcomes still need the locked path. */
  const speculative = (batch: ReadonlyArray<AppendRequest>) => {
    const indexes: Array<number> = []
    const heads: Array<Head | undefined> = []
    batch.forEach((request, i) => {
      const guess = guessHead(request, cache.get(request.stream))
      if (guess === "locked") return
      indexes.push(i)
      heads.push(guess)
    })
    const outcomes: Array<AppendOutcome | undefined> = batch.map(() => undefined)
    if (indexes.length === 0) return Effect.succeed(outcomes)
    const requests = indexes.map((i) => batch[i]!)
    return appendSpeculative(driver, tables, requests, heads, sha256Hex).pipe(
      Effect.map((written) => {
        written.forEach((o, j) => {
          outcomes[indexes[j]!] = o
          if (o === undefined) cache.forget(requests[j]!.stream) // guessed wrong
        })
        remember(requests, written)
        return outcomes
      }),
      // A replayed id, a race with another writer, or content the database refuses: one
      // statement, so nothing was written; the locked path decides (and isolates) each.
      Effect.catchIf((e) => isRetryable(e) || isAboutTheData(e), () => Effect.succeed(outcomes)),
      // Anything else (the connection): whatever happened to these streams is unknown now.
      Effect.tapError(() => Effect.sync(() => requests.forEach((r) => cache.forget(r.stream))))
    )
  }

  const write = (batch: ReadonlyArray<AppendRequest>): Effect.Effect<ReadonlyArray<AppendOutcome>, SqlError> =>
    Effect.gen(function*() {
      const outcomes = [...yield* speculative(batch)]
      const rest = batch.flatMap((_, i) => (outcomes[i] === undefined ? [i] : []))
      if (rest.length === 0) return outcomes as ReadonlyArray<AppendOutcome>
      const requests = rest.map((i) => batch[i]!)
      const decided = outcomes.some((o) => o !== undefined)
        // Some appends are committed already: the others fail on their own, not the whole batch.
        ? yield* lockedIsolated(requests).pipe(
          Effect.catch((e) => Effect.succeed(requests.map((): AppendOutcome => ({ _tag: "Failed", error: unavailable(e) }))))
        )
        : yield* lockedIsolated(requests)
      decided.forEach((o, j) => (outcomes[rest[j]!] = o))
      return outcomes as ReadonlyArray<AppendOutcome>
    })

  return { write, observe: (stream, head) => cache.observe(stream, head) }
}
