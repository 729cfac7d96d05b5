/** Why the comment-thread aggregate rejects a command. */
import { Schema } from "effect"
import type { AlreadyExists, Forbidden, NotFound, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"

export class CommentTextInvalid extends Schema.TaggedError<CommentTextInvalid>()("CommentTextInvalid", { reason: Schema.String }) {
  readonly code = "COMMENT_TEXT_INVALID" as const
  override get message(): string {
    return `Comment rejected: ${this.reason}.`
  }
}

export class ParentNotFound extends Schema.TaggedError<ParentNotFound>()("ParentNotFound", { parentId: Schema.String }) {
  readonly code = "PARENT_NOT_FOUND" as const
  override get message(): string {
    return `There is no comment "${this.parentId}" on this video to reply to.`
  }
}

export class CommentDeletedAlready extends Schema.TaggedError<CommentDeletedAlready>()("CommentDeletedAlready", { commentId: Schema.String }) {
  readonly code = "COMMENT_DELETED" as const
  override get message(): string {
    return `Comment "${this.commentId}" was deleted.`
  }
}

export class ThreadFull extends Schema.TaggedError<ThreadFull>()("ThreadFull", { limit: Schema.Number }) {
  readonly code = "THREAD_FULL" as const
  override get message(): string {
    return `This thread has ${this.limit} comments, the most allowed; start a new one.`
  }
}

export type CommentError =
  | CommentTextInvalid
  | ParentNotFound
  | CommentDeletedAlready
  | ThreadFull
  | Forbidden
  | NotFound
  | AlreadyExists
  | WrongAggregate
  | UnknownCommand
