/** ffprobe facts on generated videos, and readable reasons for files that are not accepted videos. */
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { makeMedia } from "../../src/media/Media.ts"
import { testVideos, type TestVideos } from "../support/videos.ts"

const media = makeMedia()
let videos: TestVideos
beforeAll(async () => {
  videos = await testVideos()
})

const failure = (path: string, acceptedFormats?: ReadonlyArray<string>) =>
  Effect.runPromise(Effect.flip(makeMedia({ acceptedFormats }).probe(path)))

describe("MediaProbe", () => {
  it("reads a 720p clip's facts", async () => {
    const info = await Effect.runPromise(media.probe(videos.landscape720))
    expect(info).toMatchObject({
      width: 1280,
      height: 720,
      rotation: 0,
      videoCodec: "h264",
      audioCodec: "aac",
      frameRate: 30,
      container: "mp4",
      formatName: "mov,mp4,m4a,3gp,3g2,mj2"
    })
    expect(info.durationSeconds).toBeCloseTo(5, 1)
    expect(info.bitRate).toBeGreaterThan(10_000)
    expect(info.sizeBytes).toBeGreaterThan(1000)
  })

  it("reports a phone's portrait clip (rotation metadata) at its display size", async () => {
    const info = await Effect.runPromise(media.probe(videos.portrait))
    expect([info.width, info.height]).toEqual([720, 1280])
    expect([90, 270]).toContain(info.rotation)
  })

  it("reads a clip without audio", async () => {
    const info = await Effect.runPromise(media.probe(videos.noAudio))
    expect([info.width, info.height, info.audioCodec]).toEqual([640, 360, undefined])
  })

  it("refuses garbage with ffprobe's reason", async () => {
    const error = await failure(videos.garbage)
    expect(error._tag).toBe("NotAVideo")
    expect(error.message).toMatch(/^not a video file: ffprobe could not read it \(Invalid data found when processing input\)$/)
  })

  it("refuses an audio-only file: no video stream", async () => {
    const error = await failure(videos.audioOnly)
    expect(error.message).toBe("not a video file: ffprobe found no video stream")
  })

  it("refuses a GIF: not an accepted container", async () => {
    const error = await failure(videos.gif)
    expect(error._tag).toBe("UnsupportedContainer")
    expect(error.message).toBe("container 'gif' is not accepted; accepted: mp4, mov, avi, mkv, webm")
  })

  it("follows the accepted formats setting", async () => {
    const error = await failure(videos.landscape720, ["webm", "mkv"])
    expect(error.message).toBe("container 'mp4' is not accepted; accepted: webm, mkv")
  })

  it("a missing file is a file error, not a verdict on the video", async () => {
    const error = await failure(`${videos.dir}/does-not-exist.mp4`)
    expect(error._tag).toBe("MediaFileError")
  })

  it("a wrong FFPROBE_PATH fails with install instructions", async () => {
    const error = await Effect.runPromise(Effect.flip(makeMedia({ ffprobePath: "/nonexistent/ffprobe" }).probe(videos.landscape720)))
    expect(error._tag).toBe("FfmpegNotFound")
    expect(error.message).toMatch(/^ffprobe not found at \/nonexistent\/ffprobe .*apt-get install ffmpeg.*brew install ffmpeg.*FFPROBE_PATH/)
  })
})
