/**
 * Puts a ready video into a console test's server the way any API client would: a tus upload
 * (tus-js-client from Node) as `owner`, then waits until GET /videos/:id says ready. The clip is one
 * of test/support/videos.ts's ffmpeg-generated files.
 */
import { readFile } from "node:fs/promises"
import { basename } from "node:path"
import { Upload } from "tus-js-client"
import type { ConsoleServer } from "./ConsoleServer.ts"

export interface SeededVideo {
  readonly id: string
  readonly title: string
}

/** Uploads `file` as `owner`; resolves with the upload's id (= the video's id) once its last byte is in. */
export const uploadFile = async (server: ConsoleServer, owner: string, file: string): Promise<string> => {
  const data = await readFile(file)
  const token = await server.token(owner)
  const url = await new Promise<string>((resolve, reject) => {
    const upload: Upload = new Upload(data, {
      endpoint: `${server.url}/files`,
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: basename(file), filetype: "video/mp4" },
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [],
      onSuccess: () => resolve(upload.url!),
      onError: reject
    })
    upload.start()
  })
  return url.slice(url.lastIndexOf("/") + 1)
}

/** Waits (polling GET /videos/:id as `owner`) until the video is ready; fails on failed or after `seconds`. */
export const waitUntilReady = async (server: ConsoleServer, owner: string, id: string, seconds = 120) => {
  const deadline = Date.now() + seconds * 1000
  for (;;) {
    const doc = await server.api<{ status: string; failureReason: string | null }>("GET", `/videos/${id}`, { sub: owner }).catch(() => undefined)
    if (doc?.status === "ready") return
    if (doc?.status === "failed") throw new Error(`video ${id} failed: ${doc.failureReason}`)
    if (Date.now() > deadline) throw new Error(`video ${id} is not ready after ${seconds} s (status ${doc?.status})`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** A ready video of `owner`'s from `file`, made public and published when `publish` (so others see it in the catalog). */
export const seedVideo = async (server: ConsoleServer, owner: string, file: string, options: { publish?: boolean } = {}): Promise<SeededVideo> => {
  const id = await uploadFile(server, owner, file)
  await waitUntilReady(server, owner, id)
  if (options.publish === true) {
    await server.api("PATCH", `/videos/${id}`, { sub: owner, body: { visibility: "public" } })
    await server.api("POST", `/videos/${id}/publish`, { sub: owner })
  }
  const doc = await server.api<{ title: string }>("GET", `/videos/${id}`, { sub: owner })
  return { id, title: doc.title }
}
