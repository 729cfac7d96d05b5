/** Events of the live-stream aggregate. All at schema version 1. */
import { Schema } from "effect"
import { EntityId, EpochMillis, NonNegativeInt, PositiveInt, UserId } from "../shared/Primitives.ts"
import { EndReason, StreamSource } from "./StreamCommands.ts"

export const StreamStarted = Schema.TaggedStruct("StreamStarted", {
  streamId: EntityId,
  ownerId: UserId,
  source: StreamSource,
  sourceRef: Schema.optional(Schema.String),
  /** Chunk size in force for this stream, fixed at its start. */
  chunkSizeBytes: PositiveInt,
  at: EpochMillis
})

export const ChunkSealed = Schema.TaggedStruct("ChunkSealed", {
  streamId: EntityId,
  index: NonNegativeInt,
  /** Byte offset of the chunk in the stream. */
  offset: NonNegativeInt,
  size: PositiveInt,
  at: EpochMillis
})

export const ChunkUploaded = Schema.TaggedStruct("ChunkUploaded", {
  streamId: EntityId,
  index: NonNegativeInt,
  partNumber: PositiveInt,
  etag: Schema.String,
  size: PositiveInt,
  at: EpochMillis
})

export const StreamEnded = Schema.TaggedStruct("StreamEnded", { streamId: EntityId, reason: EndReason, at: EpochMillis })

/** The multipart upload can be completed with `parts`; the media pipeline takes over. */
export const StreamFinalized = Schema.TaggedStruct("StreamFinalized", {
  streamId: EntityId,
  totalSize: PositiveInt,
  chunkCount: PositiveInt,
  parts: Schema.Array(Schema.Struct({ partNumber: PositiveInt, etag: Schema.String })),
  at: EpochMillis
})

export const StreamEvent = Schema.Union([StreamStarted, ChunkSealed, ChunkUploaded, StreamEnded, StreamFinalized])
export type StreamEvent = typeof StreamEvent.Type
