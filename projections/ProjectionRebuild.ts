/**
 * Rebuild without downtime: build a slot from the start of history beside the live one,
 * and report progress until it has caught up. Activating it and retiring the old slot is
 * the caller's swap (ProjectionRunner), so queries never see a half-built model.
 *
 * With several nodes, the new slot is folded by whichever runner holds its lease (see
 * SlotRunner). A fresh build empties the slot while holding that lease and hands it to its own
 * runner, so no one folds into it meanwhile, and a second rebuild of the same slot (on another
 * node) finds it taken and fails with RebuildInProgress.
 */
import { Clock, Duration, Effect, type Scope } from "effect"
import type { EventStore } from "../src/eventstore/EventStore.ts"
import type { EventStoreError } from "../src/eventstore/EventStoreError.ts"
import { ReadStore } from "../src/readstore/ReadStore.ts"
import type { ReadStoreError } from "../src/readstore/ReadStoreError.ts"
import type { Slot } from "../src/readstore/ReadStoreTypes.ts"
import type { AnyProjection } from "./Projection.ts"
import { RebuildInProgress } from "./ProjectionError.ts"
import { leaseTtlMillis, slotLease, type SlotRunner, type SlotRunnerLeadership, type SlotRunnerOptions, startSlotRunner } from "./SlotRunner.ts"

export interface RebuildProgress {
  readonly projection: string
  /** The slot queries read while the build runs (none on a first build). */
  readonly from: Slot | undefined
  readonly to: Slot
  readonly state: "building" | "swapping" | "done" | "failed"
  readonly startedAt: string
  readonly finishedAt?: string | undefined
  readonly checkpoint: number
  readonly head: number
  readonly eventsApplied: number
  /** checkpoint / head, 0–1 (positions are not contiguous, so this is an estimate). */
  readonly fraction: number
  readonly error?: string | undefined
}

export interface BuildOptions {
  readonly from: Slot | undefined
  readonly to: Slot
  /** Drop whatever is in `to` first (an admin rebuild); otherwise resume a build left half done. */
  readonly fresh: boolean
  readonly pollInterval: Duration.Input
  readonly runner?: (Partial<SlotRunnerOptions> & SlotRunnerLeadership) | undefined
  readonly onProgress: (progress: RebuildProgress) => void
}

/** Starts a runner on `to` and returns it once it has caught up with the history. */
export const buildBeside = (
  projection: AnyProjection,
  options: BuildOptions
): Effect.Effect<SlotRunner, EventStoreError | ReadStoreError | RebuildInProgress, EventStore | ReadStore | Scope.Scope> =>
  Effect.gen(function*() {
    const store = yield* ReadStore
    const startedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    const report = (state: RebuildProgress["state"], checkpoint: number, head: number, eventsApplied: number) =>
      options.onProgress({
        projection: projection.name,
        from: options.from,
        to: options.to,
        state,
        startedAt,
        checkpoint,
        head,
        eventsApplied,
        fraction: head === 0 ? 1 : Math.min(1, checkpoint / head)
      })
    report("building", 0, 0, 0)
    const holder = options.runner?.holder ?? crypto.randomUUID()
    if (options.fresh) {
      if (!(yield* store.acquireLease(slotLease(options.to), holder, leaseTtlMillis(options.runner)))) {
        return yield* new RebuildInProgress({ projection: projection.name })
      }
      yield* store.drop(options.to).pipe(Effect.onError(() => Effect.ignore(store.releaseLease(slotLease(options.to), holder))))
    }
    const runner = yield* startSlotRunner(projection, options.to, { ...options.runner, holder })
    const poll = Duration.toMillis(options.pollInterval)
    return yield* Effect.gen(function*() {
      for (;;) {
        const lag = yield* runner.lag
        const status = yield* runner.status
        report("building", lag.checkpoint, lag.head, status.eventsApplied)
        if (lag.caughtUp) return runner
        yield* Effect.sleep(Duration.millis(poll))
      }
    }).pipe(Effect.onError(() => runner.stop))
  })
