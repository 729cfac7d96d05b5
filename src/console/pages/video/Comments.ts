/**
 * A video's comments as threads: the top-level comments (`GET /videos/:id/comments?view=threads`,
 * newest first, paged), each thread's replies (`?thread=<root id>`, shown oldest first under their
 * parents), a form to start a thread and one to reply to any comment (`POST /videos/:id/comments`).
 */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import { get, post } from "../../api.ts"
import { ErrorText, formatDate, Show, useLoad } from "../../ui.ts"

export interface CommentDoc {
  readonly id: string
  readonly videoId: string
  readonly threadId: string
  readonly parentId: string | null
  readonly authorId: string
  readonly text: string | null
  readonly deleted: boolean
  readonly replies: number
  readonly createdAt: number
  readonly editedAt: number | null
  readonly seq: number
}

interface CommentPage {
  readonly items: ReadonlyArray<CommentDoc>
  readonly next: string | null
}

const base = (videoId: string) => `/videos/${encodeURIComponent(videoId)}/comments`

/** Every page of a thread (threads are small; a bound keeps a runaway one from looping for ever). */
const loadThread = async (videoId: string, rootId: string, signal: AbortSignal) => {
  const items: Array<CommentDoc> = []
  let cursor: string | null = null
  for (let pages = 0; pages < 20; pages++) {
    const query = new URLSearchParams({ thread: rootId, limit: "100" })
    if (cursor !== null) query.set("cursor", cursor)
    const page: CommentPage = await get<CommentPage>(`${base(videoId)}?${query}`, { signal })
    items.push(...page.items)
    cursor = page.next
    if (cursor === null) break
  }
  return items
}

