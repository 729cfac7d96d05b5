/** Commands of the live-stream aggregate (`stream-<id>`). */
import { Schema } from "effect"
import { EntityId, NonNegativeInt, PositiveInt } from "../shared/Primitives.ts"

/** A file growing in the watch directory, or bytes pushed over HTTP. */
export const StreamSource = Schema.Literals(["watch", "push"])

export const StartStream = Schema.TaggedStruct("StartStream", {
  streamId: EntityId,
  source: StreamSource,
  /** The watched file's name, or a label of the pushing client. */
  sourceRef: Schema.optional(Schema.String.check(Schema.isMaxLength(500)))
})

/** The next `size` bytes form chunk `index` (from 0, contiguous). */
export const SealChunk = Schema.TaggedStruct("SealChunk", {
  streamId: EntityId,
  index: NonNegativeInt,
  size: PositiveInt
})

/** Chunk `index` was stored as part `partNumber` (= index + 1) of the multipart upload. */
export const RecordChunkUploaded = Schema.TaggedStruct("RecordChunkUploaded", {
  streamId: EntityId,
  index: NonNegativeInt,
  partNumber: PositiveInt,
  etag: Schema.String.check(Schema.isBetweenLength(1, 200)),
  size: PositiveInt
})

export const EndReason = Schema.Literals(["timeout", "explicit"])

export const EndStream = Schema.TaggedStruct("EndStream", { streamId: EntityId, reason: EndReason })

export const FinalizeStream = Schema.TaggedStruct("FinalizeStream", { streamId: EntityId })

export const StreamCommand = Schema.Union([StartStream, SealChunk, RecordChunkUploaded, EndStream, FinalizeStream])
export type StreamCommand = typeof StreamCommand.Type
