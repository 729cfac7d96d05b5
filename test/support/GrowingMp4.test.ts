/**
 * The growing-MP4 fixtures: the file grows on disk over several seconds, is a playable MP4 in the end, and
 * its final SHA-256 is the one known up front; the plain kind's mdat size field reads 0 while writing and
 * the real size once the writer finished.
 */
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"
import { type GrowingMp4Kind, startGrowingMp4 } from "./GrowingMp4.ts"

const exec = promisify(execFile)
const MiB = 1024 * 1024
const dir = mkdtempSync(join(tmpdir(), "kf-growing-test-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sizeOf = (path: string) => {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}
const readAt = (path: string, offset: number, length: number) => {
  const fd = openSync(path, "r")
  try {
    const out = Buffer.alloc(length)
    readSync(fd, out, 0, length, offset)
    return out
  } finally {
    closeSync(fd)
  }
}

/** Watches the file while the writer runs: the sizes seen, and what `check` found at each look. */
const watch = async <A>(path: string, done: Promise<void>, check: () => A) => {
  const sizes: Array<number> = []
  const seen: Array<A> = []
  let finished = false
  void done.then(() => (finished = true), () => (finished = true))
  while (!finished) {
    sizes.push(sizeOf(path))
    if (sizes.at(-1)! > 0) seen.push(check())
    await sleep(100)
  }
  await done
  return { sizes, seen }
}

describe.each<GrowingMp4Kind>(["fragmented", "plain"])("growing MP4 (%s)", (kind) => {
  it("grows in bursts over seconds and ends byte-identical to its source, a valid MP4", async () => {
    const target = join(dir, `${kind}.mp4`)
    const started = Date.now()
    const growing = await startGrowingMp4({ target, kind, sizeBytes: 40 * MiB, bursts: 20, intervalMs: 200 })
    expect(growing.size).toBeGreaterThan(38 * MiB)
    expect(growing.size).toBeLessThan(48 * MiB)
    const mdat = growing.headerRewrite
    const { sizes, seen } = await watch(target, growing.done, () => (mdat === undefined ? 0 : readAt(target, mdat.offset, 4).readUInt32BE(0)))
    expect(Date.now() - started).toBeGreaterThan(3000)

    // growing: many distinct sizes, never shrinking, from part-way to the whole
    const distinct = [...new Set(sizes)]
    expect(distinct.length).toBeGreaterThanOrEqual(8)
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b))
    expect(sizeOf(target)).toBe(growing.size)
    expect(growing.written()).toBe(growing.size)

    const bytes = readFileSync(target)
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(growing.sha256)
    const { stdout } = await exec("ffprobe", ["-v", "error", "-show_entries", "format=format_name,duration", "-of", "json", target])
    const format = (JSON.parse(stdout) as { format: { format_name: string; duration: string } }).format
    expect(format.format_name).toContain("mp4")
    expect(Number(format.duration)).toBeGreaterThan(2)

    if (mdat === undefined) {
      // fragmented: appended only, the first fragment header is there from the start
      expect(bytes.toString("latin1", 4, 8)).toBe("ftyp")
    } else {
      // plain: the mdat size read 0 while writing, the real size once finished
      expect(seen.length).toBeGreaterThan(3)
      expect(seen.slice(0, -1).every((v) => v === 0)).toBe(true)
      expect(bytes.readUInt32BE(mdat.offset)).toBeGreaterThan(30 * MiB)
      expect(bytes.toString("latin1", mdat.offset + 4, mdat.offset + 8)).toBe("mdat")
    }
  }, 60_000)
})

describe("growing MP4 writer", () => {
  it("stops where it is when killed", async () => {
    const target = join(dir, "killed.mp4")
    const growing = await startGrowingMp4({ target, kind: "fragmented", bursts: 40, intervalMs: 200 })
    while (growing.written() === 0) await sleep(50)
    growing.kill()
    await expect(growing.done).rejects.toThrow(/SIGKILL/)
    const size = sizeOf(target)
    expect(size).toBeGreaterThan(0)
    expect(size).toBeLessThan(growing.size)
    await sleep(300)
    expect(sizeOf(target)).toBe(size)
  }, 30_000)
})
