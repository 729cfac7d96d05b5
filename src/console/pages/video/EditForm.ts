/**
 * The owner's (or an admin's) edit form of the video page: title, description, category, visibility
 * (`PATCH /videos/:id`, only the fields that changed), and publish / unpublish
 * (`POST /videos/:id/publish|unpublish`). The server's validation errors are shown as it words them.
 */
import { html } from "htm/preact"
import { useEffect, useState } from "preact/hooks"
import { patch, post } from "../../api.ts"
import { ErrorText } from "../../ui.ts"
import type { Category, VideoSummary } from "../Catalog.ts"

const VISIBILITIES = [
  { value: "public", label: "Public: listed in the catalog" },
  { value: "unlisted", label: "Unlisted: anyone with the link" },
  { value: "private", label: "Private: only you (and admins)" }
] as const

export const EditForm = ({ video, categories, onSaved }: { video: VideoSummary; categories: ReadonlyArray<Category>; onSaved: () => void }) => {
  const [title, setTitle] = useState(video.title)
  const [description, setDescription] = useState(video.description)
  const [category, setCategory] = useState(video.category ?? "")
  const [visibility, setVisibility] = useState<string>(video.visibility)
  const [error, setError] = useState<unknown>()
  const [done, setDone] = useState("")
  const [busy, setBusy] = useState(false)
  // another save (or another tab) changed the video: the form shows what the server has now
  useEffect(() => {
    setTitle(video.title)
    setDescription(video.description)
    setCategory(video.category ?? "")
    setVisibility(video.visibility)
  }, [video.title, video.description, video.category, video.visibility])

  const run = async (action: () => Promise<unknown>, message: string) => {
    setBusy(true)
    setError(undefined)
    setDone("")
    try {
      await action()
      setDone(message)
      onSaved()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const path = `/videos/${encodeURIComponent(video.id)}`
  const save = (e: Event) => {
    e.preventDefault()
    const body: Record<string, unknown> = {}
    if (title !== video.title) body.title = title
    if (description !== video.description) body.description = description
    if (category !== (video.category ?? "")) body.category = category === "" ? null : category
    if (visibility !== video.visibility) body.visibility = visibility
    if (Object.keys(body).length === 0) {
      setError(undefined)
      setDone("Nothing to save: no field was changed.")
      return
    }
    void run(() => patch(path, body), "Saved.")
  }
  return html`
    <section class="card edit-video" aria-labelledby="edit-title">
      <h2 id="edit-title">Edit this video</h2>
      <form onSubmit=${save}>
        <label for="edit-video-title">Title</label>
        <input id="edit-video-title" name="title" value=${title} onInput=${(e: Event) => setTitle((e.target as HTMLInputElement).value)} />
        <label for="edit-video-description">Description</label>
        <textarea id="edit-video-description" name="description" rows="4" value=${description}
          onInput=${(e: Event) => setDescription((e.target as HTMLTextAreaElement).value)}></textarea>
        <label for="edit-video-category">Category</label>
        <select id="edit-video-category" name="category" value=${category} onChange=${(e: Event) => setCategory((e.target as HTMLSelectElement).value)}>
          <option value="">No category</option>
          ${categories.map((c) => html`<option value=${c.slug}>${c.name}</option>`)}
        </select>
        <label for="edit-video-visibility">Visibility</label>
        <select id="edit-video-visibility" name="visibility" value=${visibility} onChange=${(e: Event) => setVisibility((e.target as HTMLSelectElement).value)}>
          ${VISIBILITIES.map((v) => html`<option value=${v.value}>${v.label}</option>`)}
        </select>
        <${ErrorText} error=${error} />
        ${done === "" ? null : html`<p class="ok" role="status">${done}</p>`}
        <div class="row">
          <button type="submit" disabled=${busy}>Save changes</button>
          ${video.published
            ? html`<button type="button" class="secondary" disabled=${busy} onClick=${() => run(() => post(`${path}/unpublish`), "Unpublished: only you and admins see it.")}>Unpublish</button>`
            : html`<button type="button" class="secondary" disabled=${busy} onClick=${() => run(() => post(`${path}/publish`), "Published.")}>Publish</button>`}
        </div>
        <p class="hint">${video.published ? "Published" : "Not published"} · ${video.visibility}${video.visibility === "public" && !video.published ? " (listed once published)" : ""}</p>
      </form>
    </section>
  `
}
