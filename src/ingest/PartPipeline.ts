/**
 * Parts in flight, recorded in order (runtime neutral): up to `size` parts are being stored at once, each starting as
 * soon as it is submitted while earlier ones are still going, and each is recorded only after its predecessor
 * was (so the events keep part order, and a part's bytes are stored before its event). The first failure of any
 * part fails the pipeline: later submits and `drain` fail with it; closing the scope interrupts what is left.
 */
import { Deferred, Effect, Scope, Semaphore } from "effect"

export interface PartPipeline<A, E> {
  /**
   * Waits for a free slot, runs `prepare` in the caller's fiber (reading the bytes, raising the quota: in part
   * order), then stores and records its part in the background.
   */
  readonly submit: <E2>(prepare: Effect.Effect<A, E2>) => Effect.Effect<void, E | E2>
  /** Every part submitted so far is recorded. */
  readonly drain: Effect.Effect<void, E>
  /** Fails as soon as a part failed; never succeeds (race a wait against it). */
  readonly failure: Effect.Effect<never, E>
}

export const makePartPipeline = <A, S, E>(
  size: number,
  store: (part: A) => Effect.Effect<S, E>,
  record: (part: A, stored: S) => Effect.Effect<void, E>
): Effect.Effect<PartPipeline<A, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const slots = yield* Semaphore.make(Math.max(1, size))
    const failed = yield* Deferred.make<never, E>()
    const failure = Deferred.await(failed)
    /** Done when the last submitted part is recorded. */
    let recorded = yield* Deferred.make<void, E>()
    yield* Deferred.succeed(recorded, undefined)
    const guarded = <X, E2>(effect: Effect.Effect<X, E2>) => Effect.raceFirst(effect, failure)

    const submit = <E2>(prepare: Effect.Effect<A, E2>) =>
      Effect.gen(function*() {
        if (yield* Deferred.isDone(failed)) return yield* failure
        yield* guarded(slots.take(1))
        const part = yield* prepare.pipe(Effect.tapCause(() => slots.release(1)))
        const previous = recorded
        const mine = yield* Deferred.make<void, E>()
        recorded = mine
        // the slot is the upload's: it is free once the part is stored, so a slow record (waiting for its
        // predecessor) never holds an upload back; what waits to be recorded is a part's etag, not its bytes
        let released = false
        const release = Effect.suspend(() => (released ? Effect.void : (released = true, slots.release(1))))
        const run = Effect.gen(function*() {
          const stored = yield* store(part)
          yield* release
          yield* Deferred.await(previous)
          yield* record(part, stored)
        }).pipe(
          Effect.tapError((e) => Deferred.fail(failed, e)),
          Effect.exit,
          Effect.flatMap((exit) => Deferred.done(mine, exit)),
          Effect.ensuring(release)
        )
        yield* Effect.forkIn(run, scope)
      })

    return { submit, drain: Effect.suspend(() => guarded(Deferred.await(recorded))), failure }
  })
