/**
 * My videos (`#/library`): the caller's own videos in every state (`GET /videos?owner=me`, newest first,
 * paged), as cards. A video still uploading or processing follows its live feed (upload/VideoFeed.ts):
 * the step, its percent and, when it fails, the reason, as they happen. Thumbnails of private videos
 * are not served without a token: the card asks for a playback URL and shows `thumbnail.jpg` below it.
 */
import { html } from "htm/preact"
import { useEffect, useState } from "preact/hooks"
import { get } from "../api.ts"
import { href, type PageProps } from "../router.ts"
import { ErrorText, formatBytes, formatDate, formatDuration, Show, useLoad } from "../ui.ts"
import { type FeedProcessing, type FeedUpload, followVideo } from "./upload/VideoFeed.ts"

/** The fields of the video document (GET /videos/:id) this page shows. */
export interface LibraryVideo {
  readonly id: string
  readonly title: string
  readonly status: "uploading" | "processing" | "ready" | "failed"
  readonly failureReason: string | null
  readonly visibility: "public" | "unlisted" | "private"
  readonly published: boolean
  readonly takenDown: boolean
  readonly durationSeconds: number | null
  readonly width: number | null
  readonly height: number | null
  readonly sizeBytes: number
  readonly thumbnailUrl: string | null
  readonly createdAt: number
}

interface VideoPage {
  readonly items: ReadonlyArray<LibraryVideo>
  readonly next: string | null
}

interface Live {
  readonly upload?: FeedUpload | null
  readonly processing?: FeedProcessing
  readonly error?: unknown
}

const PAGE_SIZE = 24
/** Browsers give an origin 6 HTTP/1.1 connections; feeds past this many wait for one to end. */
const MAX_FEEDS = 4

const isLive = (v: LibraryVideo) => v.status === "uploading" || v.status === "processing"

const STEP_WORDS: Record<string, string> = { chunk: "Preparing the original", transcode: "Transcoding", publish: "Publishing" }

/** A private video's thumbnail sits below its signed playback URL; a public one's at its own URL. */
const Thumb = ({ video }: { video: LibraryVideo }) => {
  const [src, setSrc] = useState<string | undefined>()
  const [broken, setBroken] = useState(false)
  useEffect(() => {
    if (video.status !== "ready" || video.thumbnailUrl === null) return
    const abort = new AbortController()
    get<{ url: string }>(`/videos/${encodeURIComponent(video.id)}/playback`, { signal: abort.signal }).then(
      ({ url }) => setSrc(url.replace(/master\.m3u8$/, "thumbnail.jpg")),
      () => !abort.signal.aborted && setBroken(true)
    )
    return () => abort.abort()
  }, [video.id, video.status, video.thumbnailUrl])
  if (src === undefined || broken) {
    const words = video.status === "ready" ? (video.thumbnailUrl === null || broken ? "No thumbnail" : "") : video.status === "failed" ? "Failed" : "Processing…"
    return html`<div class="thumb thumb-empty" aria-hidden="true"><span>${words}</span></div>`
  }
  return html`<img class="thumb" src=${src} alt="" loading="lazy" width="320" height="180" onError=${() => setBroken(true)} />`
}

/** What a video not ready yet is doing, in words, with a progress bar when there is a number. */
const Progress = ({ video, live }: { video: LibraryVideo; live: Live | undefined }) => {
  const upload = live?.upload ?? null
  const processing = live?.processing
  if (video.status === "failed") {
    return html`<p class="error">Failed: ${video.failureReason ?? upload?.lastError?.reason ?? "no reason was recorded"}</p>`
  }
  if (!isLive(video)) return null
  let words: string
  let percent: number | undefined
  if (video.status === "uploading") {
    words = "Receiving the upload"
    percent = upload === null ? undefined : Math.floor(upload.progress * 100)
  } else {
    const step = processing?.step ?? upload?.step ?? null
    words = step === null ? "Waiting to be processed" : STEP_WORDS[step] ?? step
    if (upload?.stepState === "waiting" && processing === undefined) words += ": waiting for a worker"
    if (upload?.stepState === "retrying") words += ` again (attempt ${upload.attempts + 1}${upload.lastError ? `, after: ${upload.lastError.reason}` : ""})`
    percent = processing?.percent === undefined || processing.step !== step ? undefined : Math.floor(processing.percent)
  }
  const label = `${words}${percent === undefined ? "" : `: ${percent} %`}`
  return html`
    <p class="step" role="status">${label}</p>
    ${percent === undefined ? html`<progress aria-label=${words}></progress>` : html`<progress max="100" value=${percent} aria-label=${words}></progress>`}
    ${live?.error === undefined ? null : html`<${ErrorText} error=${live.error} />`}
  `
}

