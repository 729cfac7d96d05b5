/** Why the video aggregate rejects a command. */
import { Schema } from "effect"
import type { Forbidden, NotFound, NotOwner, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"

export class VideoTextInvalid extends Schema.TaggedError<VideoTextInvalid>()("VideoTextInvalid", {
  field: Schema.Literals(["title", "description"]),
  reason: Schema.String
}) {
  get code(): "VIDEO_TITLE_INVALID" | "VIDEO_DESCRIPTION_INVALID" {
    return this.field === "title" ? "VIDEO_TITLE_INVALID" : "VIDEO_DESCRIPTION_INVALID"
  }
  override get message(): string {
    return `The ${this.field} is refused: ${this.reason}.`
  }
}

/** An allowed-origins list that is not one (VideoOrigins.ts): 422 like every domain rule the request breaks. */
export class VideoOriginsInvalid extends Schema.TaggedError<VideoOriginsInvalid>()("VideoOriginsInvalid", {
  reason: Schema.String
}) {
  readonly code = "VIDEO_ORIGINS_INVALID" as const
  override get message(): string {
    return `The allowed origins are refused: ${this.reason}.`
  }
}

export type VideoError = VideoTextInvalid | VideoOriginsInvalid | Forbidden | NotFound | NotOwner | WrongAggregate | UnknownCommand
