/** The comment-thread decider: replies to comments that exist, the root kept, author and moderator rights, limits. */
import { isAdmin } from "../shared/ActorRoles.ts"
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { AlreadyExists, Forbidden, NotFound, tagOf, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { type CommentCommand, MAX_COMMENT_LENGTH, MAX_THREAD_COMMENTS, threadOf } from "./CommentCommands.ts"
import { CommentDeletedAlready, type CommentError, CommentTextInvalid, ParentNotFound, ThreadFull } from "./CommentErrors.ts"
import type { CommentEvent } from "./CommentEvents.ts"
import { type CommentThreadState, evolveThread, initialThreadState } from "./CommentThreadState.ts"

type Context = DecideContext<DomainSettings>
type CommentDecision = Decision<CommentEvent, CommentError>
type Command<Tag extends CommentCommand["_tag"]> = Extract<CommentCommand, { _tag: Tag }>

/** Trimmed text of 1 to MAX_COMMENT_LENGTH characters, or why not. */
export const commentText = (raw: string): { readonly text: string } | { readonly problem: string } => {
  const text = raw.trim()
  if (text === "") return { problem: "the text is empty" }
  const length = Array.from(text).length
  if (length > MAX_COMMENT_LENGTH) return { problem: `the text has ${length} characters, more than ${MAX_COMMENT_LENGTH}` }
  return { text }
}

const post = (state: CommentThreadState, command: Command<"PostComment">, context: Context): CommentDecision => {
  if (threadOf(command.commentId) !== command.threadId) {
    return reject(new WrongAggregate({ category: "comment", expectedId: command.threadId, commandId: command.commentId }))
  }
  if (state.comments[command.commentId] !== undefined) return reject(new AlreadyExists({ category: "comment", id: command.commentId }))
  if (command.parentId === undefined) {
    if (command.commentId !== command.threadId) return reject(new ParentNotFound({ parentId: command.threadId }))
  } else {
    const parent = state.comments[command.parentId]
    if (parent === undefined) return reject(new ParentNotFound({ parentId: command.parentId }))
    if (parent.deleted) return reject(new CommentDeletedAlready({ commentId: command.parentId }))
  }
  if (state.count >= MAX_THREAD_COMMENTS) return reject(new ThreadFull({ limit: MAX_THREAD_COMMENTS }))
  const checked = commentText(command.text)
  if ("problem" in checked) return reject(new CommentTextInvalid({ reason: checked.problem }))
  return accept({
    _tag: "CommentPosted",
    videoId: command.videoId,
    threadId: command.threadId,
    commentId: command.commentId,
    parentId: command.parentId ?? null,
    authorId: context.actor.userId,
    text: checked.text,
    at: context.now
  })
}

const edit = (state: CommentThreadState, command: Command<"EditComment">, context: Context): CommentDecision => {
  const comment = state.comments[command.commentId]
  if (comment === undefined) return reject(new NotFound({ category: "comment", id: command.commentId }))
  if (comment.authorId !== context.actor.userId) return reject(new Forbidden({ action: "edit this comment", allowed: "its author" }))
  if (comment.deleted) return reject(new CommentDeletedAlready({ commentId: command.commentId }))
  const checked = commentText(command.text)
  if ("problem" in checked) return reject(new CommentTextInvalid({ reason: checked.problem }))
  if (checked.text === comment.text) return unchanged
  return accept({ _tag: "CommentEdited", videoId: command.videoId, threadId: command.threadId, commentId: command.commentId, text: checked.text, at: context.now })
}

const remove = (state: CommentThreadState, command: Command<"DeleteComment">, context: Context): CommentDecision => {
  const comment = state.comments[command.commentId]
  if (comment === undefined) return reject(new NotFound({ category: "comment", id: command.commentId }))
  if (comment.deleted) return unchanged
  const userId = context.actor.userId
  const as = comment.authorId === userId ? "author" : command.videoOwnerId === userId ? "video_owner" : isAdmin(context.actor) ? "admin" : undefined
  if (as === undefined) return reject(new Forbidden({ action: "delete this comment", allowed: "its author, the video's owner and admins" }))
  return accept({ _tag: "CommentDeleted", videoId: command.videoId, threadId: command.threadId, commentId: command.commentId, by: userId, as, at: context.now })
}

export const decideComment = (command: CommentCommand, state: CommentThreadState, context: Context): CommentDecision => {
  if (state.threadId !== null && (state.threadId !== command.threadId || state.videoId !== command.videoId)) {
    return reject(new WrongAggregate({ category: "comment", expectedId: `${state.videoId}.${state.threadId}`, commandId: `${command.videoId}.${command.threadId}` }))
  }
  switch (command._tag) {
    case "PostComment":
      return post(state, command, context)
    case "EditComment":
      return edit(state, command, context)
    case "DeleteComment":
      return remove(state, command, context)
    default:
      return reject(new UnknownCommand({ category: "comment", command: tagOf(command) }))
  }
}

export const CommentDecider: Decider<CommentThreadState, CommentCommand, CommentEvent, CommentError, DomainSettings> = {
  initialState: initialThreadState,
  decide: decideComment,
  evolve: evolveThread
}
