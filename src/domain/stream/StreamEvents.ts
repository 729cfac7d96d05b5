/** Events of the live-stream aggregate. All at schema version 1. */
import { Schema } from "effect"
import { EntityId, EpochMillis, NonNegativeInt, PositiveInt, Reason, Sha256Hex, UserId } from "../shared/Primitives.ts"
import { EndReason, FailureReason, StreamSource } from "./StreamCommands.ts"

export const StreamStarted = Schema.TaggedStruct("StreamStarted", {
  streamId: EntityId,
  ownerId: UserId,
  source: StreamSource,
  sourceRef: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String),
  /** Part size in force for this stream, fixed at its start. */
  chunkSizeBytes: PositiveInt,
  at: EpochMillis
})

/** The S3 multipart upload of the original exists: a restarted ingester continues it. */
export const StreamMultipartStarted = Schema.TaggedStruct("StreamMultipartStarted", {
  streamId: EntityId,
  key: Schema.String,
  multipartUploadId: Schema.String,
  at: EpochMillis
})

/** Pushed bytes acknowledged durable (HTTP push): the stream's source is `receivedBytes` long. */
export const StreamBytesReceived = Schema.TaggedStruct("StreamBytesReceived", {
  streamId: EntityId,
  offset: NonNegativeInt,
  length: PositiveInt,
  at: EpochMillis
})

export const StreamPartUploaded = Schema.TaggedStruct("StreamPartUploaded", {
  streamId: EntityId,
  partNumber: PositiveInt,
  /** Byte offset of the part in the stream. */
  offset: NonNegativeInt,
  size: PositiveInt,
  etag: Schema.String,
  sha256: Sha256Hex,
  /** Bytes the source had when the part was recorded. */
  observedBytes: NonNegativeInt,
  at: EpochMillis
})

/** A part uploaded again at finalization because its bytes changed since it was sealed. */
export const StreamPartRewritten = Schema.TaggedStruct("StreamPartRewritten", {
  streamId: EntityId,
  partNumber: PositiveInt,
  offset: NonNegativeInt,
  size: PositiveInt,
  etag: Schema.String,
  sha256: Sha256Hex,
  previousSha256: Sha256Hex,
  at: EpochMillis
})

export const StreamEnded = Schema.TaggedStruct("StreamEnded", { streamId: EntityId, reason: EndReason, at: EpochMillis })

export const FinalPart = Schema.Struct({ partNumber: PositiveInt, etag: Schema.String, size: PositiveInt, sha256: Sha256Hex })

/** The multipart upload was completed into the original; the media pipeline takes over. */
export const StreamFinalized = Schema.TaggedStruct("StreamFinalized", {
  streamId: EntityId,
  totalSize: PositiveInt,
  chunkCount: PositiveInt,
  parts: Schema.Array(FinalPart),
  /** Part numbers uploaded again because their bytes changed after they were sealed. */
  rewrittenParts: Schema.Array(PositiveInt),
  /** SHA-256 (hex) of the whole original. */
  sha256: Sha256Hex,
  at: EpochMillis
})

/** Stopped for good: its multipart upload is (to be) aborted and its quota reservation released. */
export const StreamFailed = Schema.TaggedStruct("StreamFailed", {
  streamId: EntityId,
  reason: FailureReason,
  detail: Reason,
  /** Bytes stored in parts when it stopped. */
  uploadedBytes: NonNegativeInt,
  at: EpochMillis
})

export const StreamEvent = Schema.Union([
  StreamStarted,
  StreamMultipartStarted,
  StreamBytesReceived,
  StreamPartUploaded,
  StreamPartRewritten,
  StreamEnded,
  StreamFinalized,
  StreamFailed
])
export type StreamEvent = typeof StreamEvent.Type
