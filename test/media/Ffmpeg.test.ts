/** checkFfmpeg at start-up, and that interrupting or timing out a transcode leaves no ffmpeg process behind. */
import { execFileSync } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Cause, Effect, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checkFfmpeg } from "../../src/media/Ffmpeg.ts"
import { Media, makeMedia } from "../../src/media/Media.ts"
import { testVideos, type TestVideos } from "../support/videos.ts"

let videos: TestVideos
let work = ""
beforeAll(async () => {
  videos = await testVideos()
  work = await mkdtemp(join(tmpdir(), "kf-ffmpeg-"))
})
afterAll(() => rm(work, { recursive: true, force: true }))

/** Processes whose command line mentions `text` (pgrep -f), excluding none: the pattern is unique per test. */
const processesMentioning = (text: string): Array<string> => {
  try {
    return execFileSync("pgrep", ["-f", text], { encoding: "utf8" }).trim().split("\n").filter(Boolean)
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
}
/** True when ffmpeg finished the 720p playlist (it writes #EXT-X-ENDLIST last): the run was not cut short. */
const completed = (out: string) => readFile(join(out, "720p", "index.m3u8"), "utf8").then((t) => t.includes("#EXT-X-ENDLIST"), () => false)
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("checkFfmpeg", () => {
  it("succeeds with the system's ffmpeg and reports versions", async () => {
    const versions = await Effect.runPromise(checkFfmpeg())
    expect(versions.ffmpegVersion).toMatch(/^ffmpeg version/)
    expect(versions.ffprobeVersion).toMatch(/^ffprobe version/)
  })

  it("fails with a clear, typed error when ffmpeg is missing", async () => {
    const error = await Effect.runPromise(Effect.flip(checkFfmpeg({ ffmpegPath: "/opt/none/ffmpeg", ffprobePath: "ffprobe" })))
    expect(error._tag).toBe("FfmpegNotFound")
    expect(error.message).toBe(
      "ffmpeg not found at /opt/none/ffmpeg (no such executable); install it with `apt-get install ffmpeg` or " +
        "`brew install ffmpeg`, or set FFMPEG_PATH"
    )
    const layerError = await Effect.runPromise(
      Effect.flip(Effect.provide(Media.use(() => Effect.void), Media.layerChecked({ ffmpegPath: "/opt/none/ffmpeg" })))
    )
    expect(layerError._tag).toBe("FfmpegNotFound")
    const videos = await testVideos()
    const run = await Effect.runPromise(
      Effect.flip(makeMedia({ ffmpegPath: "/opt/none/ffmpeg" }).thumbnail(videos.landscape720, join(work, "none.jpg")))
    )
    expect(run.message).toMatch(/^ffmpeg not found at \/opt\/none\/ffmpeg \(no such executable\); install it with/)
  })
})

describe("ffmpeg process lifetime", () => {
  const media = makeMedia()

  it("interrupting a transcode kills ffmpeg (SIGKILL) before the interruption returns", async () => {
    const out = join(work, `interrupt-${Date.now()}`)
    let pid: number | undefined
    const fiber = Effect.runFork(media.hlsLadder(videos.landscape720, out, { onStart: (p) => (pid = p) }))
    const started = Date.now()
    while (pid === undefined && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20))
    expect(pid).toBeDefined()
    await new Promise((r) => setTimeout(r, 300))
    expect(processesMentioning(out).length).toBeGreaterThan(0) // it was running
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(isAlive(pid!)).toBe(false)
    expect(processesMentioning(out)).toEqual([])
    expect(await completed(out)).toBe(false) // killed mid-run, not waited for
  })

  it("a timeout around a transcode kills ffmpeg too", async () => {
    const out = join(work, `timeout-${Date.now()}`)
    const result = await Effect.runPromise(Effect.flip(media.hlsLadder(videos.landscape720, out).pipe(Effect.timeout("800 millis"))))
    expect(Cause.isTimeoutError(result)).toBe(true)
    expect(processesMentioning(out)).toEqual([])
    expect(await completed(out)).toBe(false)
  })

  it("ffmpeg failing mid-run is a typed error with ffmpeg's reason", async () => {
    const info = await Effect.runPromise(media.probe(videos.landscape720))
    // An odd frame size: x264 refuses 4:2:0 frames 1 pixel wide.
    const error = await Effect.runPromise(
      Effect.flip(
        media.hlsLadder(videos.landscape720, join(work, "bad"), {
          info,
          renditions: [{ name: "bad", width: 1, height: 1, videoBitrate: 1000, audioBitrate: 64000, level: 31 }]
        })
      )
    )
    expect(error._tag).toBe("FfmpegFailed")
    expect(error.message).toMatch(/^ffmpeg failed \(hls ladder\): .+/)
  })
})
