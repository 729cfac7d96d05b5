/**
 * Stream ids and command ids of engagement, in one place. Streams: `rating-<videoId>.<userKey>`,
 * `view-<videoId>.<userKey>`, `comment-<videoId>.<threadId>`, `subscription-<userId>`; a user key is a
 * hash of the user id, so the id stays short and fits a stream name whatever the user id holds.
 */
import { sha256HexOfText } from "../digest/Hashes.ts"
import { threadOf } from "../domain/comment/CommentCommands.ts"
import { safeKey } from "../rooms/RoomCommandIds.ts"

export const userKey = (userId: string): string => sha256HexOfText(`user:${userId}`).slice(0, 32)

export const engagementStreams = {
  rating: (videoId: string, userId: string) => `${videoId}.${userKey(userId)}`,
  view: (videoId: string, userId: string) => `${videoId}.${userKey(userId)}`,
  thread: (videoId: string, commentId: string) => `${videoId}.${threadOf(commentId)}`
}

export const engagementCommandIds = {
  /** A new thread's id: from the Idempotency-Key when there is one, so a retried post lands in the same thread. */
  newThreadId: (videoId: string, userId: string, key: string | undefined): string => {
    const safe = safeKey(key)
    return safe === undefined ? crypto.randomUUID() : `t${sha256HexOfText(`${videoId}/${userId}/${safe}`).slice(0, 31)}`
  },
  /** A reply's id: in its parent's thread. */
  newReplyId: (parentId: string): string => `${threadOf(parentId)}.${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
  /** A post keyed by the caller: a retry answers the first result. */
  post: (videoId: string, userId: string, key: string | undefined) => {
    const safe = safeKey(key)
    return safe === undefined ? undefined : `comment-post:${videoId}:${userKey(userId)}:${safe}`
  },
  byUser: (verb: string, target: string, userId: string, key: string | undefined) => {
    const safe = safeKey(key)
    return safe === undefined ? undefined : `${verb}:${target}:${userKey(userId)}:${safe}`
  }
}
