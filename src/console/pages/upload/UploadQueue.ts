/**
 * The page's uploads, kept outside the components so they go on (and are shown again) when the user
 * moves to another page of the console and back. Each file is a tus-js-client Upload (the UMD build
 * index.html loads: `window.tus`) to `/files` with the session's bearer token; its fingerprint (user,
 * name, type, size, modification time) is stored by tus-js-client in localStorage, so after a reload
 * picking the same file again resumes where the server stopped (README "Uploads (tus)").
 */
import type * as Tus from "tus-js-client"
import { authHeaders } from "../../api.ts"

const tus = (globalThis as unknown as { tus: typeof Tus }).tus

/** The server's tus chunk size (README: 8 MiB, one PATCH each; progress is reported within a chunk). */
const CHUNK_SIZE = 8 * 1024 * 1024
const SPEED_WINDOW_MS = 5_000

export type UploadState = "starting" | "uploading" | "paused" | "done" | "failed" | "cancelled"

export interface UploadItem {
  readonly key: number
  readonly owner: string
  readonly name: string
  readonly size: number
  readonly state: UploadState
  /** Bytes the server acknowledged or that are on their way (tus onProgress). */
  readonly sent: number
  readonly bytesPerSecond: number | undefined
  readonly secondsLeft: number | undefined
  /** The upload's id = the video's id, once the server created it. */
  readonly videoId: string | undefined
  readonly url: string | undefined
  /** Bytes the server already held when this upload resumed an earlier one. */
  readonly resumedAt: number | undefined
  readonly error: string | undefined
  /** Whether trying again can help (no answer, or a server error); a refusal (4xx) will not change. */
  readonly retryable: boolean
}

interface Running {
  readonly upload: Tus.Upload
  samples: Array<{ t: number; bytes: number }>
}

let items: ReadonlyArray<UploadItem> = []
const running = new Map<number, Running>()
const listeners = new Set<() => void>()
let nextKey = 1

const emit = () => listeners.forEach((l) => l())
const update = (key: number, change: Partial<UploadItem>) => {
  items = items.map((i) => (i.key === key ? { ...i, ...change } : i))
  emit()
}

export const uploadItems = () => items
/** Calls `listener` after every change; returns the unsubscribe. */
export const onUploadsChange = (listener: () => void) => {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

/** The id at the end of an upload URL (`…/files/<id>`): the video's id. */
export const idOfUrl = (url: string) => url.slice(url.lastIndexOf("/") + 1)

/** What a failed tus request means in words: the server's `{ error: { message, code } }` when it answered. */
export const tusErrorText = (error: unknown): { text: string; retryable: boolean } => {
  const response = (error as Partial<Tus.DetailedError>).originalResponse
  if (response !== undefined && response !== null) {
    const status = response.getStatus()
    try {
      const body = JSON.parse(response.getBody()) as { error?: { message?: string; code?: string } }
      if (body.error?.message) {
        return { text: `${body.error.message}${body.error.code ? ` (${body.error.code})` : ""}`, retryable: status >= 500 || status === 0 }
      }
    } catch {
      // not JSON
    }
    return { text: `The server answered ${status}.`, retryable: status >= 500 || status === 0 }
  }
  return { text: "The upload was interrupted: Keyframe cannot be reached. Check your network connection and resume.", retryable: true }
}

/** tus-js-client's localStorage keys are `tus::<fingerprint>::<n>`: the user is part of ours, so accounts on one browser stay apart. */
const fingerprintPrefix = (owner: string) => `keyframe/${encodeURIComponent(owner)}/`
const fingerprintOf = (owner: string) => (file: File) =>
  Promise.resolve(`${fingerprintPrefix(owner)}${[file.name, file.type, file.size, file.lastModified].map((p) => encodeURIComponent(String(p))).join("/")}`)

const speedOf = (run: Running, bytes: number) => {
  const now = performance.now()
  run.samples.push({ t: now, bytes })
  while (run.samples.length > 2 && now - run.samples[0]!.t > SPEED_WINDOW_MS) run.samples.shift()
  const first = run.samples[0]!
  const seconds = (now - first.t) / 1000
  return seconds < 0.3 ? undefined : (bytes - first.bytes) / seconds
}

/** Starts (or resumes, when the browser stored this file's earlier upload) one upload per file. */
export const addFiles = (owner: string, files: Iterable<File>) => {
  for (const file of files) start(owner, file)
}

const start = (owner: string, file: File) => {
  const key = nextKey++
  items = [
    ...items,
    {
      key, owner, name: file.name, size: file.size, state: "starting", sent: 0, bytesPerSecond: undefined, secondsLeft: undefined,
      videoId: undefined, url: undefined, resumedAt: undefined, error: undefined, retryable: false
    }
  ]
  emit()
  const current = () => items.find((i) => i.key === key)
  const upload: Tus.Upload = new tus.Upload(file, {
    endpoint: "/files",
    headers: authHeaders(),
    metadata: file.type === "" ? { filename: file.name } : { filename: file.name, filetype: file.type },
    chunkSize: CHUNK_SIZE,
    retryDelays: [0, 1000, 3000, 5000],
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    fingerprint: fingerprintOf(owner),
    onUploadUrlAvailable: () => {
      const url = upload.url ?? undefined
      update(key, { url, videoId: url === undefined ? undefined : idOfUrl(url) })
    },
    onProgress: (sent, total) => {
      const item = current()
      const run = running.get(key)
      if (item === undefined || run === undefined || item.state === "paused" || item.state === "cancelled") return
      const speed = speedOf(run, sent)
      update(key, {
        state: "uploading",
        sent,
        bytesPerSecond: speed,
        secondsLeft: speed === undefined || speed <= 0 ? undefined : (total - sent) / speed
      })
    },
    // a HEAD is tus asking where an earlier upload of this file stopped: that is where this one resumes
    onAfterResponse: (request, response) => {
      if (request.getMethod() !== "HEAD" || current()?.resumedAt !== undefined || response.getStatus() !== 200) return
      const offset = Number(response.getHeader("Upload-Offset"))
      if (Number.isFinite(offset)) update(key, { resumedAt: offset, sent: Math.max(current()?.sent ?? 0, offset) })
    },
    onSuccess: () => {
      running.delete(key)
      update(key, { state: "done", sent: file.size, bytesPerSecond: undefined, secondsLeft: 0, error: undefined })
    },
    onError: (error) => {
      const item = current()
      if (item === undefined || item.state === "cancelled" || item.state === "paused") return
      const { text, retryable } = tusErrorText(error)
      update(key, { state: "failed", error: text, retryable, bytesPerSecond: undefined, secondsLeft: undefined })
    }
  })
  running.set(key, { upload, samples: [] })
  upload.findPreviousUploads().then(
    (previous) => {
      const newest = [...previous].sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0]
      if (newest !== undefined) upload.resumeFromPreviousUpload(newest)
      if (current()?.state === "starting") upload.start()
    },
    () => upload.start()
  )
}

