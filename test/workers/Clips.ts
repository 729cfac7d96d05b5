/** Extra test clips for the pipeline (besides test/support/videos.ts): a short 720p clip with audio, generated once. */
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { rename } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

const exec = promisify(execFile)

let cached: Promise<string> | undefined

/** 1280×720, 30 fps, 3 s, H.264 + AAC: three renditions (360p, 480p, 720p), one segment each. */
export const clip720 = (): Promise<string> => {
  cached ??= (async () => {
    const target = join(tmpdir(), "kf-pipeline-clip720-3s-v1.mp4")
    if (existsSync(target)) return target
    const tmp = `${target}.${process.pid}.tmp.mp4`
    await exec(process.env["FFMPEG_PATH"] || "ffmpeg", [
      ...["-hide_banner", "-v", "error", "-y"],
      ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=3"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-shortest", "-f", "mp4", tmp]
    ])
    await rename(tmp, target)
    return target
  })()
  return cached
}
