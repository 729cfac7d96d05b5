/** Events of the upload aggregate; `UploadCreated` is at schema version 2 (see the upcaster). */
import { Schema } from "effect"
import { EntityId, EpochMillis, NonNegativeInt, PositiveInt, Reason, Sha256Hex, UserId } from "../shared/Primitives.ts"
import type { EventVersions } from "../shared/VersionedEventCodec.ts"
import { Checksum, ContentType, Milestone, ProcessingStep, PublishedMedia, StepDetails } from "./UploadCommands.ts"

export const UploadCreated = Schema.TaggedStruct("UploadCreated", {
  uploadId: EntityId,
  ownerId: UserId,
  filename: Schema.String.check(Schema.isBetweenLength(1, 1024)),
  /** Lower-case extension the client declared; probing confirms it later. */
  container: Schema.String,
  declaredSize: PositiveInt,
  contentType: ContentType,
  at: EpochMillis
})

/**
 * An upload made from a finalized live stream (same id): its original is already sealed at
 * `originals/<uploadId>` with this size and SHA-256, so it starts at the transcode step.
 */
export const UploadAdoptedFromStream = Schema.TaggedStruct("UploadAdoptedFromStream", {
  uploadId: EntityId,
  ownerId: UserId,
  filename: Schema.String.check(Schema.isBetweenLength(1, 1024)),
  container: Schema.String,
  contentType: ContentType,
  size: PositiveInt,
  sha256: Sha256Hex,
  at: EpochMillis
})

export const BytesReceived = Schema.TaggedStruct("BytesReceived", {
  uploadId: EntityId,
  offset: NonNegativeInt,
  length: PositiveInt,
  /** Total bytes received after this append. */
  receivedBytes: PositiveInt,
  checksum: Schema.optional(Checksum),
  at: EpochMillis
})

export const UploadReceived = Schema.TaggedStruct("UploadReceived", {
  uploadId: EntityId,
  size: PositiveInt,
  at: EpochMillis
})

export const StepClaimed = Schema.TaggedStruct("StepClaimed", {
  uploadId: EntityId,
  step: ProcessingStep,
  workerId: EntityId,
  attempt: PositiveInt,
  leaseExpiresAt: EpochMillis,
  at: EpochMillis
})

export const StepCompleted = Schema.TaggedStruct("StepCompleted", {
  uploadId: EntityId,
  step: ProcessingStep,
  workerId: EntityId,
  attempt: PositiveInt,
  details: Schema.optional(StepDetails),
  at: EpochMillis
})

export const StepFailed = Schema.TaggedStruct("StepFailed", {
  uploadId: EntityId,
  step: ProcessingStep,
  workerId: EntityId,
  attempt: PositiveInt,
  reason: Reason,
  /** When the step may be claimed again; absent when it will not be retried. */
  retryAt: Schema.optional(EpochMillis),
  at: EpochMillis
})

/** A part of the original's multipart upload is stored: a restarted chunk step continues after the last one. */
export const ChunkUploaded = Schema.TaggedStruct("ChunkUploaded", {
  uploadId: EntityId,
  workerId: EntityId,
  attempt: PositiveInt,
  multipartUploadId: Schema.String.check(Schema.isBetweenLength(1, 1024)),
  partNumber: PositiveInt,
  etag: Schema.String.check(Schema.isBetweenLength(1, 256)),
  size: PositiveInt,
  at: EpochMillis
})

export const MilestoneReached = Schema.TaggedStruct("MilestoneReached", {
  uploadId: EntityId,
  step: ProcessingStep,
  workerId: EntityId,
  attempt: PositiveInt,
  milestone: Milestone,
  details: Schema.optional(StepDetails),
  at: EpochMillis
})

export const UploadReady = Schema.TaggedStruct("UploadReady", {
  uploadId: EntityId,
  /** What was published (absent only in events written before publishing recorded it). */
  media: Schema.optional(PublishedMedia),
  at: EpochMillis
})

export const UploadFailed = Schema.TaggedStruct("UploadFailed", {
  uploadId: EntityId,
  /** For a person: what went wrong, in a sentence. */
  reason: Schema.String.check(Schema.isMaxLength(1000)),
  at: EpochMillis
})

export const UploadCancelled = Schema.TaggedStruct("UploadCancelled", {
  uploadId: EntityId,
  cancelledBy: UserId,
  reason: Schema.optional(Reason),
  at: EpochMillis
})

export const UploadExpired = Schema.TaggedStruct("UploadExpired", {
  uploadId: EntityId,
  /** Last time bytes arrived (or creation). */
  idleSince: EpochMillis,
  at: EpochMillis
})

export const UploadEvent = Schema.Union([
  UploadCreated,
  UploadAdoptedFromStream,
  BytesReceived,
  UploadReceived,
  StepClaimed,
  StepCompleted,
  StepFailed,
  ChunkUploaded,
  MilestoneReached,
  UploadReady,
  UploadFailed,
  UploadCancelled,
  UploadExpired
])
export type UploadEvent = typeof UploadEvent.Type

/** Version 1 of `UploadCreated` called the size `size` and had no content type. */
export const UploadCreatedV1 = Schema.Struct({
  uploadId: EntityId,
  ownerId: UserId,
  filename: Schema.String.check(Schema.isBetweenLength(1, 1024)),
  container: Schema.String,
  size: PositiveInt,
  at: EpochMillis
})

export const UploadEventVersions: EventVersions = {
  current: { UploadCreated: 2 },
  upcasters: {
    UploadCreated: {
      1: ({ size, ...rest }) => ({ ...rest, declaredSize: size, contentType: "application/octet-stream" })
    }
  }
}
