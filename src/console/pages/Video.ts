/**
 * The video page (`#/videos/:id`): the player (video/Player.ts) for a ready video, or its status;
 * title, description, category, owner, views, likes and dislikes with the caller's own rating
 * (`PUT /videos/:id/rating`), the comment threads (video/Comments.ts), and for its owner or an admin
 * the edit form (video/EditForm.ts). A 404 says the video does not exist or is not visible to you.
 */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import { ApiError, get, put } from "../api.ts"
import { href, type PageProps } from "../router.ts"
import { hasRole } from "../session.ts"
import { describeError, ErrorText, formatDate, formatDuration, Show, useLoad } from "../ui.ts"
import { type Category, loadCategories, type VideoSummary } from "./Catalog.ts"
import { Comments } from "./video/Comments.ts"
import { EditForm } from "./video/EditForm.ts"
import { Player } from "./video/Player.ts"

interface VideoDetail extends VideoSummary {
  readonly comments: number
  readonly myRating: "like" | "dislike" | "none"
}

type Rating = VideoDetail["myRating"]

const Rate = ({ video, onRated }: { video: VideoDetail; onRated: () => void }) => {
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const rate = async (rating: Rating) => {
    setBusy(true)
    setError(undefined)
    try {
      // pressing your current rating again takes it back
      await put(`/videos/${encodeURIComponent(video.id)}/rating`, { rating: video.myRating === rating ? "none" : rating })
      onRated()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <div class="rating">
      <div class="row" role="group" aria-label="Rate this video">
        <button type="button" class="secondary rate" aria-pressed=${video.myRating === "like"} disabled=${busy} onClick=${() => rate("like")}>Like</button>
        <button type="button" class="secondary rate" aria-pressed=${video.myRating === "dislike"} disabled=${busy} onClick=${() => rate("dislike")}>Dislike</button>
        <span class="rating-counts" aria-live="polite">
          ${video.likes.toLocaleString()} ${video.likes === 1 ? "like" : "likes"} · ${video.dislikes.toLocaleString()} ${video.dislikes === 1 ? "dislike" : "dislikes"}
        </span>
      </div>
      <${ErrorText} error=${error} />
    </div>
  `
}

const statusText = (video: VideoDetail) =>
  video.status === "failed"
    ? `Processing failed${video.failureReason === null ? "." : `: ${video.failureReason}`}`
    : video.status === "ready"
    ? "Ready"
    : "Still processing: the player appears when it is ready (reload to check)."

const Details = ({ video, categories, canEdit, reload }: {
  video: VideoDetail
  categories: ReadonlyArray<Category>
  canEdit: boolean
  reload: () => void
}) => {
  const category = categories.find((c) => c.slug === video.category)
  const playable = video.status === "ready" && !video.takenDown
  return html`
    <article class="video-page">
      <div class="video-main">
        ${playable
          ? html`<${Player} key=${video.id} videoId=${video.id} title=${video.title} durationSeconds=${video.durationSeconds} onViewCounted=${reload} />`
          : html`<div class="card video-status" role="status">
              <p><span class=${`badge ${video.takenDown ? "failed" : video.status}`}>${video.takenDown ? "taken down" : video.status}</span></p>
              <p>${video.takenDown ? `An admin took this video down${video.takedown === null ? "." : `: ${video.takedown.reason}`}` : statusText(video)}</p>
            </div>`}
        <h1 class="video-title">${video.title}</h1>
        <p class="hint video-meta">
          <span>by <strong>${video.ownerId}</strong></span>
          <span>${video.views.toLocaleString()} ${video.views === 1 ? "view" : "views"}</span>
          ${video.durationSeconds === null ? null : html`<span>${formatDuration(video.durationSeconds)}</span>`}
          ${video.publishedAt === null ? null : html`<span>published ${formatDate(video.publishedAt)}</span>`}
          <span>${category === undefined ? "No category" : html`<a href=${href(`/?category=${encodeURIComponent(category.slug)}`)}>${category.name}</a>`}</span>
          ${video.visibility === "public" && video.published ? null : html`<span class="badge">${video.published ? video.visibility : `${video.visibility}, not published`}</span>`}
        </p>
        <${Rate} video=${video} onRated=${reload} />
        ${video.description === "" ? html`<p class="hint">No description.</p>` : html`<p class="video-description">${video.description}</p>`}
      </div>
      <div class="video-side">
        ${canEdit ? html`<${EditForm} video=${video} categories=${categories} onSaved=${reload} />` : null}
        <${Comments} videoId=${video.id} count=${video.comments} onChanged=${reload} />
      </div>
    </article>
  `
}

export const VideoPage = ({ session, route }: PageProps) => {
  const id = route.params.id ?? ""
  const detail = useLoad(
    (signal) => Promise.all([get<VideoDetail>(`/videos/${encodeURIComponent(id)}`, { signal }), loadCategories(signal)]),
    [id]
  )
  if (detail.loaded.state === "failed" && detail.loaded.error instanceof ApiError && detail.loaded.error.status === 404) {
    return html`
      <h1>Video not found</h1>
      <p class="error" role="alert">This video does not exist, or it is not visible to you. <span class="hint">(${describeError(detail.loaded.error)})</span></p>
      <p><a href=${href("/")}>Back to the catalog</a></p>
    `
  }
  return html`
    <p class="back"><a href=${href("/")}>← Catalog</a></p>
    <${Show} loaded=${detail.loaded}>${([video, categories]: [VideoDetail, ReadonlyArray<Category>]) => html`
      <${Details} video=${video} categories=${categories} reload=${detail.reload}
        canEdit=${video.ownerId === session.sub || hasRole(session, "admin")} />`}<//>
    ${detail.loaded.state === "failed" ? html`<button type="button" onClick=${detail.reload}>Try again</button>` : null}
  `
}
