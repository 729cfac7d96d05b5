/** Failures of the actor runtime itself (the decider's own rejections pass through untouched). */
import { Data } from "effect"

/** The aggregate's mailbox is full, or every live actor is busy and no more may start: try again later. */
export class ActorBusy extends Data.TaggedError("ActorBusy")<{
  readonly stream: string
  readonly reason: "mailbox_full" | "too_many_actors"
}> {
  override get message() {
    return this.reason === "mailbox_full"
      ? `${this.stream} is busy: its mailbox is full`
      : `cannot start an actor for ${this.stream}: every live actor is busy`
  }
}

/** Other writers kept winning the race for the stream's head; the command was not applied. */
export class ConcurrencyConflict extends Data.TaggedError("ConcurrencyConflict")<{
  readonly stream: string
  readonly attempts: number
}> {
  override get message() {
    return `${this.stream}: gave up after ${this.attempts} conflicting writes; the command was not applied`
  }
}

/** A stored event does not decode with the aggregate's schemas (a bug or an unknown version). */
export class EventDecodeFailed extends Data.TaggedError("EventDecodeFailed")<{
  readonly stream: string
  readonly revision: number
  readonly type: string
  readonly reason: string
}> {
  override get message() {
    return `${this.stream}@${this.revision} (${this.type}) does not decode: ${this.reason}`
  }
}
