/**
 * Upload (`#/upload`): drop files on the drop zone or pick them; each goes to `/files` over tus
 * (upload/UploadQueue.ts) with its progress, speed and time left, and can be paused, resumed or
 * cancelled. Uploads this browser left unfinished (a reload, a closed tab) are listed, and picking the
 * same file again resumes it. The weekly quota (`GET /me/quota`) is shown and read again after each upload.
 */
import { html } from "htm/preact"
import { useEffect, useState } from "preact/hooks"
import { get } from "../api.ts"
import { href, type PageProps } from "../router.ts"
import { ErrorText, formatBytes, formatDate, formatDuration, Show, useLoad } from "../ui.ts"
import {
  addFiles,
  cancel,
  discardUnfinished,
  dismiss,
  onUploadsChange,
  pause,
  resume,
  type UnfinishedUpload,
  unfinishedUploads,
  type UploadItem,
  uploadItems
} from "./upload/UploadQueue.ts"

interface Quota {
  readonly unlimited: boolean
  readonly limitBytes: number | null
  readonly usedBytes: number
  readonly reservedBytes: number
  readonly remainingBytes: number | null
  readonly resetsAt: string
}

const percentOf = (part: number, whole: number) => (whole <= 0 ? 100 : Math.min(100, Math.floor((part / whole) * 100)))

const useUploads = (owner: string) => {
  const [all, setAll] = useState(uploadItems())
  useEffect(() => onUploadsChange(() => setAll(uploadItems())), [])
  return all.filter((i) => i.owner === owner)
}

const QuotaCard = ({ round }: { round: string }) => {
  const { loaded } = useLoad((signal) => get<Quota>("/me/quota", { signal }), [round])
  return html`
    <section class="card quota" aria-labelledby="quota-title">
      <h2 id="quota-title">Your upload quota this week</h2>
      <${Show} loaded=${loaded}>${(q: Quota) =>
        q.unlimited || q.limitBytes === null
          ? html`<p>Unlimited. ${formatBytes(q.usedBytes)} uploaded this week.</p>`
          : html`
            <progress id="quota-bar" max=${q.limitBytes} value=${Math.min(q.usedBytes, q.limitBytes)} aria-describedby="quota-text"
              aria-label="Quota used"></progress>
            <p id="quota-text">
              <strong>${formatBytes(q.usedBytes)}</strong> of ${formatBytes(q.limitBytes)} used
              (${formatBytes(q.remainingBytes ?? 0)} left${q.reservedBytes > 0 ? html`, ${formatBytes(q.reservedBytes)} held by uploads in progress` : null}).
              Resets ${formatDate(q.resetsAt)}.
            </p>`}
      <//>
    </section>
  `
}

const STATE_WORDS: Record<UploadItem["state"], string> = {
  starting: "Starting…",
  uploading: "Uploading",
  paused: "Paused",
  done: "Uploaded",
  failed: "Failed",
  cancelled: "Cancelled"
}

const UploadRow = ({ item }: { item: UploadItem }) => {
  const percent = percentOf(item.sent, item.size)
  const active = item.state === "starting" || item.state === "uploading"
  const details = [
    `${percent} %`,
    `${formatBytes(item.sent)} of ${formatBytes(item.size)}`,
    ...(active && item.bytesPerSecond !== undefined ? [`${formatBytes(item.bytesPerSecond)}/s`] : []),
    ...(active && item.secondsLeft !== undefined ? [`${formatDuration(item.secondsLeft)} left`] : []),
    ...(item.resumedAt !== undefined && item.resumedAt > 0 ? [`resumed at ${percentOf(item.resumedAt, item.size)} %`] : [])
  ]
  const id = `upload-${item.key}`
  return html`
    <li class="card upload-item" aria-labelledby=${`${id}-name`}>
      <div class="row upload-head">
        <strong id=${`${id}-name`} class="upload-name">${item.name}</strong>
        <span class=${`badge ${item.state === "done" ? "ready" : item.state === "failed" ? "failed" : "processing"}`} role="status">${STATE_WORDS[item.state]}</span>
      </div>
      <progress max="100" value=${percent} aria-labelledby=${`${id}-name`} aria-describedby=${`${id}-details`}></progress>
      <p id=${`${id}-details`} class="hint upload-details">${details.join(" · ")}</p>
      ${item.error === undefined ? null : html`<p class="error" role="alert">${item.error}</p>`}
      ${item.state === "done" && item.videoId !== undefined
        ? html`<p class="ok">Uploaded: Keyframe is processing it now. <a href=${href(`/videos/${item.videoId}`)}>Open ${item.name}</a> · <a href=${href("/library")}>See it in My videos</a></p>`
        : null}
      <div class="row">
        ${item.state === "uploading" || item.state === "starting"
          ? html`<button type="button" class="secondary" aria-label=${`Pause ${item.name}`} onClick=${() => pause(item.key)} disabled=${item.state === "starting"}>Pause</button>`
          : null}
        ${item.state === "paused" || (item.state === "failed" && item.retryable)
          ? html`<button type="button" aria-label=${`${item.state === "paused" ? "Resume" : "Retry"} ${item.name}`} onClick=${() => resume(item.key)}>${item.state === "paused" ? "Resume" : "Retry"}</button>`
          : null}
        ${item.state === "uploading" || item.state === "starting" || item.state === "paused" || (item.state === "failed" && item.retryable)
          ? html`<button type="button" class="secondary" aria-label=${`Cancel ${item.name}`} onClick=${() => void cancel(item.key)}>Cancel</button>`
          : html`<button type="button" class="secondary" aria-label=${`Remove ${item.name} from this list`} onClick=${() => dismiss(item.key)}>Remove from list</button>`}
      </div>
    </li>
  `
}

