/** Small constructors for what `decide` returns, so deciders read as rules. */
import { Result } from "effect"

export type Decision<Event, Error> = Result.Result<ReadonlyArray<Event>, Error>

/** The command is accepted and records these events. */
export const accept = <Event>(...events: ReadonlyArray<Event>): Result.Result<ReadonlyArray<Event>, never> =>
  Result.succeed(events)

/** The command is accepted and changes nothing (an idempotent repeat). */
export const unchanged: Result.Result<ReadonlyArray<never>, never> = Result.succeed([])

export const reject = <Error>(error: Error): Result.Result<never, Error> => Result.fail(error)
