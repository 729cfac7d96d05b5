/** The engagement read model's documents (Effect Schemas: the query routes serve and document them). */
import { Schema } from "effect"

export const VideoCountsDocument = Schema.Struct({
  videoId: Schema.String,
  views: Schema.Int,
  likes: Schema.Int,
  dislikes: Schema.Int,
  comments: Schema.Int.annotate({ description: "comments not deleted" }),
  updatedAt: Schema.Finite,
  position: Schema.Finite
})
export type VideoCountsDoc = typeof VideoCountsDocument.Type

export const RatingDocument = Schema.Struct({
  videoId: Schema.String,
  userId: Schema.String,
  rating: Schema.Literals(["like", "dislike"]),
  at: Schema.Finite,
  position: Schema.Finite
})
export type RatingDoc = typeof RatingDocument.Type

export const CommentDocument = Schema.Struct({
  id: Schema.String,
  videoId: Schema.String,
  threadId: Schema.String.annotate({ description: "the id of the thread's root comment" }),
  parentId: Schema.NullOr(Schema.String),
  authorId: Schema.String,
  text: Schema.NullOr(Schema.String).annotate({ description: "null once deleted (the comment stays so its replies keep their place)" }),
  deleted: Schema.Boolean,
  replies: Schema.Int.annotate({ description: "direct replies" }),
  createdAt: Schema.Finite,
  editedAt: Schema.NullOr(Schema.Finite),
  /** Global position of the post: orders the listings (newest first), ties impossible. */
  seq: Schema.Finite,
  position: Schema.Finite
})
export type CommentDoc = typeof CommentDocument.Type

export const CreatorDocument = Schema.Struct({ creatorId: Schema.String, subscribers: Schema.Int, position: Schema.Finite })
export type CreatorDoc = typeof CreatorDocument.Type

export const FollowDocument = Schema.Struct({
  userId: Schema.String,
  creatorId: Schema.String,
  since: Schema.Finite,
  /** Global position of the subscription: orders "most recently followed first". */
  seq: Schema.Finite,
  position: Schema.Finite
})
export type FollowDoc = typeof FollowDocument.Type

export type EngagementModels = {
  readonly video: VideoCountsDoc
  readonly rating: RatingDoc
  readonly comment: CommentDoc
  readonly creator: CreatorDoc
  readonly follow: FollowDoc
}

/** Document ids: the parts are EntityIds, which never hold a "/". */
export const ratingDocId = (videoId: string, userId: string): string => `${videoId}/${userId}`
export const commentDocId = (videoId: string, commentId: string): string => `${videoId}/${commentId}`
export const followDocId = (userId: string, creatorId: string): string => `${userId}/${creatorId}`

export const emptyCounts = (videoId: string): VideoCountsDoc => ({ videoId, views: 0, likes: 0, dislikes: 0, comments: 0, updatedAt: 0, position: 0 })