const UnfinishedList = ({ owner, activeUrls, round }: { owner: string; activeUrls: ReadonlySet<string>; round: number }) => {
  const [discarded, setDiscarded] = useState<ReadonlySet<string>>(new Set())
  const [error, setError] = useState<unknown>()
  const { loaded } = useLoad(() => unfinishedUploads(owner), [owner, round])
  if (loaded.state !== "ready") return loaded.state === "failed" ? html`<${ErrorText} error=${loaded.error} />` : null
  const shown = loaded.value.filter((u) => !activeUrls.has(u.url) && !discarded.has(u.storageKey))
  if (shown.length === 0) return null
  const discard = async (u: UnfinishedUpload) => {
    setError(undefined)
    try {
      await discardUnfinished(u)
      setDiscarded(new Set([...discarded, u.storageKey]))
    } catch (e) {
      setError(e)
    }
  }
  return html`
    <section class="card" aria-labelledby="unfinished-title">
      <h2 id="unfinished-title">Unfinished uploads</h2>
      <p class="hint">These uploads stopped before their last byte (the page was reloaded or closed). The browser cannot reopen a file
        by itself: pick or drop the same file again and it resumes where it stopped.</p>
      <ul class="unfinished">
        ${shown.map((u) => html`
          <li class="row">
            <span class="upload-name"><strong>${u.name}</strong>: ${formatBytes(u.offset)} of ${formatBytes(u.size)} (${percentOf(u.offset, u.size)} %), started ${formatDate(u.createdAt)}</span>
            <button type="button" class="secondary" aria-label=${`Discard ${u.name}`} onClick=${() => void discard(u)}>Discard</button>
          </li>`)}
      </ul>
      <${ErrorText} error=${error} />
    </section>
  `
}

const DropZone = ({ onFiles }: { onFiles: (files: FileList) => void }) => {
  const [over, setOver] = useState(false)
  const onDrop = (e: DragEvent) => {
    e.preventDefault()
    setOver(false)
    if (e.dataTransfer !== null && e.dataTransfer.files.length > 0) onFiles(e.dataTransfer.files)
  }
  const onDragOver = (e: DragEvent) => {
    e.preventDefault()
    if (e.dataTransfer !== null) e.dataTransfer.dropEffect = "copy"
    setOver(true)
  }
  return html`
    <section class=${`drop-zone${over ? " over" : ""}`} aria-label="Drop zone: drop video files here to upload them"
      onDragOver=${onDragOver} onDragEnter=${onDragOver} onDragLeave=${() => setOver(false)} onDrop=${onDrop}>
      <p class="drop-title">Drop video files here</p>
      <p class="hint">MP4, MOV, WebM, MKV… Several at once is fine.</p>
      <label for="upload-files" class="file-label">or choose files</label>
      <input id="upload-files" type="file" multiple accept="video/*"
        onChange=${(e: Event) => {
          const input = e.target as HTMLInputElement
          if (input.files !== null && input.files.length > 0) onFiles(input.files)
          input.value = ""
        }} />
    </section>
  `
}

export const UploadPage = ({ session }: PageProps) => {
  const uploads = useUploads(session.sub)
  const [round, setRound] = useState(0)
  // the quota is read again whenever an upload settles (finished, failed or cancelled)
  const settled = uploads.filter((u) => u.state === "done" || u.state === "failed" || u.state === "cancelled").map((u) => `${u.key}:${u.state}`).join(",")
  const activeUrls = new Set(uploads.flatMap((u) => (u.url === undefined ? [] : [u.url])))
  const onFiles = (files: FileList) => {
    addFiles(session.sub, Array.from(files))
    setRound((r) => r + 1)
  }
  return html`
    <h1>Upload</h1>
    <div class="upload-layout">
      <div>
        <${DropZone} onFiles=${onFiles} />
        <${UnfinishedList} owner=${session.sub} activeUrls=${activeUrls} round=${round} />
        ${uploads.length === 0
          ? null
          : html`
            <section aria-labelledby="uploads-title">
              <h2 id="uploads-title">Uploads</h2>
              <ul class="uploads">${uploads.map((item) => html`<${UploadRow} key=${item.key} item=${item} />`)}</ul>
            </section>`}
      </div>
      <${QuotaCard} round=${settled} />
    </div>
  `
}
