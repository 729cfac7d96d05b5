/** Commands of the live-stream aggregate (`stream-<id>`). */
import { Schema } from "effect"
import { EntityId, NonNegativeInt, PositiveInt, Reason, Sha256Hex } from "../shared/Primitives.ts"

/** A file growing in the watch directory, or bytes pushed over HTTP. */
export const StreamSource = Schema.Literals(["watch", "push"])

export const StartStream = Schema.TaggedStruct("StartStream", {
  streamId: EntityId,
  source: StreamSource,
  /** The watched file's name, or a label of the pushing client. */
  sourceRef: Schema.optional(Schema.String.check(Schema.isMaxLength(500))),
  /** The title the video gets (a watched file's sidecar `title`). */
  title: Schema.optional(Reason)
})

const ObjectKeyText = Schema.String.check(Schema.isBetweenLength(1, 1024))
const Etag = Schema.String.check(Schema.isBetweenLength(1, 200))

/** The multipart upload that holds the stream's parts was created: recorded before any part, so a restart reuses it. */
export const RecordMultipartStarted = Schema.TaggedStruct("RecordMultipartStarted", {
  streamId: EntityId,
  key: ObjectKeyText,
  multipartUploadId: Schema.String.check(Schema.isBetweenLength(1, 1024))
})

/** Pushed bytes `[offset, offset + length)` are durable (staged): HTTP push only, offset-checked like tus. */
export const ReceiveStreamBytes = Schema.TaggedStruct("ReceiveStreamBytes", {
  streamId: EntityId,
  offset: NonNegativeInt,
  length: PositiveInt
})

/**
 * Part `partNumber` (from 1, contiguous) holding bytes `[offset, offset + size)` is stored in the multipart
 * upload. `observedBytes`: how many bytes the source had when the part was recorded (the read model's lag).
 */
export const RecordStreamPart = Schema.TaggedStruct("RecordStreamPart", {
  streamId: EntityId,
  partNumber: PositiveInt,
  offset: NonNegativeInt,
  size: PositiveInt,
  etag: Etag,
  sha256: Sha256Hex,
  observedBytes: NonNegativeInt
})

/** An uploaded part's bytes changed in the source (a recorder rewrote the header on close) and were uploaded again. */
export const RecordPartRewritten = Schema.TaggedStruct("RecordPartRewritten", {
  streamId: EntityId,
  partNumber: PositiveInt,
  etag: Etag,
  sha256: Sha256Hex
})

export const EndReason = Schema.Literals(["timeout", "explicit"])

export const EndStream = Schema.TaggedStruct("EndStream", { streamId: EntityId, reason: EndReason })

/** The multipart upload was completed; `sha256` is the digest of the whole original. */
export const FinalizeStream = Schema.TaggedStruct("FinalizeStream", { streamId: EntityId, sha256: Sha256Hex })

/** Why a stream was stopped before it could be finalized. */
export const FailureReason = Schema.Literals(["source-vanished", "source-shrank", "source-changed", "source-empty", "quota-exceeded", "upload-failed"])
export type FailureReason = typeof FailureReason.Type

export const FailStream = Schema.TaggedStruct("FailStream", { streamId: EntityId, reason: FailureReason, detail: Reason })

export const StreamCommand = Schema.Union([
  StartStream,
  RecordMultipartStarted,
  ReceiveStreamBytes,
  RecordStreamPart,
  RecordPartRewritten,
  EndStream,
  FinalizeStream,
  FailStream
])
export type StreamCommand = typeof StreamCommand.Type