const VideoCard = ({ video, live }: { video: LibraryVideo; live: Live | undefined }) => {
  const badge = video.status === "ready" ? "ready" : video.status === "failed" ? "failed" : "processing"
  const facts = [
    ...(video.durationSeconds === null ? [] : [formatDuration(video.durationSeconds)]),
    ...(video.width === null || video.height === null ? [] : [`${video.width}×${video.height}`]),
    formatBytes(video.sizeBytes),
    formatDate(video.createdAt)
  ]
  return html`
    <li class="card video-card">
      <a href=${href(`/videos/${video.id}`)} tabindex="-1" aria-hidden="true"><${Thumb} video=${video} /></a>
      <h2 class="video-title"><a href=${href(`/videos/${video.id}`)}>${video.title}</a></h2>
      <p class="row badges">
        <span class=${`badge ${badge}`}>${video.status}</span>
        <span class="badge">${video.visibility}</span>
        ${video.published ? html`<span class="badge">published</span>` : null}
        ${video.takenDown ? html`<span class="badge failed">taken down</span>` : null}
      </p>
      <p class="hint">${facts.join(" · ")}</p>
      <${Progress} video=${video} live=${live} />
    </li>
  `
}

const Videos = ({ first }: { first: VideoPage }) => {
  const [videos, setVideos] = useState<ReadonlyArray<LibraryVideo>>(first.items)
  const [next, setNext] = useState(first.next)
  const [moreError, setMoreError] = useState<unknown>()
  const [live, setLive] = useState<Readonly<Record<string, Live>>>({})
  const followed = videos.filter(isLive).slice(0, MAX_FEEDS).map((v) => v.id)

  const patchLive = (id: string, change: Live) => setLive((all) => ({ ...all, [id]: { ...all[id], ...change } }))
  const replace = (id: string, video: LibraryVideo) => setVideos((all) => all.map((v) => (v.id === id ? { ...v, ...video } : v)))

  useEffect(() => {
    const closers = followed.map((id) =>
      followVideo<LibraryVideo>(id, {
        onVideo: (video, upload) => {
          if (video !== null) replace(id, video)
          patchLive(id, { upload })
        },
        onProcessing: (processing) => patchLive(id, { processing }),
        onEnd: () =>
          // the final document (thumbnail, duration) as the read model has it; an older one (the read side lags) is ignored
          get<LibraryVideo>(`/videos/${encodeURIComponent(id)}`).then((v) => !isLive(v) && replace(id, v), () => undefined),
        onError: (error) => patchLive(id, { error })
      })
    )
    return () => closers.forEach((close) => close())
  }, [followed.join(",")])

  const loadMore = async () => {
    setMoreError(undefined)
    try {
      const page = await get<VideoPage>(`/videos?owner=me&limit=${PAGE_SIZE}&cursor=${encodeURIComponent(next!)}`)
      setVideos((all) => [...all, ...page.items.filter((v) => !all.some((a) => a.id === v.id))])
      setNext(page.next)
    } catch (e) {
      setMoreError(e)
    }
  }

  if (videos.length === 0) {
    return html`
      <div class="card empty">
        <p><strong>You have no videos yet.</strong></p>
        <p>Go to <a href=${href("/upload")}>Upload</a> and drop a video file on the drop zone, or choose one with the file picker.
          It shows up here while Keyframe processes it, and is ready to watch a little later.</p>
      </div>
    `
  }
  return html`
    <ul class="grid video-grid" aria-label="My videos">${videos.map((v) => html`<${VideoCard} key=${v.id} video=${v} live=${live[v.id]} />`)}</ul>
    ${next === null ? null : html`<button type="button" class="secondary" onClick=${loadMore}>Show more</button>`}
    <${ErrorText} error=${moreError} />
  `
}

export const LibraryPage = (_props: PageProps) => {
  const { loaded } = useLoad((signal) => get<VideoPage>(`/videos?owner=me&limit=${PAGE_SIZE}`, { signal }), [])
  return html`
    <div class="row page-head">
      <h1>My videos</h1>
      <a class="button-link" href=${href("/upload")}>Upload videos</a>
    </div>
    <${Show} loaded=${loaded}>${(page: VideoPage) => html`<${Videos} first=${page} />`}<//>
  `
}
