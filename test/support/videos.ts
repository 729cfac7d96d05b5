/** Small test videos made by ffmpeg itself (lavfi testsrc2 + sine), generated once into a temp dir and reused. */
import { execFile } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdir, rename, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

const exec = promisify(execFile)

export interface TestVideos {
  readonly dir: string
  /** 1280×720, 30 fps, 5 s, H.264 + AAC. */
  readonly landscape720: string
  /** Stored 1280×720 with rotation metadata: a phone's portrait clip, displayed 720×1280. 4 s, with audio. */
  readonly portrait: string
  /** 640×360, 4 s, no audio stream. */
  readonly noAudio: string
  /** 320×240, 3 s: smaller than the lowest rung. */
  readonly tiny: string
  /** 640×360, 1.5 s: its thumbnail is taken at the midpoint. */
  readonly short: string
  /** AAC audio in an MP4 container: no video stream. */
  readonly audioOnly: string
  /** Random bytes named .mp4. */
  readonly garbage: string
  /** An animated GIF: a video stream, but not an accepted container. */
  readonly gif: string
}

const lavfi = (size: string, seconds: number, rate = 30) => ["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`]
const sine = (seconds: number) => ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${seconds}`]
const h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
const aac = ["-c:a", "aac", "-b:a", "96k"]

/** Recipes: file name → ffmpeg arguments (output path appended). Their text keys the cache. */
const RECIPES: Record<string, ReadonlyArray<string>> = {
  "landscape720.mp4": [...lavfi("1280x720", 5), ...sine(5), ...h264, ...aac, "-shortest", "-f", "mp4"],
  "portrait-base.mp4": [...lavfi("1280x720", 4), ...sine(4), ...h264, ...aac, "-shortest", "-f", "mp4"],
  "noaudio.mp4": [...lavfi("640x360", 4), ...h264, "-an", "-f", "mp4"],
  "tiny.mp4": [...lavfi("320x240", 3), ...sine(3), ...h264, ...aac, "-shortest", "-f", "mp4"],
  "short.mp4": [...lavfi("640x360", 1.5), ...h264, "-an", "-f", "mp4"],
  "audio.mp4": [...sine(3), ...aac, "-f", "mp4"],
  "anim.gif": [...lavfi("320x240", 1, 10), "-f", "gif"]
}

const ffmpeg = (args: ReadonlyArray<string>) => exec(process.env["FFMPEG_PATH"] || "ffmpeg", ["-hide_banner", "-v", "error", "-y", ...args])

/** Writes via a temp name then renames, so concurrent test files never see half a video. */
const produce = async (dir: string, name: string, make: (tmp: string) => Promise<unknown>) => {
  const target = join(dir, name)
  if (existsSync(target)) return target
  const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}-${name}`)
  try {
    await make(tmp)
    await rename(tmp, target)
  } finally {
    await rm(tmp, { force: true })
  }
  return target
}

/** A phone stores landscape frames plus "rotate 90": ffmpeg 6+ spells it -display_rotation, 5.x a rotate tag. */
const rotate = async (input: string, output: string) => {
  try {
    await ffmpeg(["-display_rotation", "90", "-i", input, "-c", "copy", "-f", "mp4", output])
  } catch {
    await ffmpeg(["-i", input, "-c", "copy", "-metadata:s:v:0", "rotate=90", "-f", "mp4", output])
  }
}

let cached: Promise<TestVideos> | undefined

/** The test videos, generated on first use (a few seconds) and kept in the temp dir for later runs. */
export const testVideos = (): Promise<TestVideos> => {
  cached ??= (async () => {
    const key = createHash("sha256").update(JSON.stringify(RECIPES)).update("v2").digest("hex").slice(0, 12)
    const dir = join(tmpdir(), `kf-test-videos-${key}`)
    await mkdir(dir, { recursive: true })
    const made: Record<string, string> = {}
    for (const [name, args] of Object.entries(RECIPES)) made[name] = await produce(dir, name, (tmp) => ffmpeg([...args, tmp]))
    const portrait = await produce(dir, "portrait.mp4", (tmp) => rotate(made["portrait-base.mp4"]!, tmp))
    const garbage = await produce(dir, "garbage.mp4", (tmp) => writeFile(tmp, randomBytes(64 * 1024)))
    return {
      dir,
      landscape720: made["landscape720.mp4"]!,
      portrait,
      noAudio: made["noaudio.mp4"]!,
      tiny: made["tiny.mp4"]!,
      short: made["short.mp4"]!,
      audioOnly: made["audio.mp4"]!,
      garbage,
      gif: made["anim.gif"]!
    }
  })()
  return cached
}
