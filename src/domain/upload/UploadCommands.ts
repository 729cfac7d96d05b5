/** Commands of the upload aggregate (`upload-<id>`). */
import { Schema } from "effect"
import { EntityId, NonNegativeInt, PositiveInt, Reason } from "../shared/Primitives.ts"

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

export const CompleteStep = Schema.TaggedStruct("CompleteStep", {
  uploadId: EntityId,
  step: ProcessingStep,
  workerId: EntityId,
  attempt: PositiveInt,
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
  AppendBytes,
  ClaimStep,
  CompleteStep,
  FailStep,
  CancelUpload,
  FailUpload,
  ExpireUpload
])
export type UploadCommand = typeof UploadCommand.Type
