/** Why the live-stream aggregate rejects a command. */
import { Schema } from "effect"
import { formatBytes } from "../shared/Bytes.ts"
import type { AlreadyExists, Forbidden, NotFound, NotOwner, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"

export class PartOutOfOrder extends Schema.TaggedError<PartOutOfOrder>()("PartOutOfOrder", {
  partNumber: Schema.Number,
  expectedPartNumber: Schema.Number,
  offset: Schema.Number,
  expectedOffset: Schema.Number
}) {
  readonly code = "PART_OUT_OF_ORDER" as const
  override get message(): string {
    return `The next part is number ${this.expectedPartNumber} at offset ${this.expectedOffset}, not ${this.partNumber} at ${this.offset}.`
  }
}

export class PartSizeInvalid extends Schema.TaggedError<PartSizeInvalid>()("PartSizeInvalid", {
  size: Schema.Number,
  chunkSizeBytes: Schema.Number,
  reason: Schema.String
}) {
  readonly code = "PART_SIZE_INVALID" as const
  override get message(): string {
    return `A part of ${formatBytes(this.size)} is not accepted (parts are ${formatBytes(this.chunkSizeBytes)}): ${this.reason}.`
  }
}

/** The last, partial part was uploaded: the stream has no more bytes. */
export class TailAlreadySealed extends Schema.TaggedError<TailAlreadySealed>()("TailAlreadySealed", { partNumber: Schema.Number }) {
  readonly code = "TAIL_ALREADY_SEALED" as const
  override get message(): string {
    return `Part ${this.partNumber} was the stream's last; nothing can follow it.`
  }
}

/** Another upload (etag or digest) is already recorded for this part number. */
export class PartAlreadyUploaded extends Schema.TaggedError<PartAlreadyUploaded>()("PartAlreadyUploaded", {
  partNumber: Schema.Number,
  etag: Schema.String
}) {
  readonly code = "PART_ALREADY_UPLOADED" as const
  override get message(): string {
    return `Part ${this.partNumber} was already recorded (etag ${this.etag}).`
  }
}

export class PartNotFound extends Schema.TaggedError<PartNotFound>()("PartNotFound", { partNumber: Schema.Number }) {
  readonly code = "PART_NOT_FOUND" as const
  override get message(): string {
    return `The stream has no part ${this.partNumber}.`
  }
}

/** A pushed stream's part may only hold bytes that were received. */
export class PartBeyondReceived extends Schema.TaggedError<PartBeyondReceived>()("PartBeyondReceived", {
  end: Schema.Number,
  receivedBytes: Schema.Number
}) {
  readonly code = "PART_BEYOND_RECEIVED" as const
  override get message(): string {
    return `A part ending at byte ${this.end} goes past the ${this.receivedBytes} bytes received.`
  }
}

export class MultipartNotStarted extends Schema.TaggedError<MultipartNotStarted>()("MultipartNotStarted", { streamId: Schema.String }) {
  readonly code = "MULTIPART_NOT_STARTED" as const
  override get message(): string {
    return `Stream "${this.streamId}" has no multipart upload yet.`
  }
}

export class MultipartConflict extends Schema.TaggedError<MultipartConflict>()("MultipartConflict", {
  streamId: Schema.String,
  multipartUploadId: Schema.String
}) {
  readonly code = "MULTIPART_CONFLICT" as const
  override get message(): string {
    return `Stream "${this.streamId}" already uses multipart upload ${this.multipartUploadId}.`
  }
}

/** Pushed bytes must continue at the acknowledged end (as tus). */
export class StreamOffsetMismatch extends Schema.TaggedError<StreamOffsetMismatch>()("StreamOffsetMismatch", {
  expectedOffset: Schema.Number,
  offset: Schema.Number
}) {
  readonly code = "OFFSET_MISMATCH" as const
  override get message(): string {
    return `Bytes must continue at offset ${this.expectedOffset}, not ${this.offset}.`
  }
}

export class NotPushed extends Schema.TaggedError<NotPushed>()("NotPushed", { streamId: Schema.String }) {
  readonly code = "STREAM_NOT_PUSHED" as const
  override get message(): string {
    return `Stream "${this.streamId}" is fed from a watched file; it does not take pushed bytes.`
  }
}

export class StreamNotLive extends Schema.TaggedError<StreamNotLive>()("StreamNotLive", { streamId: Schema.String }) {
  readonly code = "STREAM_NOT_LIVE" as const
  override get message(): string {
    return `Stream "${this.streamId}" has ended and takes no more bytes.`
  }
}

export class StreamNotEnded extends Schema.TaggedError<StreamNotEnded>()("StreamNotEnded", { streamId: Schema.String }) {
  readonly code = "STREAM_NOT_ENDED" as const
  override get message(): string {
    return `Stream "${this.streamId}" is still live; end it before this.`
  }
}

/** Pushed bytes received but not yet stored in a part. */
export class BytesPending extends Schema.TaggedError<BytesPending>()("BytesPending", {
  uploadedBytes: Schema.Number,
  receivedBytes: Schema.Number
}) {
  readonly code = "BYTES_PENDING" as const
  override get message(): string {
    return `Only ${this.uploadedBytes} of the ${this.receivedBytes} bytes received are stored in parts.`
  }
}

export class StreamEmpty extends Schema.TaggedError<StreamEmpty>()("StreamEmpty", { streamId: Schema.String }) {
  readonly code = "STREAM_EMPTY" as const
  override get message(): string {
    return `Stream "${this.streamId}" has no part: there is nothing to finalize.`
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

export class StreamAlreadyFailed extends Schema.TaggedError<StreamAlreadyFailed>()("StreamAlreadyFailed", {
  streamId: Schema.String,
  detail: Schema.String
}) {
  readonly code = "STREAM_FAILED" as const
  override get message(): string {
    return `Stream "${this.streamId}" failed (${this.detail}) and accepts no further changes.`
  }
}

export type StreamError =
  | PartOutOfOrder
  | PartSizeInvalid
  | TailAlreadySealed
  | PartAlreadyUploaded
  | PartNotFound
  | PartBeyondReceived
  | MultipartNotStarted
  | MultipartConflict
  | StreamOffsetMismatch
  | NotPushed
  | StreamNotLive
  | StreamNotEnded
  | BytesPending
  | StreamEmpty
  | StreamAlreadyFinalized
  | StreamAlreadyFailed
  | NotOwner
  | Forbidden
  | NotFound
  | AlreadyExists
  | WrongAggregate
  | UnknownCommand
