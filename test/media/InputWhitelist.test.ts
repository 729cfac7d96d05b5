/** The demuxer and protocol whitelists for user files, derived from ACCEPTED_VIDEO_FORMATS, and that ffprobe and ffmpeg take them. */
import { execFile } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import { demuxersFor, inputWhitelist, whitelistOptions } from "../../src/media/InputWhitelist.ts"
import { DEFAULT_ACCEPTED_FORMATS } from "../../src/media/MediaProbe.ts"
import { testVideos, type TestVideos } from "../support/videos.ts"
import { hlsPlaylist, socketTripwire } from "./IndirectInputs.ts"

const exec = promisify(execFile)
let videos: TestVideos
beforeAll(async () => {
  videos = await testVideos()
})

describe("InputWhitelist", () => {
  it("maps the default accepted containers to the mov, matroska and avi demuxers, over the file protocol only", () => {
    expect(inputWhitelist(DEFAULT_ACCEPTED_FORMATS)).toEqual([
      "-format_whitelist",
      "mov,mp4,m4a,3gp,3g2,mj2,avi,matroska,webm",
      "-protocol_whitelist",
      "file"
    ])
  })

  it("follows the setting: one demuxer per family, however many of its names are listed", () => {
    expect(demuxersFor(["webm"])).toEqual(["matroska,webm"])
    expect(demuxersFor(["mkv", "webm"])).toEqual(["matroska,webm"])
    expect(demuxersFor(["mov", "mp4", "3gp"])).toEqual(["mov,mp4,m4a,3gp,3g2,mj2"])
    expect(demuxersFor(["avi"])).toEqual(["avi"])
  })

  it("takes other names as ffprobe's demuxer names, but never a demuxer that reads other files or URLs", () => {
    expect(demuxersFor(["mp4", "gif", "mpegts"])).toEqual(["mov,mp4,m4a,3gp,3g2,mj2", "gif", "mpegts"])
    expect(demuxersFor(["mp4", "hls", "concat", "dash", "image2"])).toEqual(["mov,mp4,m4a,3gp,3g2,mj2"])
  })

  it("is accepted as input options by this machine's ffprobe and ffmpeg", async () => {
    const options = inputWhitelist(DEFAULT_ACCEPTED_FORMATS)
    const probe = await exec("ffprobe", ["-v", "error", ...options, "-show_entries", "format=format_name", "-of", "default=nw=1:nk=1", videos.tiny])
    expect(probe.stdout.trim()).toBe("mov,mp4,m4a,3gp,3g2,mj2")
    await exec("ffmpeg", ["-hide_banner", "-nostdin", "-v", "error", ...options, "-i", videos.tiny, "-f", "null", "-"])
  })

  it("the file protocol alone keeps even an allowed playlist demuxer off the network", async () => {
    const listener = await socketTripwire()
    const dir = await mkdtemp(join(tmpdir(), "kf-protocols-"))
    try {
      const playlist = join(dir, "list.mp4")
      await writeFile(playlist, hlsPlaylist(listener.url))
      const probe = (options: ReadonlyArray<string>) => exec("ffprobe", ["-v", "error", ...options, playlist]).catch(() => undefined)
      await probe(whitelistOptions(["hls"]))
      expect(listener.connections()).toBe(0)
      // The control: with http allowed, the same probe does reach the listener.
      await probe(["-format_whitelist", "hls", "-protocol_whitelist", "file,http,tcp"])
      expect(listener.connections()).toBeGreaterThan(0)
    } finally {
      await listener.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
