/** The demo's clips: generated once with ffmpeg (lavfi test pattern and a tone) and kept in a temp folder for the next demo. */
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { rename, rm } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"
import type { Clip } from "./DemoPlan.ts"

const exec = promisify(execFile)

/** The clip's file in `dir`; throws with ffmpeg's words when it cannot be generated. */
export const makeClip = async (dir: string, c: Clip): Promise<string> => {
  const target = join(dir, `${c.name}-${c.size}-${c.seconds}s.mp4`)
  if (existsSync(target)) return target
  const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}.mp4`)
  const source = `${c.source}${c.source.includes("=") ? ":" : "="}size=${c.size}:rate=25`
  try {
    await exec(process.env["FFMPEG_PATH"] || "ffmpeg", [
      "-hide_banner", "-v", "error", "-y",
      "-f", "lavfi", "-i", source,
      "-f", "lavfi", "-i", `sine=frequency=${c.tone}:sample_rate=48000:duration=${c.seconds}`,
      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-t", String(c.seconds), "-f", "mp4", tmp
    ])
    await rename(tmp, target)
  } catch (e) {
    throw new Error(`ffmpeg could not generate the clip ${c.name} (${(e as Error).message.trim()}); install ffmpeg (npm run setup) or set FFMPEG_PATH`)
  } finally {
    await rm(tmp, { force: true })
  }
  return target
}

/** `f` over `items`, `n` at a time, in order of the results. */
export const pool = async <A, B>(items: ReadonlyArray<A>, n: number, f: (a: A) => Promise<B>): Promise<Array<B>> => {
  const out: Array<B> = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i]!)
    }
  }))
  return out
}