export const pause = (key: number) => {
  const run = running.get(key)
  if (run === undefined) return
  update(key, { state: "paused", bytesPerSecond: undefined, secondsLeft: undefined })
  void run.upload.abort(false)
}

/** Resumes a paused upload, or tries a failed one again (tus asks the server for its offset first). */
export const resume = (key: number) => {
  const run = running.get(key)
  if (run === undefined) return
  run.samples = []
  update(key, { state: "uploading", error: undefined })
  run.upload.start()
}

/** Stops the transfer and terminates the upload on the server (tus DELETE: its bytes and quota reservation go). */
export const cancel = async (key: number) => {
  const run = running.get(key)
  if (run === undefined) return
  update(key, { state: "cancelled", bytesPerSecond: undefined, secondsLeft: undefined, error: undefined })
  running.delete(key)
  try {
    await run.upload.abort(true)
  } catch (e) {
    update(key, { error: `The upload stopped, but the server could not be told to delete it: ${tusErrorText(e).text}` })
  }
}

/** Takes a finished, failed or cancelled upload off the list. */
export const dismiss = (key: number) => {
  running.delete(key)
  items = items.filter((i) => i.key !== key)
  emit()
}

/** An upload this browser started earlier (before a reload) and did not finish. */
export interface UnfinishedUpload {
  readonly storageKey: string
  readonly name: string
  readonly size: number
  readonly offset: number
  readonly url: string
  readonly createdAt: string
}

const storage = () => tus.defaultOptions.urlStorage

/**
 * The uploads this browser stored for `owner` and the server still waits for, with how far each got
 * (tus HEAD: `Upload-Offset`). Entries the server no longer knows (finished, cancelled, expired) are forgotten.
 */
export const unfinishedUploads = async (owner: string): Promise<ReadonlyArray<UnfinishedUpload>> => {
  const stored = (await storage().findAllUploads()).filter((p) => p.urlStorageKey.startsWith(`tus::${fingerprintPrefix(owner)}`))
  const found = await Promise.all(stored.map(async (p): Promise<UnfinishedUpload | undefined> => {
    if (p.uploadUrl === null) return undefined
    let response: Response
    try {
      response = await fetch(p.uploadUrl, { method: "HEAD", headers: { ...authHeaders(), "Tus-Resumable": "1.0.0" } })
    } catch {
      return undefined // unreachable now: keep it stored, show it next time
    }
    const offset = Number(response.headers.get("Upload-Offset"))
    const size = Number(response.headers.get("Upload-Length") ?? p.size)
    if (!response.ok || !Number.isFinite(offset) || offset >= size) {
      if (response.status !== 401 && response.status < 500) await storage().removeUpload(p.urlStorageKey)
      return undefined
    }
    return { storageKey: p.urlStorageKey, name: p.metadata.filename ?? idOfUrl(p.uploadUrl), size, offset, url: p.uploadUrl, createdAt: p.creationTime }
  }))
  return found.filter((u): u is UnfinishedUpload => u !== undefined)
}

/** Gives up an unfinished upload: terminated on the server (its reservation released) and forgotten here. */
export const discardUnfinished = async (unfinished: UnfinishedUpload) => {
  await tus.Upload.terminate(unfinished.url, { headers: authHeaders() })
  await storage().removeUpload(unfinished.storageKey)
}
