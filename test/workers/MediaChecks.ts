/** Checks of a published video over HTTP, with ffprobe as the player: renditions, durations, thumbnail, content types, ranges. */
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { expect } from "vitest"
import type { PublishedMedia } from "../../src/domain/upload/UploadCommands.ts"

const exec = promisify(execFile)

interface Probe {
  readonly format?: { readonly duration?: string; readonly format_name?: string }
  readonly streams?: ReadonlyArray<{ readonly codec_type?: string; readonly codec_name?: string; readonly width?: number; readonly height?: number }>
}

/** ffprobe on a local path or a URL (HLS playlists are read segment by segment, following redirects). */
export const ffprobe = async (target: string): Promise<Probe> => {
  const { stdout } = await exec(process.env["FFPROBE_PATH"] || "ffprobe", [
    ...["-v", "error", "-print_format", "json", "-show_format", "-show_streams"],
    ...(target.startsWith("http") ? ["-protocol_whitelist", "http,tcp,tls,https,crypto,file"] : []),
    target
  ])
  return JSON.parse(stdout) as Probe
}

export const durationOf = async (target: string): Promise<number> => Number((await ffprobe(target)).format?.duration)

/** The variants a master playlist lists: URI and RESOLUTION. */
export const variantsOf = (master: string) => {
  const lines = master.split(/\r?\n/)
  return lines.flatMap((line, i) => {
    if (!line.startsWith("#EXT-X-STREAM-INF:")) return []
    return [{ attributes: line, uri: lines[i + 1]!.trim(), resolution: /RESOLUTION=(\d+x\d+)/.exec(line)?.[1] }]
  })
}

/**
 * The published video plays as expected: the master playlist (served as an HLS playlist) lists exactly
 * `renditions`, each rendition plays for the source's duration ±0.5 s, and the thumbnail is a JPEG of
 * `thumbnail` size. Everything is fetched under the signed playback URL `play` (from `GET /videos/:id/playback`)
 * the way a player would.
 */
export const checkPublished = async (
  media: typeof PublishedMedia.Type,
  expected: { readonly sourceSeconds: number; readonly renditions: ReadonlyArray<string>; readonly thumbnail: readonly [number, number]; readonly audio: boolean },
  play: { readonly url: string; readonly base: string }
) => {
  // the published URLs name files below /media/<id>/; a player reaches them below /play/<token>/
  const signed = (mediaUrl: string) => `${play.base}${mediaUrl.replace(/^\/media\/[^/]+\//, "")}`
  expect(signed(media.masterPlaylistUrl)).toBe(play.url)
  const masterResponse = await fetch(play.url)
  expect(masterResponse.status).toBe(200)
  expect(masterResponse.headers.get("content-type")).toBe("application/vnd.apple.mpegurl")
  const master = await masterResponse.text()
  const variants = variantsOf(master)
  expect(variants.map((v) => v.uri.split("/")[0]).sort()).toEqual([...expected.renditions].sort())
  expect(media.renditions.map((r) => r.name).sort()).toEqual([...expected.renditions].sort())
  for (const v of variants) {
    expect(v.attributes).toMatch(/BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,CODECS="[^"]+",RESOLUTION=\d+x\d+,FRAME-RATE=[\d.]+/)
    expect(v.attributes.includes("mp4a.40.2")).toBe(expected.audio)
  }
  for (const r of media.renditions) {
    const url = signed(r.playlistUrl)
    const probe = await ffprobe(url)
    const seconds = Number(probe.format?.duration)
    expect(Math.abs(seconds - expected.sourceSeconds), `${r.name} plays ${seconds} s`).toBeLessThanOrEqual(0.5)
    const video = probe.streams?.find((s) => s.codec_type === "video")
    expect(video?.codec_name).toBe("h264")
    expect(`${video?.width}x${video?.height}`).toBe(`${r.width}x${r.height}`)
    expect(probe.streams?.some((s) => s.codec_type === "audio" && s.codec_name === "aac")).toBe(expected.audio)
  }
  expect(Math.abs(media.durationSeconds - expected.sourceSeconds)).toBeLessThanOrEqual(0.5)

  const thumbResponse = await fetch(signed(media.thumbnailUrl))
  expect(thumbResponse.status).toBe(200)
  expect(thumbResponse.headers.get("content-type")).toBe("image/jpeg")
  const jpeg = new Uint8Array(await thumbResponse.arrayBuffer())
  expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff])
  const thumbProbe = await ffprobe(signed(media.thumbnailUrl))
  const frame = thumbProbe.streams?.[0]
  expect(frame?.codec_name).toBe("mjpeg")
  expect([frame?.width, frame?.height]).toEqual([...expected.thumbnail])
  expect([media.thumbnailWidth, media.thumbnailHeight]).toEqual([...expected.thumbnail])
  return { master, variants }
}
