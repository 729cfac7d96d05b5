/**
 * The commands an upload's life sends, in the order the aggregates need them: the Quota is reserved
 * before the Upload exists; cancel and expiry release it and drop the staged bytes. Command ids are
 * derived from the upload (and the offset), so a retried request is not applied twice.
 */
import { Clock, Effect, Result } from "effect"
import { ActorSystem } from "../../actors/ActorSystem.ts"
import type { Actor } from "../../domain/shared/Decider.ts"
import { isDomainError } from "../../domain/shared/DomainError.ts"
import type { DomainSettings } from "../../domain/shared/DomainSettings.ts"
import { QuotaAggregate } from "../../domain/quota/QuotaAggregate.ts"
import type { QuotaExceeded } from "../../domain/quota/QuotaErrors.ts"
import { UploadAggregate } from "../../domain/upload/UploadAggregate.ts"
import type { ExistingUpload } from "../../domain/upload/UploadState.ts"
import { discardAllStaged } from "./UploadStaging.ts"

/** Who acts for the steps nobody asked for (releases, expiry). */
export const SYSTEM_ACTOR: Actor = { userId: "system", roles: ["system"] }

export interface NewUpload {
  readonly uploadId: string
  readonly actor: Actor
  readonly filename: string
  readonly declaredSize: number
  readonly contentType: string
  readonly requestId: string
  readonly settings: DomainSettings
}

/** The upload's state, caught up with the store. */
export const loadUpload = (uploadId: string) => ActorSystem.use((actors) => actors.current(UploadAggregate, uploadId))

/** Gives the reservation back (idempotent on the Quota). */
export const releaseReservation = (userId: string, uploadId: string, reason: "cancelled" | "failed" | "expired", requestId?: string) =>
  ActorSystem.use((actors) =>
    actors.send(QuotaAggregate, userId, {
      command: { _tag: "ReleaseUpload", userId, uploadId, reason },
      actor: SYSTEM_ACTOR,
      commandId: `release:${uploadId}`,
      correlationId: requestId
    })
  )

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

const isDefiniteRejection = (error: unknown): boolean =>
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
export const createUpload = Effect.fn("Tus.createUpload")(function*(input: NewUpload) {
  const actors = yield* ActorSystem
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
    commandId: `reserve:${uploadId}`,
    correlationId: requestId
  })
  return yield* actors.send(UploadAggregate, uploadId, { command, actor, commandId: `create:${uploadId}`, correlationId: requestId }).pipe(
    Effect.tapError((error) =>
      isDefiniteRejection(error) ? releaseReservation(actor.userId, uploadId, "failed", requestId).pipe(Effect.ignore) : Effect.void
    )
  )
})

/** Records `length` bytes at `offset`, once they are durable in the staging object. */
export const recordBytes = (input: {
  readonly uploadId: string
  readonly actor: Actor
  readonly offset: number
  readonly length: number
  readonly checksum: { readonly algorithm: "sha1" | "sha256"; readonly value: string } | undefined
  readonly requestId: string
}) =>
  ActorSystem.use((actors) =>
    actors.send(UploadAggregate, input.uploadId, {
      command: {
        _tag: "AppendBytes",
        uploadId: input.uploadId,
        offset: input.offset,
        length: input.length,
        ...(input.checksum === undefined ? {} : { checksum: input.checksum })
      },
      actor: input.actor,
      commandId: `append:${input.uploadId}@${input.offset}+${input.length}`,
      correlationId: input.requestId
    })
  )

/**
 * Termination: cancel (owner or admin), release the quota, drop the staged bytes. Safe to repeat: on an
 * upload already cancelled only the (idempotent) release and clean-up run again, finishing a cancel
 * whose later steps failed.
 */
export const cancelUpload = Effect.fn("Tus.cancelUpload")(function*(upload: ExistingUpload, actor: Actor, requestId: string) {
  const actors = yield* ActorSystem
  if (upload.status !== "Cancelled") {
    yield* actors.send(UploadAggregate, upload.uploadId, {
      command: { _tag: "CancelUpload", uploadId: upload.uploadId },
      actor,
      commandId: `cancel:${upload.uploadId}`,
      correlationId: requestId
    })
  }
  yield* releaseReservation(upload.ownerId, upload.uploadId, "cancelled", requestId)
  yield* discardAllStaged(upload.uploadId)
})

/** Expiry (the janitor's step, also taken when a request finds an upload past its Upload-Expires). */
export const expireUpload = Effect.fn("Tus.expireUpload")(function*(upload: ExistingUpload, requestId?: string) {
  const actors = yield* ActorSystem
  yield* actors.send(UploadAggregate, upload.uploadId, {
    command: { _tag: "ExpireUpload", uploadId: upload.uploadId },
    actor: SYSTEM_ACTOR,
    commandId: `expire:${upload.uploadId}`,
    correlationId: requestId
  })
  yield* releaseReservation(upload.ownerId, upload.uploadId, "expired", requestId)
  yield* discardAllStaged(upload.uploadId)
})

export interface QuotaSummary {
  /** null: unlimited. */
  readonly limitBytes: number | null
  readonly remainingBytes: number | null
  readonly resetsAt: string | null
}

/**
 * How much of the user's allowance is left and when it renews, asked of the Quota decider itself:
 * a dry-run reservation of more bytes than anyone has is refused with exactly these figures.
 */
export const quotaSummary = Effect.fn("Tus.quotaSummary")(function*(actor: Actor, settings: DomainSettings) {
  const actors = yield* ActorSystem
  const { state } = yield* actors.current(QuotaAggregate, actor.userId)
  const now = yield* Clock.currentTimeMillis
  const probe = QuotaAggregate.decider.decide(
    { _tag: "ReserveUpload", userId: actor.userId, uploadId: "quota-probe", bytes: Number.MAX_SAFE_INTEGER },
    state,
    { now, actor, settings }
  )
  if (Result.isSuccess(probe) || probe.failure._tag !== "QuotaExceeded") {
    return { limitBytes: null, remainingBytes: null, resetsAt: null } satisfies QuotaSummary
  }
  return summaryOf(probe.failure)
})

export const summaryOf = (e: QuotaExceeded): QuotaSummary => ({
  limitBytes: Number.isFinite(e.limitBytes) ? e.limitBytes : null,
  remainingBytes: Number.isFinite(e.remainingBytes) ? e.remainingBytes : null,
  resetsAt: new Date(e.resetsAt).toISOString()
})
