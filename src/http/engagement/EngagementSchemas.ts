/** Request and response schemas of the engagement routes (validation and /openapi.json both use them). */
import { Schema } from "effect"
import { CommentDocument, CreatorDocument, FollowDocument } from "../../../projections/EngagementDocuments.ts"
import { RatingValue } from "../../domain/rating/RatingCommands.ts"
import { EntityId, UserId } from "../../domain/shared/Primitives.ts"
import { VideoView } from "../queries/QuerySchemas.ts"

const Int = (min: number, max: number) => Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: min, maximum: max }))
const minPosition = Schema.optional(
  Int(0, Number.MAX_SAFE_INTEGER).annotate({ description: "read-your-writes: wait until the read model has passed this global position (also header Keyframe-Min-Position)" })
)
const paging = {
  limit: Schema.optional(Int(1, 100).annotate({ description: "page size, 1–100 (default 20)" })),
  cursor: Schema.optional(Schema.String.check(Schema.isBetweenLength(1, 1500)).annotate({ description: "`next` of the previous page" })),
  minPosition
}

export const VideoParams = Schema.Struct({ id: EntityId })
export const CommentParams = Schema.Struct({ id: EntityId, commentId: EntityId })
export const CreatorParams = Schema.Struct({ creatorId: UserId })

export const ViewReportBody = Schema.Struct({
  session: Schema.String.check(Schema.isBetweenLength(1, 4096)).annotate({ description: "the playback token of the session (what GET /videos/:id/playback returned in its url)" }),
  watchedSeconds: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 86_400 })).annotate({ description: "seconds of the video the player has played in this session" })
}).annotate({ identifier: "ViewReport" })

export const ViewReportResult = Schema.Struct({
  videoId: Schema.String,
  counted: Schema.Boolean.annotate({ description: "true when this report added a view" }),
  reason: Schema.NullOr(Schema.Literals(["already_counted"])).annotate({ description: "why it did not: this session, or this viewer within the hour, was counted already" }),
  position: Schema.Int
}).annotate({ identifier: "ViewReportResult" })

export const RatingBody = Schema.Struct({ rating: RatingValue }).annotate({ identifier: "RatingBody" })

export const RatingResult = Schema.Struct({
  videoId: Schema.String,
  rating: RatingValue,
  changed: Schema.Boolean.annotate({ description: "false when it already was so" }),
  position: Schema.Int
}).annotate({ identifier: "RatingResult" })

export const CommentBody = Schema.Struct({
  text: Schema.String.check(Schema.isMaxLength(100_000)).annotate({ description: "1–2,000 characters after trimming (422 COMMENT_TEXT_INVALID otherwise)" }),
  parentId: Schema.optional(EntityId.annotate({ description: "the comment this replies to (422 PARENT_NOT_FOUND when there is none)" }))
}).annotate({ identifier: "CommentBody" })

export const CommentEditBody = Schema.Struct({ text: CommentBody.fields.text }).annotate({ identifier: "CommentEditBody" })

export const CommentResult = Schema.Struct({
  id: Schema.String,
  videoId: Schema.String,
  threadId: Schema.String,
  changed: Schema.Boolean,
  position: Schema.Int
}).annotate({ identifier: "CommentResult" })

export const CommentListQuery = Schema.Struct({
  ...paging,
  thread: Schema.optional(EntityId.annotate({ description: "one thread's comments (its root's id)" })),
  view: Schema.optional(Schema.Literals(["all", "threads"]).annotate({ description: "all (default): every comment, newest first; threads: top-level comments only" }))
})

export const CommentView = CommentDocument.annotate({ identifier: "Comment" })

export const SubscriptionResult = Schema.Struct({
  creatorId: Schema.String,
  subscribed: Schema.Boolean,
  changed: Schema.Boolean,
  position: Schema.Int
}).annotate({ identifier: "SubscriptionResult" })

export const FollowView = FollowDocument.annotate({ identifier: "Subscription" })

export const CreatorView = Schema.Struct({
  ...CreatorDocument.fields,
  subscribedByMe: Schema.Boolean
}).annotate({ identifier: "Creator" })

export const EngagementView = Schema.Struct({
  videoId: Schema.String,
  views: Schema.Int,
  likes: Schema.Int,
  dislikes: Schema.Int,
  comments: Schema.Int,
  myRating: RatingValue
}).annotate({ identifier: "VideoEngagement" })

export const PageQuery = Schema.Struct(paging)

export const FeedQuery = Schema.Struct({ limit: paging.limit, minPosition })

export const FeedView = Schema.Struct({
  items: Schema.Array(VideoView),
  next: Schema.Null.annotate({ description: "the feed is the newest `limit` videos; no further pages" })
}).annotate({ identifier: "Feed" })

export const FreshQuery = Schema.Struct({ minPosition })

const StorageBytes = {
  originalsBytes: Schema.Finite,
  mediaBytes: Schema.Finite,
  totalBytes: Schema.Finite,
  uploads: Schema.Int
}

export const UserStorageView = Schema.Struct({
  userId: Schema.String,
  ...StorageBytes,
  complete: Schema.Boolean.annotate({ description: "false when the sum stopped at the bound of uploads read (10,000)" })
}).annotate({ identifier: "UserStorage" })

export const StorageStatsView = Schema.Struct({
  totals: Schema.Struct(StorageBytes),
  byUser: Schema.Array(Schema.Struct({ userId: Schema.String, ...StorageBytes })).annotate({ description: "the users storing the most, largest first (at most 100)" }),
  complete: Schema.Boolean.annotate({ description: "false when byUser was summed over the newest 10,000 uploads only (totals are always exact)" })
}).annotate({ identifier: "StorageStats" })