const CommentForm = ({ videoId, parent, onPosted, onCancel }: {
  videoId: string
  parent?: CommentDoc
  onPosted: () => void
  onCancel?: () => void
}) => {
  const [text, setText] = useState("")
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const id = parent === undefined ? "comment-new" : `reply-to-${parent.id}`
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await post(base(videoId), parent === undefined ? { text } : { text, parentId: parent.id })
      setText("")
      onPosted()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <form class="comment-form" onSubmit=${submit}>
      <label for=${id}>${parent === undefined ? "Add a comment" : `Reply to ${parent.authorId}`}</label>
      <textarea id=${id} rows=${parent === undefined ? 3 : 2} maxlength="2000" value=${text}
        onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)}></textarea>
      <${ErrorText} error=${error} />
      <div class="row">
        <button type="submit" disabled=${busy || text.trim() === ""}>${parent === undefined ? "Post comment" : "Post reply"}</button>
        ${onCancel === undefined ? null : html`<button type="button" class="secondary" onClick=${onCancel}>Cancel</button>`}
      </div>
    </form>
  `
}

const CommentBody = ({ comment, onReply }: { comment: CommentDoc; onReply: () => void }) => html`
  <div class="comment-head">
    <strong>${comment.authorId}</strong>
    <span class="hint">${formatDate(comment.createdAt)}${comment.editedAt === null ? "" : " (edited)"}</span>
  </div>
  ${comment.deleted
    ? html`<p class="hint comment-text"><em>This comment was deleted.</em></p>`
    : html`<p class="comment-text">${comment.text}</p>`}
  ${comment.deleted ? null : html`<button type="button" class="link" onClick=${onReply} aria-label=${`Reply to ${comment.authorId}'s comment`}>Reply</button>`}
`

/** One comment with its replies below it (nested by parent), each with its own reply form when asked. */
const CommentNode = ({ comment, children, videoId, replyingTo, setReplyingTo, onPosted }: {
  comment: CommentDoc
  children: ReadonlyMap<string, ReadonlyArray<CommentDoc>>
  videoId: string
  replyingTo: string | undefined
  setReplyingTo: (id: string | undefined) => void
  onPosted: () => void
}) => {
  const replies = children.get(comment.id) ?? []
  return html`
    <li class="comment" aria-label=${`Comment by ${comment.authorId}`}>
      <${CommentBody} comment=${comment} onReply=${() => setReplyingTo(comment.id)} />
      ${replyingTo === comment.id
        ? html`<${CommentForm} videoId=${videoId} parent=${comment} onCancel=${() => setReplyingTo(undefined)}
            onPosted=${() => (setReplyingTo(undefined), onPosted())} />`
        : null}
      ${replies.length === 0 ? null : html`
        <ul class="comment-replies" aria-label=${`Replies to ${comment.authorId}`}>
          ${replies.map((r) => html`<${CommentNode} key=${r.id} comment=${r} children=${children} videoId=${videoId}
            replyingTo=${replyingTo} setReplyingTo=${setReplyingTo} onPosted=${onPosted} />`)}
        </ul>`}
    </li>
  `
}

const Thread = ({ root, videoId, onPosted }: { root: CommentDoc; videoId: string; onPosted: () => void }) => {
  const [replyingTo, setReplyingTo] = useState<string | undefined>()
  // the thread is read again when its root's reply count changes (a reply was posted)
  const thread = useLoad(
    (signal) => (root.replies === 0 ? Promise.resolve([root]) : loadThread(videoId, root.id, signal)),
    [root.id, root.replies, root.seq]
  )
  const render = (items: ReadonlyArray<CommentDoc>) => {
    const children = new Map<string, Array<CommentDoc>>()
    for (const c of [...items].sort((a, b) => a.seq - b.seq)) {
      if (c.parentId === null) continue
      const list = children.get(c.parentId) ?? []
      list.push(c)
      children.set(c.parentId, list)
    }
    // the root as the thread listing has it, even before the thread read catches up
    return html`<${CommentNode} comment=${root} children=${children} videoId=${videoId}
      replyingTo=${replyingTo} setReplyingTo=${setReplyingTo} onPosted=${() => (onPosted(), thread.reload())} />`
  }
  return thread.loaded.state === "ready"
    ? render(thread.loaded.value)
    : thread.loaded.state === "failed"
    ? html`<li class="comment"><${CommentBody} comment=${root} onReply=${() => undefined} /><${ErrorText} error=${thread.loaded.error} /></li>`
    : render([root])
}

export const Comments = ({ videoId, count, onChanged }: { videoId: string; count: number; onChanged: () => void }) => {
  const [pages, setPages] = useState(1)
  const threads = useLoad(async (signal) => {
    // the first `pages` pages of threads (read again in full after a post, so counts and order are current)
    const items: Array<CommentDoc> = []
    let cursor: string | null = null
    for (let i = 0; i < pages; i++) {
      const query = new URLSearchParams({ view: "threads", limit: "20" })
      if (cursor !== null) query.set("cursor", cursor)
      const page: CommentPage = await get<CommentPage>(`${base(videoId)}?${query}`, { signal })
      items.push(...page.items)
      cursor = page.next
      if (cursor === null) break
    }
    return { items, next: cursor }
  }, [videoId, pages])
  const posted = () => (threads.reload(), onChanged())
  return html`
    <section class="card comments" aria-labelledby="comments-title">
      <h2 id="comments-title">Comments <span class="hint">(${count.toLocaleString()})</span></h2>
      <${CommentForm} videoId=${videoId} onPosted=${posted} />
      <${Show} loaded=${threads.loaded}>${(page: { items: ReadonlyArray<CommentDoc>; next: string | null }) =>
        page.items.length === 0
          ? html`<p class="hint">No comments yet: be the first.</p>`
          : html`
            <ul class="comment-list" aria-label="Comment threads">
              ${page.items.map((root) => html`<${Thread} key=${root.id} root=${root} videoId=${videoId} onPosted=${posted} />`)}
            </ul>
            ${page.next === null ? null : html`<button type="button" class="secondary" onClick=${() => setPages((p) => p + 1)}>More comments</button>`}`}<//>
    </section>
  `
}
