/** Typed failures of the read store port; adapters map their driver's errors onto these. */
import { Data } from "effect"

/** The backing store could not be reached or failed; a failed commit wrote nothing or everything, never part. */
export class ReadStoreUnavailable extends Data.TaggedError("ReadStoreUnavailable")<{
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message() {
    return `read store unavailable: ${this.reason}`
  }
}

/** A name, id, score, cursor, limit or document out of its domain; nothing was written. */
export class ReadStoreInvalidArgument extends Data.TaggedError("ReadStoreInvalidArgument")<{
  readonly argument: string
  readonly reason: string
}> {
  override get message() {
    return `${this.argument}: ${this.reason}`
  }
}

/** Stored data that cannot be read back (not JSON, wrong type): someone else wrote under our keys. */
export class ReadStoreCorrupted extends Data.TaggedError("ReadStoreCorrupted")<{
  readonly key: string
  readonly reason: string
}> {
  override get message() {
    return `read store data at ${this.key} is corrupted: ${this.reason}`
  }
}

export type ReadStoreError = ReadStoreUnavailable | ReadStoreInvalidArgument | ReadStoreCorrupted
