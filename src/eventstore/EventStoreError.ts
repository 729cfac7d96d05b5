/** Typed failures of the event store port; every adapter maps its driver's errors onto these. */
import { Data } from "effect"
import type { ExpectedRevision } from "./EventStoreTypes.ts"

/** The stream's head was not what the caller expected. `actual` is the stream's last revision, or "no_stream". */
export class WrongExpectedRevision extends Data.TaggedError("WrongExpectedRevision")<{
  readonly stream: string
  readonly expected: ExpectedRevision
  readonly actual: number | "no_stream"
}> {
  override get message() {
    return `stream ${this.stream}: expected revision ${String(this.expected)}, actual ${String(this.actual)}`
  }
}

/** A stream name that is empty or not of the form `<category>-<id>`. */
export class InvalidStreamName extends Data.TaggedError("InvalidStreamName")<{
  readonly stream: string
  readonly reason: string
}> {
  override get message() {
    return `invalid stream name ${JSON.stringify(this.stream)}: ${this.reason}`
  }
}

/** An event that cannot be stored (too large, not JSON, bad type or id). `index` is its place in the append. */
export class InvalidEvent extends Data.TaggedError("InvalidEvent")<{
  readonly index: number
  readonly reason: string
}> {
  override get message() {
    return `event #${this.index}: ${this.reason}`
  }
}

/** Any other argument out of its domain (a negative revision, a zero limit, a bad checkpoint name). */
export class InvalidArgument extends Data.TaggedError("InvalidArgument")<{
  readonly argument: string
  readonly reason: string
}> {
  override get message() {
    return `${this.argument}: ${this.reason}`
  }
}

/** Some, but not all, of an append's event ids were already written: neither a retry nor a new append. */
export class DuplicateEventId extends Data.TaggedError("DuplicateEventId")<{
  readonly stream: string
  readonly eventId: string
}> {
  override get message() {
    return `event ${this.eventId} was already written (stream ${this.stream}) as part of another append`
  }
}

/** The backing store could not be reached or failed; the operation may or may not have been applied only if it is an append. */
export class EventStoreUnavailable extends Data.TaggedError("EventStoreUnavailable")<{
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message() {
    return `event store unavailable: ${this.reason}`
  }
}

export type EventStoreError =
  | WrongExpectedRevision
  | InvalidStreamName
  | InvalidEvent
  | InvalidArgument
  | DuplicateEventId
  | EventStoreUnavailable
