/**
 * Creating an upload: the Quota is reserved before the Upload exists, and the reservation is given back
 * only when the creation was certainly not applied.
 */
import { Clock, Effect, Result } from "effect"
import type { ActorSystemShape } from "../actors/ActorSystem.ts"
import { QuotaAggregate } from "../domain/quota/QuotaAggregate.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { isDomainError } from "../domain/shared/DomainError.ts"
import type { DomainSettings } from "../domain/shared/DomainSettings.ts"
import { UploadAggregate } from "../domain/upload/UploadAggregate.ts"
import { SYSTEM_ACTOR } from "./SystemActor.ts"
import { UploadCommandId } from "./UploadCommandIds.ts"

export interface NewUpload {
  readonly uploadId: string
  readonly actor: Principal
  readonly filename: string
  readonly declaredSize: number
  readonly contentType: string
  readonly requestId: string
  readonly settings: DomainSettings
}

export type ReleaseReason = "cancelled" | "failed" | "expired"

/** Gives the reservation back (idempotent on the Quota: one release per upload). */
export const releaseReservation = (actors: ActorSystemShape) =>
(userId: string, uploadId: string, reason: ReleaseReason, requestId?: string) =>
  actors.send(QuotaAggregate, userId, {
    command: { _tag: "ReleaseUpload", userId, uploadId, reason },
    actor: SYSTEM_ACTOR,
    commandId: UploadCommandId.release(uploadId),
    correlationId: requestId
  })

/**
 * Failures after which the command was certainly not applied: the decider refused it, the mailbox
 * never took it, other writers won every try, or the store refused the append as invalid. Anything
 * else (the store unavailable, a lost reply, a stream that does not decode) may hide a write.
 */
const DEFINITE_STORE_REFUSALS = new Set([
  "ActorBusy",
  "ConcurrencyConflict",
  "WrongExpectedRevision",
  "InvalidStreamName",
  "InvalidEvent",
  "InvalidArgument"
])

export const isDefiniteRejection = (error: unknown): boolean =>
  isDomainError(error) ||
  (typeof error === "object" && error !== null && "_tag" in error && DEFINITE_STORE_REFUSALS.has(String(error._tag)))

/**
 * Creates an upload. The Upload decider first runs dry (pure, nothing written), so a file it would
 * refuse (name, format, size) never touches the quota; then the Quota reserves the declared size
 * (QUOTA_EXCEEDED stops here); then the Upload is created. If that last step is definitely
 * rejected, the reservation is released again; after a failure of unknown outcome the Upload may
 * exist, so the reservation stays and the quota reconciler (src/workers/QuotaReconciler.ts) gives it
 * back once QUOTA_RECONCILE_GRACE_SECONDS have shown that the Upload was never created.
 */
export const createUpload = (actors: ActorSystemShape) =>
  Effect.fn("Uploads.create")(function*(input: NewUpload) {
    const { uploadId, actor, declaredSize, requestId } = input
    const command = {
      _tag: "CreateUpload" as const,
      uploadId,
      filename: input.filename,
      declaredSize,
      contentType: input.contentType
    }
    const now = yield* Clock.currentTimeMillis
    const dryRun = UploadAggregate.decider.decide(command, UploadAggregate.decider.initialState, {
      now,
      actor,
      settings: input.settings
    })
    if (Result.isFailure(dryRun)) return yield* Effect.fail(dryRun.failure)

    yield* actors.send(QuotaAggregate, actor.userId, {
      command: { _tag: "ReserveUpload", userId: actor.userId, uploadId, bytes: declaredSize },
      actor,
      commandId: UploadCommandId.reserve(uploadId),
      correlationId: requestId
    })
    return yield* actors.send(UploadAggregate, uploadId, {
      command,
      actor,
      commandId: UploadCommandId.create(uploadId),
      correlationId: requestId
    }).pipe(
      Effect.tapError((error) =>
        isDefiniteRejection(error) ? releaseReservation(actors)(actor.userId, uploadId, "failed", requestId).pipe(Effect.ignore) : Effect.void
      )
    )
  })
