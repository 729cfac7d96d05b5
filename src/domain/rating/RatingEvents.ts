/** Events of the rating aggregate. All at schema version 1. */
import { Schema } from "effect"
import { EntityId, EpochMillis, UserId } from "../shared/Primitives.ts"
import { RatingValue } from "./RatingCommands.ts"

/** `previous` makes the counts a pure delta: likes += (rating = like) − (previous = like). */
export const RatingChanged = Schema.TaggedStruct("RatingChanged", {
  videoId: EntityId,
  userId: UserId,
  rating: RatingValue,
  previous: RatingValue,
  at: EpochMillis
})

export const RatingEvent = Schema.Union([RatingChanged])
export type RatingEvent = typeof RatingEvent.Type
