/** Typed failures of the read store port; adapters map their driver's errors onto these. */
import { Data } from "effect"
import type { Slot } from "./ReadStoreTypes.ts"

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

/**
 * A fenced commit (`after`) found the slot's checkpoint elsewhere: another writer folded into the
 * slot meanwhile (a node that took the projection over, or a drop). Nothing was written.
 */
export class CheckpointMoved extends Data.TaggedError("CheckpointMoved")<{
  readonly slot: Slot
  /** The checkpoint the commit was folded from (0: none). */
  readonly expected: number
  /** The checkpoint found (0: none). */
  readonly actual: number
}> {
  override get message() {
    const { projection, version, generation } = this.slot
    const slot = `${projection}:v${version}${generation === 0 ? "" : `.${generation}`}`
    return `checkpoint of ${slot} moved: expected ${this.expected}, found ${this.actual} (another writer folded into it)`
  }
}

export type ReadStoreError = ReadStoreUnavailable | ReadStoreInvalidArgument | ReadStoreCorrupted | CheckpointMoved
