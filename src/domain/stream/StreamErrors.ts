/** Why the live-stream aggregate rejects a command. */
import { Schema } from "effect"
import { formatBytes } from "../shared/Bytes.ts"
import type { AlreadyExists, Forbidden, NotFound, NotOwner, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"

export class ChunkOutOfOrder extends Schema.TaggedError<ChunkOutOfOrder>()("ChunkOutOfOrder", {
  index: Schema.Number,
  expectedIndex: Schema.Number
}) {
  readonly code = "CHUNK_OUT_OF_ORDER" as const
  override get message(): string {
    return `The next chunk is number ${this.expectedIndex}, not ${this.index}.`
  }
}

export class ChunkSizeInvalid extends Schema.TaggedError<ChunkSizeInvalid>()("ChunkSizeInvalid", {
  size: Schema.Number,
  chunkSizeBytes: Schema.Number,
  reason: Schema.String
}) {
  readonly code = "CHUNK_SIZE_INVALID" as const
  override get message(): string {
    return `A chunk of ${formatBytes(this.size)} is not accepted (chunks are ${formatBytes(this.chunkSizeBytes)}): ${this.reason}.`
  }
}

/** The last, partial chunk was sealed: the stream has no more bytes. */
export class TailAlreadySealed extends Schema.TaggedError<TailAlreadySealed>()("TailAlreadySealed", { index: Schema.Number }) {
  readonly code = "TAIL_ALREADY_SEALED" as const
  override get message(): string {
    return `Chunk ${this.index} was the stream's last; nothing can follow it.`
  }
}

export class ChunkNotSealed extends Schema.TaggedError<ChunkNotSealed>()("ChunkNotSealed", { index: Schema.Number }) {
  readonly code = "CHUNK_NOT_SEALED" as const
  override get message(): string {
    return `Chunk ${this.index} has not been sealed yet.`
  }
}

export class ChunkMismatch extends Schema.TaggedError<ChunkMismatch>()("ChunkMismatch", {
  index: Schema.Number,
  detail: Schema.String
}) {
  readonly code = "CHUNK_MISMATCH" as const
  override get message(): string {
    return `Upload of chunk ${this.index} does not match the sealed chunk: ${this.detail}.`
  }
}

export class ChunkAlreadyUploaded extends Schema.TaggedError<ChunkAlreadyUploaded>()("ChunkAlreadyUploaded", {
  index: Schema.Number,
  etag: Schema.String
}) {
  readonly code = "CHUNK_ALREADY_UPLOADED" as const
  override get message(): string {
    return `Chunk ${this.index} was already uploaded (etag ${this.etag}).`
  }
}

export class StreamNotEnded extends Schema.TaggedError<StreamNotEnded>()("StreamNotEnded", { streamId: Schema.String }) {
  readonly code = "STREAM_NOT_ENDED" as const
  override get message(): string {
    return `Stream "${this.streamId}" is still live; end it before finalizing.`
  }
}

export class ChunksPending extends Schema.TaggedError<ChunksPending>()("ChunksPending", {
  indexes: Schema.Array(Schema.Number)
}) {
  readonly code = "CHUNKS_PENDING" as const
  override get message(): string {
    return `Chunks not uploaded yet: ${this.indexes.join(", ")}.`
  }
}

export class StreamEmpty extends Schema.TaggedError<StreamEmpty>()("StreamEmpty", { streamId: Schema.String }) {
  readonly code = "STREAM_EMPTY" as const
  override get message(): string {
    return `Stream "${this.streamId}" has no chunk: there is nothing to finalize.`
  }
}

export class StreamAlreadyFinalized extends Schema.TaggedError<StreamAlreadyFinalized>()("StreamAlreadyFinalized", {
  streamId: Schema.String
}) {
  readonly code = "STREAM_FINALIZED" as const
  override get message(): string {
    return `Stream "${this.streamId}" was finalized and accepts no further changes.`
  }
}

export type StreamError =
  | ChunkOutOfOrder
  | ChunkSizeInvalid
  | TailAlreadySealed
  | ChunkNotSealed
  | ChunkMismatch
  | ChunkAlreadyUploaded
  | StreamNotEnded
  | ChunksPending
  | StreamEmpty
  | StreamAlreadyFinalized
  | NotOwner
  | Forbidden
  | NotFound
  | AlreadyExists
  | WrongAggregate
  | UnknownCommand
