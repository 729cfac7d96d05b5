/** A promise-returning call as an Effect whose interruption aborts the call AND waits until it has settled. */
import { Effect } from "effect"

/**
 * Unlike Effect.tryPromise (which returns as soon as it fires the AbortSignal), an interrupted `abortable`
 * waits for `f` to finish its clean-up (remove a temp file, abort an upload) before the interruption completes.
 */
export const abortable = <A, E>(f: (signal: AbortSignal) => Promise<A>, onError: (error: unknown) => E): Effect.Effect<A, E> =>
  Effect.callback<A, E>((resume, signal) => {
    let settled: Promise<unknown>
    try {
      settled = f(signal).then(
        (a) => resume(Effect.succeed(a)),
        (error) => resume(Effect.fail(onError(error)))
      )
    } catch (error) {
      resume(Effect.fail(onError(error)))
      return
    }
    return Effect.promise(() => settled)
  })
