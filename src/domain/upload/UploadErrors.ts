/** Why the upload aggregate rejects a command. */
import { Schema } from "effect"
import { formatBytes } from "../shared/Bytes.ts"
import { formatInstant } from "../shared/FormatInstant.ts"
import type { AlreadyExists, Forbidden, NotFound, NotOwner, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"

export class UploadTerminal extends Schema.TaggedError<UploadTerminal>()("UploadTerminal", {
  uploadId: Schema.String,
  status: Schema.String
}) {
  readonly code = "UPLOAD_TERMINAL" as const
  override get message(): string {
    return `Upload "${this.uploadId}" is ${this.status.toLowerCase()} and accepts no further changes.`
  }
}

/** The command does not fit the upload's lifecycle stage (e.g. processing before all bytes arrived). */
export class InvalidUploadState extends Schema.TaggedError<InvalidUploadState>()("InvalidUploadState", {
  uploadId: Schema.String,
  status: Schema.String,
  action: Schema.String
}) {
  readonly code = "INVALID_UPLOAD_STATE" as const
  override get message(): string {
    return `Cannot ${this.action}: upload "${this.uploadId}" is ${this.status.toLowerCase()}.`
  }
}

export class OffsetMismatch extends Schema.TaggedError<OffsetMismatch>()("OffsetMismatch", {
  expectedOffset: Schema.Number,
  offset: Schema.Number
}) {
  readonly code = "OFFSET_MISMATCH" as const
  override get message(): string {
    return `Bytes must continue at offset ${this.expectedOffset}, not ${this.offset}.`
  }
}

export class UploadSizeExceeded extends Schema.TaggedError<UploadSizeExceeded>()("UploadSizeExceeded", {
  declaredSize: Schema.Number,
  end: Schema.Number
}) {
  readonly code = "UPLOAD_SIZE_EXCEEDED" as const
  override get message(): string {
    return `These bytes would end at ${this.end}, past the declared size of ${this.declaredSize} bytes.`
  }
}

export class FileTooLarge extends Schema.TaggedError<FileTooLarge>()("FileTooLarge", {
  declaredSize: Schema.Number,
  maxFileSizeBytes: Schema.Number
}) {
  readonly code = "FILE_TOO_LARGE" as const
  override get message(): string {
    return `The file is ${formatBytes(this.declaredSize)}; the largest accepted is ${formatBytes(this.maxFileSizeBytes)}.`
  }
}

export class UnsupportedFormat extends Schema.TaggedError<UnsupportedFormat>()("UnsupportedFormat", {
  container: Schema.String,
  accepted: Schema.Array(Schema.String)
}) {
  readonly code = "UNSUPPORTED_FORMAT" as const
  override get message(): string {
    const declared = this.container === "" ? "a file name without an extension" : `".${this.container}"`
    return `Cannot accept ${declared}; accepted video formats: ${this.accepted.join(", ")}.`
  }
}

export class InvalidFilename extends Schema.TaggedError<InvalidFilename>()("InvalidFilename", {}) {
  readonly code = "INVALID_FILENAME" as const
  override get message(): string {
    return "The file name is empty once path parts and control characters are removed."
  }
}

export class StepOutOfOrder extends Schema.TaggedError<StepOutOfOrder>()("StepOutOfOrder", {
  step: Schema.String,
  expectedStep: Schema.String
}) {
  readonly code = "STEP_OUT_OF_ORDER" as const
  override get message(): string {
    return `The next processing step is "${this.expectedStep}", not "${this.step}".`
  }
}

export class LeaseHeld extends Schema.TaggedError<LeaseHeld>()("LeaseHeld", {
  step: Schema.String,
  heldBy: Schema.String,
  expiresAt: Schema.Number
}) {
  readonly code = "LEASE_HELD" as const
  override get message(): string {
    return `Step "${this.step}" is leased to ${this.heldBy} until ${formatInstant(this.expiresAt)}.`
  }
}

/** A completion or failure from a worker whose claim is not the current one. */
export class LeaseNotHeld extends Schema.TaggedError<LeaseNotHeld>()("LeaseNotHeld", {
  step: Schema.String,
  workerId: Schema.String,
  attempt: Schema.Number
}) {
  readonly code = "LEASE_NOT_HELD" as const
  override get message(): string {
    return `Worker ${this.workerId} does not hold attempt ${this.attempt} of step "${this.step}".`
  }
}

/** A part of the original recorded out of order (parts are recorded 1, 2, 3, … per multipart upload). */
export class ChunkOutOfOrder extends Schema.TaggedError<ChunkOutOfOrder>()("ChunkOutOfOrder", {
  partNumber: Schema.Number,
  expectedPartNumber: Schema.Number
}) {
  readonly code = "CHUNK_OUT_OF_ORDER" as const
  override get message(): string {
    return `The next chunk of the original is part ${this.expectedPartNumber}, not part ${this.partNumber}.`
  }
}

export class RetryNotDue extends Schema.TaggedError<RetryNotDue>()("RetryNotDue", {
  step: Schema.String,
  retryAt: Schema.Number
}) {
  readonly code = "RETRY_NOT_DUE" as const
  override get message(): string {
    return `Step "${this.step}" may be retried from ${formatInstant(this.retryAt)}.`
  }
}

export class AttemptsExhausted extends Schema.TaggedError<AttemptsExhausted>()("AttemptsExhausted", {
  step: Schema.String,
  attempts: Schema.Number
}) {
  readonly code = "ATTEMPTS_EXHAUSTED" as const
  override get message(): string {
    return `Step "${this.step}" was tried ${this.attempts} times; fail the upload instead.`
  }
}

export class UploadNotExpired extends Schema.TaggedError<UploadNotExpired>()("UploadNotExpired", {
  uploadId: Schema.String,
  expiresAt: Schema.Number
}) {
  readonly code = "UPLOAD_NOT_EXPIRED" as const
  override get message(): string {
    return `Upload "${this.uploadId}" received bytes recently; it expires at ${formatInstant(this.expiresAt)} without progress.`
  }
}

export type UploadError =
  | UploadTerminal
  | InvalidUploadState
  | OffsetMismatch
  | UploadSizeExceeded
  | FileTooLarge
  | UnsupportedFormat
  | InvalidFilename
  | StepOutOfOrder
  | LeaseHeld
  | LeaseNotHeld
  | ChunkOutOfOrder
  | RetryNotDue
  | AttemptsExhausted
  | UploadNotExpired
  | NotOwner
  | Forbidden
  | NotFound
  | AlreadyExists
  | WrongAggregate
  | UnknownCommand
