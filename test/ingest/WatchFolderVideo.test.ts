/**
 * The watch folder end to end, on `npm start`'s program as a real process (workers on, s3rver, real ffmpeg):
 * a writer process grows a ~40 MiB MP4 in WATCH_DIR in bursts over several seconds; the server seals 5 MiB
 * parts while it grows, finalizes the stream after STREAM_TIMEOUT_SECONDS without growth, and the original
 * becomes a ready video whose HLS ladder plays. Fragmented MP4 (appended only) and plain MP4 (its mdat size,
 * inside part 1, rewritten when the writer closes: part 1 is uploaded again). Every hash is checked against
 * the file on disk and the object read back through the S3 API, never against a figure the server reports.
 *
 * The fixture is lossless H.264 of noise: ~40 MiB is only ~5 s of 640x360 video, so the transcode stays short.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RoomServer } from "../realtime/RoomServerProcess.ts"
import { type GrowingMp4Kind, startGrowingMp4 } from "../support/GrowingMp4.ts"
import { type S3TestServer, startS3 } from "../support/s3.ts"
import { fileDigest, MiB, ownerGet, s3ObjectDigest, startWatchServer, streamEvents, streamOfFile, until, uploadedPartNumbers } from "./WatchServer.ts"

const CHUNK = 5 * MiB
let s3: S3TestServer
let dataDir: string
let watchDir: string
let server: RoomServer

beforeAll(async () => {
  s3 = await startS3()
  dataDir = await mkdtemp(join(tmpdir(), "kf-watch-video-"))
  watchDir = join(dataDir, "watch")
  await mkdir(watchDir)
  server = await startWatchServer({ dataDir: join(dataDir, "data"), watchDir, s3, workers: true })
}, 120_000)

afterAll(async () => {
  await server?.stop()
  await s3?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const log = () => server.output()

describe.each<GrowingMp4Kind>(["fragmented", "plain"])("a %s MP4 growing in WATCH_DIR", (kind) => {
  it("is sealed in 5 MiB parts as it grows, finalized byte-identical to the file, and becomes a ready, playable video", async () => {
    const file = `${kind}-cam.mp4`
    const target = join(watchDir, file)
    const growing = await startGrowingMp4({ target, kind, sizeBytes: 40 * MiB, bursts: 24, intervalMs: 250 })
    let writing = true
    void growing.done.then(() => (writing = false), () => (writing = false))
    const streamId = await until(`a stream for ${file}`, () => streamOfFile(server.http, file), 20_000, log)

    // parts are recorded while the file is still growing, not only once it is finished
    let partsWhileWriting = 0
    while (writing) {
      const view = await ownerGet(server.http, `/streams/${streamId}`)
      if (view.status === 200 && writing) partsWhileWriting = Math.max(partsWhileWriting, view.body.partsUploaded ?? 0)
      await new Promise((r) => setTimeout(r, 200))
    }
    await growing.done
    const disk = await fileDigest(target)
    expect(disk).toEqual({ sha256: growing.sha256, size: growing.size })
    expect(disk.size).toBeGreaterThan(38 * MiB)
    expect(partsWhileWriting).toBeGreaterThanOrEqual(2)

    const finalized = await until("the stream to be finalized", async () => {
      const view = await ownerGet(server.http, `/streams/${streamId}`)
      if (view.body?.state === "failed") throw new Error(`stream failed: ${JSON.stringify(view.body)}\n${log()}`)
      return view.body?.state === "finalized" ? view.body : undefined
    }, 60_000, log)
    expect(finalized.sha256).toBe(disk.sha256)

    const events = await streamEvents(server.http, streamId)
    const partCount = Math.ceil(disk.size / CHUNK)
    const parts = uploadedPartNumbers(events)
    expect(parts).toHaveLength(partCount)
    expect([...parts].sort((a, b) => a - b)).toEqual(Array.from({ length: partCount }, (_, i) => i + 1))
    const uploaded = events.filter((e) => e.type === "StreamPartUploaded").map((e) => e.data).sort((a, b) => a.partNumber - b.partNumber)
    expect(uploaded.map((p) => [p.offset, p.size])).toEqual(
      Array.from({ length: partCount }, (_, i) => [i * CHUNK, Math.min(CHUNK, disk.size - i * CHUNK)])
    )
    const done = events.find((e) => e.type === "StreamFinalized")!.data
    expect(done).toMatchObject({ totalSize: disk.size, chunkCount: partCount, sha256: disk.sha256 })
    // the stored original, read back through S3, is the file
    expect(await s3ObjectDigest(s3, `originals/${streamId}`)).toEqual(disk)

    const rewritten = events.filter((e) => e.type === "StreamPartRewritten").map((e) => e.data)
    if (kind === "plain") {
      // part 1 was sealed with the placeholder mdat size and uploaded again once the writer fixed it
      expect(rewritten.map((r) => r.partNumber)).toEqual([1])
      expect(rewritten[0]!.previousSha256).toBe(uploaded[0]!.sha256)
      expect(rewritten[0]!.sha256).not.toBe(uploaded[0]!.sha256)
      expect(done.rewrittenParts).toEqual([1])
    } else {
      expect(rewritten).toEqual([])
      expect(done.rewrittenParts).toEqual([])
    }

    // the hand-off adopts it as the upload of the same id; transcode and publish make it a ready video
    const upload = await until("the upload to be ready", async () => {
      const got = await ownerGet(server.http, `/uploads/${streamId}`)
      if (got.body?.status === "failed") throw new Error(`upload failed: ${JSON.stringify(got.body)}\n${log()}`)
      return got.body?.status === "ready" ? got.body : undefined
    }, 240_000, log)
    expect(upload).toMatchObject({ status: "ready", source: "stream" })
    const video = await until("the video in the catalog", async () => {
      const got = await ownerGet(server.http, `/videos/${streamId}`)
      return got.status === 200 ? got.body : undefined
    }, 30_000, log)
    expect(video).toMatchObject({ id: streamId })

    // the published ladder plays: master playlist, a rendition playlist, its first segment
    const playback = await ownerGet(server.http, `/videos/${streamId}/playback`)
    expect(playback.status).toBe(200)
    const master = await (await fetch(playback.body.url)).text()
    expect(master).toMatch(/^#EXTM3U/)
    const rendition = master.split("\n").find((l) => l.endsWith(".m3u8"))!
    expect(rendition).toBeDefined()
    const index = await (await fetch(new URL(rendition, playback.body.url))).text()
    const segments = index.split("\n").filter((l) => l.endsWith(".ts"))
    expect(segments.length).toBeGreaterThan(0)
    const segment = await fetch(new URL(segments[0]!, new URL(rendition, playback.body.url)))
    expect(segment.status).toBe(200)
    expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(1000)
  }, 360_000)
})
