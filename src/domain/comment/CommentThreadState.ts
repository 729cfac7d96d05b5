/** The state of one comment thread: every comment's author, parent and whether it was deleted. */
import type { CommentEvent } from "./CommentEvents.ts"

export interface CommentNode {
  readonly authorId: string
  readonly parentId: string | null
  readonly text: string
  readonly deleted: boolean
}

export interface CommentThreadState {
  /** null before the root was posted. */
  readonly videoId: string | null
  readonly threadId: string | null
  readonly comments: Readonly<Record<string, CommentNode>>
  readonly count: number
}

export const initialThreadState: CommentThreadState = { videoId: null, threadId: null, comments: {}, count: 0 }

export const evolveThread = (state: CommentThreadState, event: CommentEvent): CommentThreadState => {
  switch (event._tag) {
    case "CommentPosted":
      return {
        videoId: event.videoId,
        threadId: event.threadId,
        comments: { ...state.comments, [event.commentId]: { authorId: event.authorId, parentId: event.parentId, text: event.text, deleted: false } },
        count: state.count + 1
      }
    case "CommentEdited":
    case "CommentDeleted": {
      const node = state.comments[event.commentId]
      if (node === undefined) return state
      const next = event._tag === "CommentEdited" ? { ...node, text: event.text } : { ...node, text: "", deleted: true }
      return { ...state, comments: { ...state.comments, [event.commentId]: next } }
    }
  }
}
