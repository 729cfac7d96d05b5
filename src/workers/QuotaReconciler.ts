/**
 * The janitor for quota reservations whose upload was never created. A creation whose Upload step failed
 * with an unknown outcome keeps its reservation (the Upload may have been written: releasing it would give
 * the bytes away). This janitor follows the quota events; once a reservation is QUOTA_RECONCILE_GRACE_SECONDS
 * old and still open, it looks for the upload's stream: missing, the reservation is given back with a
 * `ReservationReconciled` event (Uploads.reconcileReservation; its command id makes janitors on several
 * nodes and retries record it once); present, the upload's own life (completion, failure, cancel, expiry) settles it.
 * Its durable checkpoint sits just before the oldest open reservation, as the media workers' does.
 */
import { Clock, Context, Effect, Layer, Queue } from "effect"
import type { KeyframeSettings } from "../config.ts"
import { QuotaEventCodec } from "../domain/quota/QuotaAggregate.ts"
import { isDomainError } from "../domain/shared/DomainError.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import { Uploads } from "../uploads/Uploads.ts"
import { followWithCheckpoint } from "./CheckpointedFollow.ts"
import { type DueCheck, ReservationTracker } from "./ReservationTracker.ts"

export interface QuotaReconcilerOptions {
  /** QUOTA_RECONCILE_GRACE_SECONDS in ms: how old an open reservation must be before its upload is looked for. */
  readonly graceMs: number
  /** Longest sleep between looks at what is due; default 1 s. */
  readonly pollMs?: number | undefined
  /** Back-off after a failed check; default 30 s. */
  readonly retryMs?: number | undefined
  /** Durable checkpoint name shared by every node; default "quota-reconciler". */
  readonly checkpointName?: string | undefined
}

export const quotaReconcilerOptions = (config: KeyframeSettings): QuotaReconcilerOptions => ({
  graceMs: config.janitor.quotaReconcileGraceSeconds * 1000
})

export interface QuotaReconcilerStatus {
  /** Open reservations followed. */
  readonly tracked: number
  /** Reservations this process gave back. */
  readonly reconciled: number
  readonly lastPosition: number
  readonly checkpoint: number
  /** The subscription has read every quota event that existed when the janitor started. */
  readonly caughtUp: boolean
}

export interface QuotaReconcilerShape {
  readonly status: Effect.Effect<QuotaReconcilerStatus>
}

const QUOTA_EVENTS = { streamPrefixes: ["quota-"] }

export class QuotaReconciler extends Context.Service<QuotaReconciler, QuotaReconcilerShape>()("keyframe/QuotaReconciler") {
  /** Runs in the layer's scope. */
  static layer(options: QuotaReconcilerOptions): Layer.Layer<QuotaReconciler, never, EventStore | Uploads> {
    return Layer.effect(QuotaReconciler, makeReconciler(options))
  }
}

const makeReconciler = (options: QuotaReconcilerOptions) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const uploads = yield* Uploads
    const scope = yield* Effect.scope
    const checkpointName = options.checkpointName ?? "quota-reconciler"
    const pollMs = options.pollMs ?? 1000
    const retryMs = options.retryMs ?? 30_000
    const tracker = new ReservationTracker()
    let reconciled = 0
    const wakeUp = yield* Queue.dropping<void>(1)

    const { caughtUp, stored } = yield* followWithCheckpoint({
      label: "quota reconciler",
      checkpointName,
      streamPrefixes: QUOTA_EVENTS.streamPrefixes,
      codec: QuotaEventCodec,
      tracker,
      onEvent: () => void Queue.offerUnsafe(wakeUp, undefined)
    })

    /** One old reservation: given back if its upload's stream does not exist, left to the upload otherwise. */
    const check = (due: DueCheck, now: number) =>
      Effect.gen(function*() {
        const { userId, uploadId } = due
        if (yield* uploads.reconcileReservation(userId, uploadId)) {
          reconciled++
          yield* Effect.logInfo(`quota reconciler: upload ${uploadId} of ${userId} was never created; its reservation was given back`)
        }
        tracker.forget(userId, uploadId)
      }).pipe(
        // A refusal will not change on a retry (e.g. settled by hand): stop following it.
        Effect.catchIf(isDomainError, (e) =>
          Effect.andThen(
            Effect.sync(() => tracker.forget(due.userId, due.uploadId)),
            Effect.logWarning(`quota reconciler: reconciling upload ${due.uploadId} was refused: ${e.message}`)
          )),
        Effect.catchCause((cause) =>
          Effect.andThen(
            Effect.sync(() => tracker.postpone(due.userId, due.uploadId, now + retryMs)),
            Effect.logWarning(`quota reconciler: checking upload ${due.uploadId} failed; again in ${retryMs} ms`, cause)
          )
        )
      )

    const schedule = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        let next = now + pollMs
        if (caughtUp()) {
          for (const due of tracker.due(options.graceMs)) {
            if (due.at > now) {
              next = Math.min(next, due.at)
              break
            }
            yield* check(due, now)
          }
        }
        yield* Effect.timeoutOption(Queue.take(wakeUp), Math.max(5, next - now))
      }
    })

    yield* Effect.forkIn(schedule, scope)
    yield* Effect.logInfo(`quota reconciler started (grace ${Math.round(options.graceMs / 1000)} s)`)

    return QuotaReconciler.of({
      status: Effect.sync(() => ({
        tracked: tracker.size,
        reconciled,
        lastPosition: tracker.lastPosition,
        checkpoint: tracker.checkpoint(),
        caughtUp: caughtUp()
      }))
    })
  })
