/** Why the bytes of one request were not recorded, for the transport to answer in its own terms (tus: 413, 460). */
import { Data } from "effect"

/** The body is longer than the `left` bytes the upload still takes: nothing was stored. */
export class BodyTooLong extends Data.TaggedError("BodyTooLong")<{ readonly left: number }> {
  override get message() {
    return `the body is longer than the ${this.left} bytes this upload has left; nothing was stored`
  }
}

/** The stored bytes do not match the checksum the client announced (or were cut short): they were discarded. */
export class ChecksumMismatch extends Data.TaggedError("ChecksumMismatch")<{ readonly algorithm: string }> {
  override get message() {
    return `the body's ${this.algorithm} does not match the announced checksum; its bytes were discarded`
  }
}

/** A finalized stream's original is not in the object store: there is nothing to adopt. */
export class StreamOriginalMissing extends Data.TaggedError("StreamOriginalMissing")<{ readonly streamId: string; readonly key: string }> {
  override get message() {
    return `stream ${this.streamId} was finalized but its original ${this.key} is not in the object store`
  }
}

/** A finalized stream's original is stored with another size than the stream recorded: it is not adopted. */
export class StreamOriginalMismatch extends Data.TaggedError("StreamOriginalMismatch")<{
  readonly streamId: string
  readonly key: string
  readonly expectedSize: number
  readonly storedSize: number
}> {
  override get message() {
    return `stream ${this.streamId} was finalized at ${this.expectedSize} bytes but ${this.key} holds ${this.storedSize}`
  }
}
