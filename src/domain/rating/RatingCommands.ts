/** Commands of the rating aggregate (`rating-<videoId>.<userKey>`): one rating per user per video. */
import { Schema } from "effect"
import { EntityId } from "../shared/Primitives.ts"

export const RatingValue = Schema.Literals(["like", "dislike", "none"])
export type RatingValue = typeof RatingValue.Type

/** The acting user rates the video; "none" takes a rating back. The same rating again changes nothing. */
export const RateVideo = Schema.TaggedStruct("RateVideo", { videoId: EntityId, rating: RatingValue })

export const RatingCommand = Schema.Union([RateVideo])
export type RatingCommand = typeof RatingCommand.Type
