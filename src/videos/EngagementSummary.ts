/**
 * A video's engagement as `/videos/:id` shows it: the counts and the caller's own rating, read from the
 * engagement read model in one round of reads (the two documents are fetched concurrently).
 */
import { Effect, Option } from "effect"
import { emptyCounts, ratingDocId, type RatingDoc, type VideoCountsDoc } from "../../projections/EngagementDocuments.ts"
import type { ReadStoreError } from "../readstore/ReadStoreError.ts"
import type { ReadStoreShape } from "../readstore/ReadStore.ts"
import type { Slot } from "../readstore/ReadStoreTypes.ts"

export interface EngagementSummary {
  readonly views: number
  readonly likes: number
  readonly dislikes: number
  readonly comments: number
  /** The caller's rating; "none" when they have not rated (or took it back). */
  readonly myRating: "like" | "dislike" | "none"
  /** Newest position folded into the two documents (for an ETag). */
  readonly position: number
}

/** `slot`: the engagement projection's served slot (`openReadModel("engagement", …)` in the query routes). */
export const engagementSummary = (store: ReadStoreShape, slot: Slot, videoId: string, userId: string): Effect.Effect<EngagementSummary, ReadStoreError> =>
  Effect.map(
    Effect.all([store.get(slot, "video", videoId), store.get(slot, "rating", ratingDocId(videoId, userId))], { concurrency: 2 }),
    ([counts, rating]) => {
      const c = Option.getOrElse(counts as Option.Option<VideoCountsDoc>, () => emptyCounts(videoId))
      const r = Option.getOrUndefined(rating as Option.Option<RatingDoc>)
      return {
        views: c.views,
        likes: c.likes,
        dislikes: c.dislikes,
        comments: c.comments,
        myRating: r?.rating ?? "none",
        position: Math.max(c.position, r?.position ?? 0)
      }
    }
  )
