/** Thumbnails on real ffmpeg: a JPEG at 1 s (midpoint of short clips), bounded width, display aspect ratio. */
import { execFile } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeMedia } from "../../src/media/Media.ts"
import { thumbnailTime } from "../../src/media/Thumbnail.ts"
import { testVideos, type TestVideos } from "../support/videos.ts"

const exec = promisify(execFile)
const media = makeMedia()
let videos: TestVideos
let work = ""
beforeAll(async () => {
  videos = await testVideos()
  work = await mkdtemp(join(tmpdir(), "kf-thumb-"))
})
afterAll(() => rm(work, { recursive: true, force: true }))

/** Format and size of an image, read by ffprobe directly. */
const imageFacts = async (path: string) => {
  const { stdout } = await exec("ffprobe", ["-v", "error", "-print_format", "json", "-show_streams", path])
  const s = JSON.parse(stdout).streams[0]
  return { codec: s.codec_name as string, width: s.width as number, height: s.height as number }
}

describe("Thumbnail", () => {
  it("takes the frame at 1 s, or at the midpoint of clips shorter than 2 s", () => {
    expect([thumbnailTime(5), thumbnailTime(2), thumbnailTime(1.5), thumbnailTime(0.4), thumbnailTime(undefined)]).toEqual([1, 1, 0.75, 0.2, 1])
  })

  it("writes a 640-wide JPEG of a 720p clip", async () => {
    const output = join(work, "landscape", "poster.jpg")
    const result = await Effect.runPromise(media.thumbnail(videos.landscape720, output))
    expect(result).toEqual({ path: output, width: 640, height: 360, atSeconds: 1 })
    const bytes = await readFile(output)
    expect([bytes[0], bytes[1], bytes[2]]).toEqual([0xff, 0xd8, 0xff]) // JPEG SOI + marker
    expect(await imageFacts(output)).toEqual({ codec: "mjpeg", width: 640, height: 360 })
  })

  it("keeps a portrait clip portrait", async () => {
    const output = join(work, "portrait.jpg")
    const result = await Effect.runPromise(media.thumbnail(videos.portrait, output))
    expect([result.width, result.height]).toEqual([640, 1138])
    expect(await imageFacts(output)).toMatchObject({ width: 640, height: 1138 })
  })

  it("takes a short clip's midpoint and never upscales a small one", async () => {
    const short = await Effect.runPromise(media.thumbnail(videos.short, join(work, "short.jpg")))
    expect(short.atSeconds).toBe(0.75)
    const tiny = await Effect.runPromise(media.thumbnail(videos.tiny, join(work, "tiny.jpg"), { maxWidth: 640 }))
    expect([tiny.width, tiny.height]).toEqual([320, 240])
    expect(await imageFacts(join(work, "tiny.jpg"))).toMatchObject({ width: 320, height: 240 })
  })
})
