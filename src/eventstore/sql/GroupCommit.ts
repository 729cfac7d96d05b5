/**
 * Group commit: appends that arrive while a transaction is in flight are written together in
 * the next one (one append per stream per transaction; a stream's appends keep their order).
 * Each caller gets its own outcome: a rejected append does not fail the others.
 */
import { Deferred, Effect, Exit, type Scope } from "effect"
import { type DuplicateEventId, EventStoreUnavailable, type WrongExpectedRevision } from "../EventStoreError.ts"
import type { AppendResult } from "../EventStoreTypes.ts"
import type { AppendOutcome, AppendRequest } from "./SqlAppendPlan.ts"
import { Signal } from "./Signal.ts"

export type AppendError = WrongExpectedRevision | DuplicateEventId | EventStoreUnavailable

export interface GroupCommit {
  submit(request: AppendRequest): Effect.Effect<AppendResult, AppendError>
}

interface Pending {
  readonly request: AppendRequest
  readonly deferred: Deferred.Deferred<AppendResult, AppendError>
}

export interface GroupCommitOptions {
  /** Writes one batch in one transaction; its outcomes come back in batch order. */
  readonly write: (batch: ReadonlyArray<AppendRequest>) => Effect.Effect<ReadonlyArray<AppendOutcome>, EventStoreUnavailable>
  /** Called after a transaction that wrote something committed. */
  readonly onCommitted: () => void
  /** Transactions in flight at once. */
  readonly workers: number
  /** Events per transaction (a larger single append still goes alone). */
  readonly maxBatchEvents: number
}

const closed = new EventStoreUnavailable({ reason: "the event store is closed" })

export const makeGroupCommit = (options: GroupCommitOptions): Effect.Effect<GroupCommit, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue: Array<Pending> = []
    const inFlight = new Set<string>()
    const wake = new Signal()
    let open = true

    const takeBatch = (): Array<Pending> => {
      const batch: Array<Pending> = []
      const blocked = new Set<string>(inFlight)
      let events = 0
      for (let i = 0; i < queue.length;) {
        const pending = queue[i]!
        const stream = pending.request.stream
        const size = pending.request.events.length
        if (blocked.has(stream) || (batch.length > 0 && events + size > options.maxBatchEvents)) {
          blocked.add(stream) // later appends to this stream wait too, keeping their order
          i++
          continue
        }
        blocked.add(stream)
        batch.push(pending)
        events += size
        queue.splice(i, 1)
      }
      return batch
    }

    const settle = (batch: ReadonlyArray<Pending>, exit: Exit.Exit<ReadonlyArray<AppendOutcome>, EventStoreUnavailable>) => {
      if (Exit.isFailure(exit)) {
        for (const p of batch) Deferred.doneUnsafe(p.deferred, Effect.failCause(exit.cause))
        return false
      }
      let wrote = false
      exit.value.forEach((outcome, i) => {
        const p = batch[i]!
        if (outcome._tag === "Written") {
          wrote = true
          Deferred.doneUnsafe(p.deferred, Effect.succeed(outcome.result))
        } else {
          Deferred.doneUnsafe(p.deferred, Effect.fail<AppendError>(outcome.error))
        }
      })
      return wrote
    }

    const worker = Effect.gen(function*() {
      while (true) {
        const generation = wake.generation
        const batch = takeBatch()
        if (batch.length === 0) {
          yield* Deferred.await(generation)
          continue
        }
        for (const p of batch) inFlight.add(p.request.stream)
        const exit = yield* Effect.exit(options.write(batch.map((p) => p.request))).pipe(
          Effect.onInterrupt(() => Effect.sync(() => batch.forEach((p) => Deferred.doneUnsafe(p.deferred, Effect.fail(closed)))))
        )
        for (const p of batch) inFlight.delete(p.request.stream)
        if (settle(batch, exit)) options.onCommitted()
        wake.notify() // streams left the in-flight set: another worker may take their next appends
      }
    })

    for (let i = 0; i < options.workers; i++) yield* Effect.forkScoped(worker)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        open = false
        for (const p of queue.splice(0)) Deferred.doneUnsafe(p.deferred, Effect.fail(closed))
      })
    )

    const submit = (request: AppendRequest): Effect.Effect<AppendResult, AppendError> =>
      Effect.suspend(() => {
        if (!open) return Effect.fail(closed)
        const pending: Pending = { request, deferred: Deferred.makeUnsafe<AppendResult, AppendError>() }
        queue.push(pending)
        wake.notify()
        return Deferred.await(pending.deferred).pipe(
          // A caller that gives up before its append was taken leaves nothing behind.
          Effect.onInterrupt(() =>
            Effect.sync(() => {
              const i = queue.indexOf(pending)
              if (i >= 0) queue.splice(i, 1)
            })
          )
        )
      })

    return { submit }
  })
