/** Commands of the upload aggregate (`upload-<id>`). */
import { Schema } from "effect"
import { EntityId, NonNegativeInt, PositiveInt, Reason, Sha256Hex, UserId } from "../shared/Primitives.ts"

/** RFC 6838 `type/subtype`, no parameters. */
export const ContentType = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$/)
)

/** A checksum the HTTP layer verified over the appended bytes (tus checksum extension). */
export const Checksum = Schema.Struct({
  algorithm: Schema.Literals(["sha1", "sha256", "md5", "crc32"]),
  value: Schema.String.check(Schema.isBetweenLength(1, 128))
})

export const ProcessingStep = Schema.Literals(["chunk", "transcode", "publish"])
export type ProcessingStep = typeof ProcessingStep.Type
export const PROCESSING_STEPS: ReadonlyArray<ProcessingStep> = ["chunk", "transcode", "publish"]

/** The acting user becomes the owner; the filename is sanitized by the decider. */
export const CreateUpload = Schema.TaggedStruct("CreateUpload", {
  uploadId: EntityId,
  filename: Schema.String.check(Schema.isMaxLength(4096)),
  declaredSize: PositiveInt,
  contentType: ContentType
})

/**
 * As the system, once a live stream was finalized: an upload of the stream's original, already sealed at
 * `originals/<uploadId>` (the upload's id is the stream's), so processing starts at the transcode step.
 * `title` names it (sanitized into the filename); `size` and `sha256` are the original's as stored.
 */
export const AdoptStreamOriginal = Schema.TaggedStruct("AdoptStreamOriginal", {
  uploadId: EntityId,
  ownerId: UserId,
  title: Schema.String.check(Schema.isMaxLength(4096)),
  size: PositiveInt,
  sha256: Sha256Hex
})

/** `length` bytes were stored at `offset` (the bytes themselves live in the object store). */
export const AppendBytes = Schema.TaggedStruct("AppendBytes", {
  uploadId: EntityId,
  offset: NonNegativeInt,
  length: NonNegativeInt,
  checksum: Schema.optional(Checksum)
})

/** A worker asks for the next processing step, for `leaseMs` (default: the settings' lease). */
export const ClaimStep = Schema.TaggedStruct("ClaimStep", {
  uploadId: EntityId,
  step: ProcessingStep,
  workerId: EntityId,
  leaseMs: Schema.optional(PositiveInt)
})

/** What a finished step wants kept (output keys, probed facts). */
export const StepDetails = Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Finite, Schema.Boolean]))

/** One rendition of a published HLS ladder, as its master playlist lists it. */
export const PublishedRendition = Schema.Struct({
  /** "720p", also its directory under the video's media prefix. */
  name: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_-]{1,32}$/)),
  width: PositiveInt,
  height: PositiveInt,
  /** Peak and average bits per second (the master playlist's BANDWIDTH and AVERAGE-BANDWIDTH). */
  bandwidth: PositiveInt,
  averageBandwidth: PositiveInt,
  /** RFC 6381 codecs, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs: Schema.String.check(Schema.isBetweenLength(1, 200)),
  frameRate: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)),
  /** The rendition's media playlist URL, e.g. `/media/<id>/720p/index.m3u8`. */
  playlistUrl: Schema.String.check(Schema.isBetweenLength(1, 1024))
})

/**
 * What publishing produced (on the publish step's completion, copied onto `UploadReady`). URLs are paths on
 * Keyframe's HTTP listener (`/media/<videoId>/…`): served from the fs store, or redirected to S3.
 */
export const PublishedMedia = Schema.Struct({
  masterPlaylistUrl: Schema.String.check(Schema.isBetweenLength(1, 1024)),
  thumbnailUrl: Schema.String.check(Schema.isBetweenLength(1, 1024)),
  thumbnailWidth: PositiveInt,
  thumbnailHeight: PositiveInt,
  durationSeconds: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)),
  /** Display size of the source (after rotation). */
  width: PositiveInt,
  height: PositiveInt,
  renditions: Schema.Array(PublishedRendition).check(Schema.isMinLength(1)),
  /** The original as stored (`originals/<id>`): its size and SHA-256 (hex). */
  sizeBytes: NonNegativeInt,
  sha256: Sha256Hex
})

export const CompleteStep = Schema.TaggedStruct("CompleteStep", {
  uploadId: EntityId,
  step: ProcessingStep,
  workerId: EntityId,
  attempt: PositiveInt,
  details: Schema.optional(StepDetails),
  /** The publish step's outcome; ignored for the other steps. */
  media: Schema.optional(PublishedMedia)
})

/**
 * The chunk step stored part `partNumber` of the original's multipart upload. Parts are recorded in order
 * from 1; part 1 of another multipart upload starts the original over (the old upload was lost).
 */
export const RecordChunk = Schema.TaggedStruct("RecordChunk", {
  uploadId: EntityId,
  workerId: EntityId,
  attempt: PositiveInt,
  multipartUploadId: Schema.String.check(Schema.isBetweenLength(1, 1024)),
  partNumber: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 })),
  etag: Schema.String.check(Schema.isBetweenLength(1, 256)),
  size: PositiveInt
})

/** Milestones of a step worth keeping (the ephemeral percentages are not events). */
export const Milestone = Schema.Literals(["probed", "transcoded", "thumbnailed"])
export type Milestone = typeof Milestone.Type

export const RecordMilestone = Schema.TaggedStruct("RecordMilestone", {
  uploadId: EntityId,
  step: ProcessingStep,
  workerId: EntityId,
  attempt: PositiveInt,
  milestone: Milestone,
  details: Schema.optional(StepDetails)
})

export const FailStep = Schema.TaggedStruct("FailStep", {
  uploadId: EntityId,
  step: ProcessingStep,
  workerId: EntityId,
  attempt: PositiveInt,
  reason: Reason,
  /** False when trying again cannot help (e.g. the file is not a video). */
  retryable: Schema.Boolean
})

export const CancelUpload = Schema.TaggedStruct("CancelUpload", {
  uploadId: EntityId,
  reason: Schema.optional(Reason)
})

/** The system or an admin gives up on an upload (attempts exhausted, probe rejected the file, …). */
export const FailUpload = Schema.TaggedStruct("FailUpload", {
  uploadId: EntityId,
  reason: Reason
})

/** The janitor's command for an upload that stopped receiving bytes. */
export const ExpireUpload = Schema.TaggedStruct("ExpireUpload", {
  uploadId: EntityId
})

export const UploadCommand = Schema.Union([
  CreateUpload,
  AdoptStreamOriginal,
  AppendBytes,
  ClaimStep,
  CompleteStep,
  FailStep,
  RecordChunk,
  RecordMilestone,
  CancelUpload,
  FailUpload,
  ExpireUpload
])
export type UploadCommand = typeof UploadCommand.Type
