/** Events of the comment-thread aggregate. All at schema version 1. */
import { Schema } from "effect"
import { EntityId, EpochMillis, UserId } from "../shared/Primitives.ts"

const Text = Schema.String.check(Schema.isBetweenLength(1, 8000))

export const CommentPosted = Schema.TaggedStruct("CommentPosted", {
  videoId: EntityId,
  threadId: EntityId,
  commentId: EntityId,
  /** null for the thread's root. */
  parentId: Schema.NullOr(EntityId),
  authorId: UserId,
  text: Text,
  at: EpochMillis
})

export const CommentEdited = Schema.TaggedStruct("CommentEdited", {
  videoId: EntityId,
  threadId: EntityId,
  commentId: EntityId,
  text: Text,
  at: EpochMillis
})

/** The comment stays in the thread as a tombstone (its replies keep their parent); its text is gone. */
export const CommentDeleted = Schema.TaggedStruct("CommentDeleted", {
  videoId: EntityId,
  threadId: EntityId,
  commentId: EntityId,
  by: UserId,
  as: Schema.Literals(["author", "video_owner", "admin"]),
  at: EpochMillis
})

export const CommentEvent = Schema.Union([CommentPosted, CommentEdited, CommentDeleted])
export type CommentEvent = typeof CommentEvent.Type
