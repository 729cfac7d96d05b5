/**
 * A real MP4 pushed over HTTP becomes a ready video: the server runs the media workers in the same process (the
 * stream hand-off adopts the finalized original as the upload of the same id, then transcode and publish), on
 * s3rver with real ffmpeg.
 */
import { readFile, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mp4Source } from "../../support/GrowingMp4.ts"
import { type S3TestServer, startS3 } from "../../support/s3.ts"
import { bearer, MiB, pushClient, type PushServer, sha256, startPushServer, waitForState } from "./PushServer.ts"

let s3: S3TestServer
let dataDir: string
let server: PushServer

beforeAll(async () => {
  s3 = await startS3()
  dataDir = await mkdtemp(join(tmpdir(), "kf-push-video-"))
  server = await startPushServer({ dataDir, s3, workers: true, env: { STREAM_TIMEOUT_SECONDS: "10", PUSH_MAX_BODY_BYTES: String(4 * MiB) } })
}, 60_000)

afterAll(async () => {
  await server?.stop()
  await s3?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

describe("HTTP push to a ready video", () => {
  it("a fragmented MP4 pushed in 6 PATCHes is finalized, handed off, transcoded and published", async () => {
    const source = await mp4Source("fragmented", 12 * MiB)
    const bytes = new Uint8Array(await readFile(source.path))
    const client = pushClient(server.origin)
    const created = await client.create("gina", { title: "Pushed clip" })
    expect(created.status).toBe(201)
    const { id } = await created.json()
    const cut = [0.07, 0.25, 0.4, 0.55, 0.8].map((f) => Math.round(f * bytes.length))
    const bounds = [0, ...cut, bytes.length]
    for (let i = 0; i < 6; i++) {
      const res = await client.patch("gina", id, bounds[i]!, bytes.subarray(bounds[i]!, bounds[i + 1]!))
      expect(res.status).toBe(204)
    }
    expect((await client.end("gina", id)).status).toBe(202)
    const finalized = await waitForState(server.origin, "gina", id, "finalized")
    expect(finalized.sha256).toBe(source.sha256)
    expect(sha256(bytes)).toBe(source.sha256)
    expect(finalized.partsUploaded).toBeGreaterThanOrEqual(2)

    const deadline = Date.now() + 300_000
    let upload: any
    while (Date.now() < deadline) {
      const res = await fetch(`${server.origin}/uploads/${id}`, { headers: await bearer("gina") })
      upload = res.status === 200 ? await res.json() : { status: `http ${res.status}` }
      if (upload.status === "ready" || upload.status === "failed") break
      await new Promise((r) => setTimeout(r, 500))
    }
    expect(upload).toMatchObject({ status: "ready", source: "stream" })
    const video = await fetch(`${server.origin}/videos/${id}`, { headers: await bearer("gina") })
    expect(video.status).toBe(200)
    expect(await video.json()).toMatchObject({ id, title: "Pushed clip" })
  }, 360_000)
})
