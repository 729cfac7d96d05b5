/**
 * Growing MP4 files for the live-stream tests and the ingest benchmark: a writer process
 * (GrowingMp4Writer.ts) copies a real MP4 made by ffmpeg into the target file in bursts over several
 * seconds, so the file grows on disk as a recorder's does. Two kinds:
 *
 * - `fragmented`: `-movflags frag_keyframe+empty_moov`, appended only: no byte once written changes;
 * - `plain`: moov last, and the `mdat` box's size field near the start is written as 0 (ISO BMFF: "to the
 *   end of the file", what a recorder writes while recording) and rewritten with the real size when the
 *   writer finishes, so bytes an ingester already sealed change on close.
 *
 * Either way the final file is byte-identical to the source, whose size and SHA-256 the caller gets up
 * front. Sources are generated once per (kind, size) into the temp dir (noise, lossless H.264 + AAC, so
 * the size follows the requested one: ffmpeg stops at about `sizeBytes`, a fragment or so above it).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { rename, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { promisify } from "node:util"

const exec = promisify(execFile)
const MiB = 1024 * 1024

export type GrowingMp4Kind = "fragmented" | "plain"

export interface Mp4Source {
  readonly kind: GrowingMp4Kind
  readonly path: string
  readonly size: number
  readonly sha256: string
  /** For `plain`: where the mdat size field sits (the bytes rewritten on close). */
  readonly headerRewrite?: { readonly offset: number; readonly length: number }
}

const recipe = (kind: GrowingMp4Kind, sizeBytes: number): ReadonlyArray<string> => [
  ...["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=600"],
  ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=600"],
  // noise makes the lossless stream big, so a few seconds of video reach tens of MiB
  ...["-vf", "noise=alls=30:allf=t+u", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-g", "15", "-pix_fmt", "yuv420p"],
  ...["-c:a", "aac", "-b:a", "96k", "-shortest", "-fs", String(sizeBytes)],
  ...(kind === "fragmented" ? ["-movflags", "frag_keyframe+empty_moov"] : []),
  ...["-f", "mp4"]
]

/** Offset of the first top-level `mdat` box's 32-bit size field. */
const mdatSizeOffset = (path: string): number => {
  const head = readFileSync(path).subarray(0, 64 * 1024)
  for (let at = 0; at + 8 <= head.length;) {
    const size = head.readUInt32BE(at)
    if (head.toString("latin1", at + 4, at + 8) === "mdat") return at
    if (size < 8) break
    at += size
  }
  throw new Error(`${path}: no mdat box in its first 64 KiB (is moov first?)`)
}

const cache = new Map<string, Promise<Mp4Source>>()

/** The finished MP4 a growing file ends as (made once per kind and size, kept in the temp dir). */
export const mp4Source = (kind: GrowingMp4Kind, sizeBytes = 40 * MiB): Promise<Mp4Source> => {
  const key = `${kind}-${sizeBytes}`
  let made = cache.get(key)
  if (made === undefined) {
    made = (async () => {
      const tag = createHash("sha256").update(JSON.stringify(recipe(kind, sizeBytes))).digest("hex").slice(0, 12)
      const path = join(tmpdir(), `kf-growing-${kind}-${tag}.mp4`)
      if (!existsSync(path)) {
        const tmp = join(tmpdir(), `.kf-growing-${process.pid}-${randomBytes(4).toString("hex")}.mp4`)
        try {
          await exec(process.env["FFMPEG_PATH"] || "ffmpeg", ["-hide_banner", "-v", "error", "-y", ...recipe(kind, sizeBytes), tmp])
          await rename(tmp, path)
        } finally {
          await rm(tmp, { force: true })
        }
      }
      const bytes = readFileSync(path)
      const sha256 = createHash("sha256").update(bytes).digest("hex")
      return kind === "plain"
        ? { kind, path, size: bytes.length, sha256, headerRewrite: { offset: mdatSizeOffset(path), length: 4 } }
        : { kind, path, size: bytes.length, sha256 }
    })()
    cache.set(key, made)
  }
  return made
}

export interface GrowingMp4Options {
  /** The file to grow (created or truncated). */
  readonly target: string
  readonly kind: GrowingMp4Kind
  /** About how big the final file is; default 40 MiB. */
  readonly sizeBytes?: number
  /** Writes over the whole run; default 24. */
  readonly bursts?: number
  /** Pause between writes; default 250 ms (24 bursts: about 6 s). */
  readonly intervalMs?: number
}

export interface GrowingMp4 extends Mp4Source {
  readonly target: string
  readonly pid: number
  /** Bytes on disk so far, as the writer last reported. */
  written(): number
  /** Resolves when the writer has written everything (and, for `plain`, rewritten the header) and exited. */
  readonly done: Promise<void>
  /** Stops the writer where it is (SIGKILL): the file stays as far as it got. */
  kill(): void
}

/** Starts a writer process growing `target` into a copy of `mp4Source(kind, sizeBytes)`. */
export const startGrowingMp4 = async (options: GrowingMp4Options): Promise<GrowingMp4> => {
  const source = await mp4Source(options.kind, options.sizeBytes)
  const placeholder = source.headerRewrite === undefined ? undefined : { offset: source.headerRewrite.offset, hex: "00".repeat(source.headerRewrite.length) }
  const args = { source: source.path, target: options.target, bursts: options.bursts ?? 24, intervalMs: options.intervalMs ?? 250, placeholder }
  const child: ChildProcess = spawn(process.execPath, [join(import.meta.dirname, "GrowingMp4Writer.ts"), JSON.stringify(args)], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  let written = 0
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const report = JSON.parse(line) as { readonly written?: number }
    if (report.written !== undefined) written = report.written
  })
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", reject)
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`the growing-MP4 writer for ${options.target} stopped (${signal ?? `exit ${code}`})`)))
  })
  // a kill is what the caller asked for: don't report it as an unhandled rejection
  done.catch(() => {})
  return {
    ...source,
    target: options.target,
    pid: child.pid!,
    written: () => written,
    done,
    kill: () => void child.kill("SIGKILL")
  }
}
