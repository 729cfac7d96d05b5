/**
 * Commands of the comment-thread aggregate (`comment-<videoId>.<threadId>`): a top-level comment opens a
 * thread whose id is its own; a reply's id is `<threadId>.<suffix>`, so its parent names the thread.
 */
import { Schema } from "effect"
import { EntityId, UserId } from "../shared/Primitives.ts"

/** Longest comment, in characters (code points), after trimming. */
export const MAX_COMMENT_LENGTH = 2000
/** Most comments (root and replies) in one thread. */
export const MAX_THREAD_COMMENTS = 1000

/** Bounded here only so a huge body is refused cheaply; the decider checks the 1–2,000 characters (COMMENT_TEXT_INVALID). */
const Text = Schema.String.check(Schema.isMaxLength(100_000))

/** `parentId` absent: `commentId` is `threadId` and opens the thread; present: a reply in that thread. */
export const PostComment = Schema.TaggedStruct("PostComment", {
  videoId: EntityId,
  threadId: EntityId,
  commentId: EntityId,
  parentId: Schema.optional(EntityId),
  text: Text
})

export const EditComment = Schema.TaggedStruct("EditComment", { videoId: EntityId, threadId: EntityId, commentId: EntityId, text: Text })

/** `videoOwnerId` comes from the catalog (the service fills it in): the video's owner may delete any comment on it. */
export const DeleteComment = Schema.TaggedStruct("DeleteComment", {
  videoId: EntityId,
  threadId: EntityId,
  commentId: EntityId,
  videoOwnerId: UserId
})

export const CommentCommand = Schema.Union([PostComment, EditComment, DeleteComment])
export type CommentCommand = typeof CommentCommand.Type

/** The thread a comment belongs to: its id up to the first dot. */
export const threadOf = (commentId: string): string => {
  const dot = commentId.indexOf(".")
  return dot < 0 ? commentId : commentId.slice(0, dot)
}
