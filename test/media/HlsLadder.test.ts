/** The one-process HLS ladder on real ffmpeg: renditions, playable playlists, aligned segments, the master playlist. */
import { execFile } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { HlsLadderResult } from "../../src/media/HlsLadder.ts"
import { parseMediaPlaylist } from "../../src/media/HlsPlaylist.ts"
import { makeMedia } from "../../src/media/Media.ts"
import { testVideos, type TestVideos } from "../support/videos.ts"

const exec = promisify(execFile)
const media = makeMedia()
let videos: TestVideos
let work = ""
beforeAll(async () => {
  videos = await testVideos()
  work = await mkdtemp(join(tmpdir(), "kf-hls-"))
})
afterAll(() => rm(work, { recursive: true, force: true }))

interface Probed {
  readonly duration: number
  readonly streams: ReadonlyArray<{ codec_type: string; codec_name: string; width?: number; height?: number; profile?: string }>
}
/** ffprobe run directly (not through the code under test) on a playlist: does it play, and what is in it. */
const probe = async (path: string): Promise<Probed> => {
  const { stdout } = await exec("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path])
  const json = JSON.parse(stdout)
  return { duration: Number(json.format.duration), streams: json.streams }
}

/** The avc1 codec string from the first SPS NAL unit in a segment (profile_idc, constraint flags, level_idc). */
const avcFromSegment = (bytes: Uint8Array): string | undefined => {
  for (let i = 0; i + 6 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1 && (bytes[i + 3]! & 0x1f) === 7) {
      return `avc1.${[bytes[i + 4]!, bytes[i + 5]!, bytes[i + 6]!].map((b) => b.toString(16).padStart(2, "0")).join("")}`
    }
  }
  return undefined
}

