/**
 * Media input opens nothing but itself: a playlist or a concat list named .mp4 is refused by ffprobe and
 * ffmpeg themselves (demuxer and protocol whitelists) before they follow it anywhere, and every accepted
 * container (mp4, mov, mkv, webm, avi) still probes, transcodes and gets its thumbnail.
 */
import { execFile } from "node:child_process"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeMedia } from "../../src/media/Media.ts"
import type { MediaError } from "../../src/media/MediaError.ts"
import type { MediaInfo } from "../../src/media/MediaProbe.ts"
import { testVideos, type TestVideos } from "../support/videos.ts"
import { ffconcatList, fileTripwire, hlsPlaylist, mentionsAbsolutePath, socketTripwire } from "./IndirectInputs.ts"

const exec = promisify(execFile)
const media = makeMedia({ preset: "ultrafast" })
const REFUSED_HLS = "container 'hls' is not accepted; accepted: mp4, mov, avi, mkv, webm"
let videos: TestVideos
let work = ""
beforeAll(async () => {
  videos = await testVideos()
  work = await mkdtemp(join(tmpdir(), "kf-indirection-"))
})
afterAll(() => rm(work, { recursive: true, force: true }))

/** A fresh directory holding `name` with `text`; returns the file's path. */
const fileIn = async (dir: string, name: string, text: string) => {
  await mkdir(join(work, dir), { recursive: true })
  const path = join(work, dir, name)
  await writeFile(path, text)
  return path
}

const probeFailure = (path: string) => Effect.runPromise(Effect.flip(media.probe(path)))

describe("probing a file that points elsewhere", () => {
  it("refuses an HLS playlist named .mp4 listing a local .ts, without opening the .ts", async () => {
    await mkdir(join(work, "hls-local"), { recursive: true })
    const wire = fileTripwire(join(work, "hls-local", "seg0.ts"))
    try {
      const error = await probeFailure(await fileIn("hls-local", "holiday.mp4", hlsPlaylist(wire.path)))
      expect(wire.opened()).toBe(false)
      expect(error.message).toBe(REFUSED_HLS)
    } finally {
      wire.close()
    }
  })

  it("refuses an HLS playlist named .mp4 listing an http:// segment: the listener gets no connection", async () => {
    const listener = await socketTripwire()
    try {
      const error = await probeFailure(await fileIn("hls-http", "holiday.mp4", hlsPlaylist(listener.url)))
      expect(error.message).toBe(REFUSED_HLS)
      expect(listener.connections()).toBe(0)
    } finally {
      await listener.close()
    }
  })

  it("refuses an ffconcat list named .mp4, without opening the file it lists", async () => {
    await mkdir(join(work, "concat"), { recursive: true })
    const wire = fileTripwire(join(work, "concat", "seg0.ts"))
    try {
      // A relative name: the concat demuxer's safe mode lets it read a file beside the list.
      const error = await probeFailure(await fileIn("concat", "holiday.mp4", ffconcatList("seg0.ts")))
      expect(wire.opened()).toBe(false)
      expect(error.message).toBe("container 'concat' is not accepted; accepted: mp4, mov, avi, mkv, webm")
    } finally {
      wire.close()
    }
  })
})

describe("ffmpeg refuses the same inputs itself, even when handed another file's probe", () => {
  let info: MediaInfo
  beforeAll(async () => {
    info = await Effect.runPromise(media.probe(videos.tiny))
  })

  for (const operation of ["hls ladder", "thumbnail"] as const) {
    it(`the ${operation} does not follow an HLS playlist named .mp4`, async () => {
      const dir = operation === "thumbnail" ? "ffmpeg-thumbnail" : "ffmpeg-ladder"
      await mkdir(join(work, dir), { recursive: true })
      const wire = fileTripwire(join(work, dir, "seg0.ts"))
      try {
        const input = await fileIn(dir, "source.mp4", hlsPlaylist(wire.path))
        const run: Effect.Effect<unknown, MediaError> = operation === "thumbnail"
          ? media.thumbnail(input, join(work, dir, "out", "thumbnail.jpg"), { info })
          : media.hlsLadder(input, join(work, dir, "out"), { info })
        const error = await Effect.runPromise(Effect.flip(run))
        expect(wire.opened()).toBe(false)
        expect(error._tag).toBe("FfmpegFailed")
        expect(error.message).toBe(`ffmpeg failed (${operation}): its input's format (hls) is not on the whitelist of accepted containers`)
        expect(mentionsAbsolutePath(error.message)).toBe(false)
      } finally {
        wire.close()
      }
    })
  }
})

describe("every accepted container still goes through", () => {
  const lavfi = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1.2", "-f", "lavfi", "-i", "sine=frequency=440:duration=1.2"]
  const sources: Record<string, ReadonlyArray<string>> = {
    mov: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "mov"],
    mkv: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "matroska"],
    webm: ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "300k", "-c:a", "libopus", "-f", "webm"],
    avi: ["-c:v", "mpeg4", "-q:v", "5", "-c:a", "libmp3lame", "-f", "avi"]
  }

  for (const [container, args] of Object.entries(sources)) {
    it(`${container}: probed as ${container}, transcoded, thumbnailed`, async () => {
      const source = join(work, `source.${container}`)
      await exec("ffmpeg", ["-hide_banner", "-v", "error", "-y", ...lavfi, ...args, "-shortest", source])
      const info = await Effect.runPromise(media.probe(source))
      expect(info.container).toBe(container)
      const ladder = await Effect.runPromise(media.hlsLadder(source, join(work, `out-${container}`), { info }))
      expect(ladder.renditions.map((r) => [r.width, r.height])).toEqual([[320, 240]])
      const thumb = await Effect.runPromise(media.thumbnail(source, join(work, `out-${container}`, "thumbnail.jpg"), { info }))
      expect(thumb.width).toBe(320)
    })
  }

  it("the mp4 test clip still transcodes; with a narrower setting ffprobe refuses it yet names its container", async () => {
    const ladder = await Effect.runPromise(media.hlsLadder(videos.tiny, join(work, "out-mp4")))
    expect(ladder.renditions).toHaveLength(1)
    const error = await Effect.runPromise(Effect.flip(makeMedia({ acceptedFormats: ["webm"] }).probe(videos.tiny)))
    expect(error.message).toBe("container 'mp4' is not accepted; accepted: webm")
  })
})
