/** Why the view aggregate refuses a report. */
import { Schema } from "effect"
import type { UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"

export class ViewNotQualified extends Schema.TaggedError<ViewNotQualified>()("ViewNotQualified", {
  watchedSeconds: Schema.Number,
  requiredSeconds: Schema.Number
}) {
  readonly code = "VIEW_NOT_QUALIFIED" as const
  override get message(): string {
    return `A view counts after ${this.requiredSeconds} s watched; the report says ${this.watchedSeconds} s.`
  }
}

/** The player claims more watch time than has passed since its playback session was minted. */
export class WatchTimeImplausible extends Schema.TaggedError<WatchTimeImplausible>()("WatchTimeImplausible", {
  watchedSeconds: Schema.Number,
  sessionAgeSeconds: Schema.Number
}) {
  readonly code = "WATCH_TIME_IMPLAUSIBLE" as const
  override get message(): string {
    return `The report says ${this.watchedSeconds} s watched, but the playback session is only ${this.sessionAgeSeconds} s old.`
  }
}

export type ViewError = ViewNotQualified | WatchTimeImplausible | WrongAggregate | UnknownCommand
