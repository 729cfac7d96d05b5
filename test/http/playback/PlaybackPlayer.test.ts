/**
 * A real video through the real pipeline (tus upload, ffmpeg ladder, publish), played with signed URLs by
 * real clients: hls.js in headless Chromium plays a private video with a fresh URL, and fails with a fatal
 * 403 after unpublish and after expiry; ffprobe reads the signed master. Until D's Video aggregate lands,
 * privacy and unpublish are written into the videos read-model document through the real ReadStore
 * (VideoDocs.ts), which the playback check reads through its production path.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { testVideos } from "../../support/videos.ts"
import { type Pipeline, startPipeline, token } from "../../workers/PipelineHarness.ts"
import { chromiumMissing, type HlsPlayer, startHlsPlayer } from "./HlsPage.ts"
import { patchVideoDoc } from "./VideoDocs.ts"

const exec = promisify(execFile)
const TTL_SECONDS = 12

const mintStatus = async (p: Pipeline, id: string, user: string) =>
  (await fetch(`${p.origin}/videos/${id}/playback`, { headers: { Authorization: `Bearer ${await token(user)}` } })).status

const errorCode = async (url: string) => {
  const res = await fetch(url)
  return res.status === 200 ? "200" : ((await res.json()) as { error: { code: string } }).error.code
}

const eventually = async (check: () => Promise<boolean>, ms = 6000) => {
  const until = Date.now() + ms
  while (Date.now() < until && !(await check())) await new Promise((r) => setTimeout(r, 100))
  return check()
}

if (chromiumMissing) console.warn("PlaybackPlayer: skipped — /usr/bin/chromium is not installed (apt-get install chromium)")

describe.skipIf(chromiumMissing)("signed playback with hls.js in Chromium and ffprobe", () => {
  let p: Pipeline
  let player: HlsPlayer
  let id: string
  beforeAll(async () => {
    p = await startPipeline({ playbackTtlSeconds: TTL_SECONDS })
    player = await startHlsPlayer()
    id = await p.upload(new Uint8Array(readFileSync((await testVideos()).tiny)), "alice", "tiny.mp4")
    await p.waitFor(id, ["Ready"], 120_000)
    await p.playback(id, "alice") // the read model has the ready video
    // private, as D's VideoMadePrivate will record it (accessEpoch: a position after every earlier URL)
    await patchVideoDoc(p.runtime, id, { visibility: "private", accessEpoch: 1 })
  }, 180_000)
  afterAll(async () => {
    await player?.stop()
    await p?.stop()
  })

  it("plays a private video for its owner with a fresh URL; others get no URL", async () => {
    expect(await eventually(async () => (await mintStatus(p, id, "bob")) === 404)).toBe(true)
    const { url } = await p.playback(id, "alice")
    const outcome = await player.play(url)
    expect(outcome).toMatchObject({ outcome: "playing" })
    expect(outcome.outcome === "playing" && outcome.currentTime).toBeGreaterThan(0)
  }, 60_000)

  it("ffprobe reads the signed master playlist and its renditions", async () => {
    const { url } = await p.playback(id, "alice")
    const { stdout } = await exec(process.env.FFPROBE_PATH || "ffprobe", ["-v", "error", "-show_format", "-show_streams", "-of", "json", url])
    const probe = JSON.parse(stdout) as { format: { format_name: string; duration: string }; streams: Array<{ codec_type: string; codec_name: string }> }
    expect(probe.format.format_name).toBe("hls")
    expect(Math.abs(Number(probe.format.duration) - 3)).toBeLessThanOrEqual(0.5)
    expect(probe.streams.some((s) => s.codec_type === "video" && s.codec_name === "h264")).toBe(true)
    expect(probe.streams.some((s) => s.codec_type === "audio" && s.codec_name === "aac")).toBe(true)
  }, 60_000)

  it("after unpublish, a URL minted before it fails in the player with a fatal 403", async () => {
    const { url } = await p.playback(id, "alice")
    expect(await player.play(url)).toMatchObject({ outcome: "playing" })
    await patchVideoDoc(p.runtime, id, { published: false, accessEpoch: 2 })
    expect(await eventually(async () => (await errorCode(url)) === "PLAYBACK_REVOKED")).toBe(true)
    expect(await player.play(url)).toMatchObject({ outcome: "fatal", type: "networkError", code: 403 })
    await patchVideoDoc(p.runtime, id, { published: true })
  }, 60_000)

  it("after expiry, the URL fails in the player with a fatal 403 (PLAYBACK_TOKEN_EXPIRED); a new /playback call plays again", async () => {
    const { url, expiresAt } = await p.playback(id, "alice")
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(TTL_SECONDS * 1000)
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now()) + 200))
    expect(await errorCode(url)).toBe("PLAYBACK_TOKEN_EXPIRED")
    expect(await player.play(url)).toMatchObject({ outcome: "fatal", type: "networkError", code: 403 })
    const fresh = await p.playback(id, "alice")
    expect(await player.play(fresh.url)).toMatchObject({ outcome: "playing" })
  }, 60_000)
})
