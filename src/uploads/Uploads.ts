/**
 * The uploads application layer (DESIGN.md §3): every use case of an upload's life, from creation to
 * settlement, as one service. The tus routes, the live feeds and the workers call it, never each other;
 * it owns the object-key layout (UploadObjectKeys.ts), the command ids (UploadCommandIds.ts) and the
 * system actor (SystemActor.ts). Its layer resolves the actor system, object store and event store once.
 */
import { Clock, Context, Effect, Layer } from "effect"
import { ActorSystem } from "../actors/ActorSystem.ts"
import { QuotaAggregate } from "../domain/quota/QuotaAggregate.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import type { DomainSettings } from "../domain/shared/DomainSettings.ts"
import { StreamAggregate } from "../domain/stream/StreamAggregate.ts"
import { UploadAggregate } from "../domain/upload/UploadAggregate.ts"
import type { ExistingUpload } from "../domain/upload/UploadState.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import { ObjectStore } from "../objectstore/ObjectStore.ts"
import { processingCommands } from "./ProcessingCommands.ts"
import { quotaSummaryOf } from "./QuotaSummary.ts"
import { receiveBytes } from "./ReceiveBytes.ts"
import { SYSTEM_ACTOR, systemSender } from "./SystemActor.ts"
import { UploadCommandId } from "./UploadCommandIds.ts"
import { createUpload, releaseReservation } from "./UploadCreation.ts"
import { settleUpload } from "./UploadSettlement.ts"
import { adoptStreamOriginal } from "./StreamAdoption.ts"
import { discardAllStaged } from "./UploadStaging.ts"

const make = Effect.gen(function*() {
  const actors = yield* ActorSystem
  const store = yield* ObjectStore
  const events = yield* EventStore
  const release = releaseReservation(actors)
  const send = systemSender(actors)

  /** The upload's state, caught up with the store. */
  const current = (uploadId: string) => actors.current(UploadAggregate, uploadId)

  /**
   * Termination: cancel (owner or admin), release the quota, drop the staged bytes. Safe to repeat: on an
   * upload already cancelled only the (idempotent) release and clean-up run again, finishing a cancel
   * whose later steps failed.
   */
  const cancel = Effect.fn("Uploads.cancel")(function*(upload: ExistingUpload, actor: Principal, requestId: string) {
    if (upload.status !== "Cancelled") {
      yield* actors.send(UploadAggregate, upload.uploadId, {
        command: { _tag: "CancelUpload", uploadId: upload.uploadId },
        actor,
        commandId: UploadCommandId.cancel(upload.uploadId),
        correlationId: requestId
      })
    }
    yield* release(upload.ownerId, upload.uploadId, "cancelled", requestId)
    yield* discardAllStaged(store, upload.uploadId)
  })

  /** Expiry found by a request (an upload past its Upload-Expires): expire, release, drop the staged bytes at once. */
  const expire = Effect.fn("Uploads.expire")(function*(upload: ExistingUpload, requestId?: string) {
    yield* actors.send(UploadAggregate, upload.uploadId, {
      command: { _tag: "ExpireUpload", uploadId: upload.uploadId },
      actor: SYSTEM_ACTOR,
      commandId: UploadCommandId.expire(upload.uploadId),
      correlationId: requestId
    })
    yield* release(upload.ownerId, upload.uploadId, "expired", requestId)
    yield* discardAllStaged(store, upload.uploadId)
  })

  /**
   * The janitor's expiry of an idle upload (the same command id as `expire`): only the command, retried over
   * passing trouble; settling the expired upload releases and cleans up. UploadNotExpired says until when.
   */
  const expireIdle = (uploadId: string) =>
    send(UploadAggregate, uploadId, { _tag: "ExpireUpload", uploadId }, UploadCommandId.expire(uploadId)).pipe(Effect.asVoid)

  /** How much of `actor`'s weekly allowance is left and when it renews. */
  const quotaSummary = Effect.fn("Uploads.quotaSummary")(function*(actor: Principal, settings: DomainSettings) {
    const { state } = yield* actors.current(QuotaAggregate, actor.userId)
    return quotaSummaryOf(state, actor, settings, yield* Clock.currentTimeMillis)
  })

  /**
   * A reservation whose upload was never created is given back (`ReservationReconciled`, once however many
   * janitors try); when the upload's stream exists, its own life settles the reservation. A live stream
   * reserves under its own id long before its original is adopted as the upload of that id: while the
   * `stream-<id>` exists the reservation is the stream's to settle. True when given back now.
   */
  const reconcileReservation = Effect.fn("Uploads.reconcileReservation")(function*(userId: string, uploadId: string) {
    const upload = yield* events.readStream(`${UploadAggregate.category}-${uploadId}`, { maxCount: 1 })
    if (upload.length > 0) return false
    const stream = yield* events.readStream(`${StreamAggregate.category}-${uploadId}`, { maxCount: 1 })
    if (stream.length > 0) return false
    const result = yield* send(QuotaAggregate, userId, { _tag: "ReconcileReservation", userId, uploadId }, UploadCommandId.reconcile(uploadId))
    return result.events.length > 0 && !result.deduplicated
  })

  return {
    current,
    create: createUpload(actors),
    adoptStreamOriginal: adoptStreamOriginal(actors, store),
    receiveBytes: receiveBytes(actors, store),
    cancel,
    expire,
    expireIdle,
    quotaSummary,
    settle: settleUpload(actors, store),
    reconcileReservation,
    ...processingCommands(actors)
  }
})

export class Uploads extends Context.Service<Uploads>()("keyframe/Uploads", { make }) {
  static readonly layer: Layer.Layer<Uploads, never, ActorSystem | ObjectStore | EventStore> = Layer.effect(this, this.make)
}