/** `#EXT-X-STREAM-INF` attributes and URIs of a master playlist. */
const parseMaster = (text: string) => {
  const lines = text.trim().split("\n")
  return lines.flatMap((line, i) => {
    if (!line.startsWith("#EXT-X-STREAM-INF:")) return []
    const attributes = Object.fromEntries(
      [...line.slice(18).matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g)].map((m) => [m[1]!, m[2]!.replace(/"/g, "")])
    )
    return [{ attributes, uri: lines[i + 1]! }]
  })
}

describe("HlsLadder", () => {
  let ladder: HlsLadderResult
  let out = ""
  const progress: Array<number> = []

  it("turns a 720p source into exactly 360p, 480p and 720p, in one ffmpeg process, reporting progress", async () => {
    out = join(work, "landscape")
    let starts = 0
    ladder = await Effect.runPromise(
      media.hlsLadder(videos.landscape720, out, {
        onProgress: (p) => p.percent !== undefined && progress.push(p.percent),
        onStart: () => starts++
      })
    )
    expect(starts).toBe(1)
    expect(ladder.renditions.map((r) => [r.name, r.width, r.height])).toEqual([
      ["360p", 640, 360],
      ["480p", 854, 480],
      ["720p", 1280, 720]
    ])
    expect(progress.length).toBeGreaterThan(1)
    expect(progress.at(-1)).toBe(100)
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true)
    expect(ladder.files).toContain("master.m3u8")
    expect(ladder.files.filter((f) => f.endsWith(".ts")).length).toBe(ladder.renditions.reduce((n, r) => n + r.segments, 0))
  }, 60_000)

  it("each rendition plays for the source's duration (±0.5 s) at its size, H.264 High + AAC", async () => {
    for (const r of ladder.renditions) {
      const p = await probe(join(out, r.playlist))
      expect(Math.abs(p.duration - 5), r.name).toBeLessThanOrEqual(0.5)
      const video = p.streams.find((s) => s.codec_type === "video")!
      expect([video.codec_name, video.profile, video.width, video.height]).toEqual(["h264", "High", r.width, r.height])
      expect(p.streams.find((s) => s.codec_type === "audio")?.codec_name).toBe("aac")
    }
  })

  it("cuts keyframe-aligned segments of ~4 s, the same in every rendition", async () => {
    const durations = await Promise.all(
      ladder.renditions.map(async (r) => parseMediaPlaylist(await readFile(join(out, r.playlist), "utf8")).map((s) => s.durationSeconds))
    )
    for (const d of durations) expect(d).toEqual(durations[0])
    expect(durations[0]!.slice(0, -1).every((s) => Math.abs(s - 4) < 0.1)).toBe(true)
  })

  it("writes a master playlist listing exactly those renditions with every attribute", async () => {
    const text = await readFile(join(out, "master.m3u8"), "utf8")
    expect(text.startsWith("#EXTM3U\n")).toBe(true)
    const variants = parseMaster(text)
    expect(variants.map((v) => v.uri)).toEqual(["360p/index.m3u8", "480p/index.m3u8", "720p/index.m3u8"])
    for (const [i, v] of variants.entries()) {
      const r = ladder.renditions[i]!
      expect(Object.keys(v.attributes).sort()).toEqual(["AVERAGE-BANDWIDTH", "BANDWIDTH", "CODECS", "FRAME-RATE", "RESOLUTION"])
      expect(v.attributes["RESOLUTION"]).toBe(`${r.width}x${r.height}`)
      expect(v.attributes["FRAME-RATE"]).toBe("30.000")
      const peak = Number(v.attributes["BANDWIDTH"])
      const average = Number(v.attributes["AVERAGE-BANDWIDTH"])
      expect(average).toBeGreaterThan(50_000)
      expect(peak).toBeGreaterThanOrEqual(average)
      // The CODECS string names what x264 actually wrote (profile, constraints, level from the SPS).
      const firstSegment = parseMediaPlaylist(await readFile(join(out, r.playlist), "utf8"))[0]!.uri
      const avc = avcFromSegment(new Uint8Array(await readFile(join(out, r.name, firstSegment))))
      expect(v.attributes["CODECS"]).toBe(`${avc},mp4a.40.2`)
    }
  })

  it("transcodes a source without audio (no audio in the map or the master)", async () => {
    const target = join(work, "noaudio")
    const result = await Effect.runPromise(media.hlsLadder(videos.noAudio, target))
    expect(result.renditions.map((r) => r.name)).toEqual(["360p"])
    const p = await probe(join(target, "360p/index.m3u8"))
    expect(p.streams.map((s) => s.codec_type)).toEqual(["video"])
    expect(Math.abs(p.duration - 4)).toBeLessThanOrEqual(0.5)
    const [variant] = parseMaster(await readFile(join(target, "master.m3u8"), "utf8"))
    expect(variant?.attributes["CODECS"]).toMatch(/^avc1\.[0-9a-f]{6}$/)
  }, 60_000)

  it("gives a portrait phone clip portrait renditions at its display size", async () => {
    const target = join(work, "portrait")
    const result = await Effect.runPromise(media.hlsLadder(videos.portrait, target))
    expect(result.renditions.map((r) => [r.name, r.width, r.height])).toEqual([
      ["360p", 360, 640],
      ["480p", 480, 854],
      ["720p", 720, 1280]
    ])
    const p = await probe(join(target, "720p/index.m3u8"))
    const video = p.streams.find((s) => s.codec_type === "video")!
    expect([video.width, video.height]).toEqual([720, 1280])
  }, 60_000)

  it("gives a source below 360p one rendition at its own size", async () => {
    const target = join(work, "tiny")
    const result = await Effect.runPromise(media.hlsLadder(videos.tiny, target))
    expect(result.renditions.map((r) => [r.name, r.width, r.height])).toEqual([["240p", 320, 240]])
    expect(parseMaster(await readFile(join(target, "master.m3u8"), "utf8")).map((v) => v.uri)).toEqual(["240p/index.m3u8"])
  }, 60_000)

  it("fails on garbage with a readable reason, before running ffmpeg", async () => {
    const error = await Effect.runPromise(Effect.flip(media.hlsLadder(videos.garbage, join(work, "garbage"))))
    expect(error.message).toMatch(/^not a video file: /)
  })
})
