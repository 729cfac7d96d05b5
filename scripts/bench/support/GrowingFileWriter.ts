/**
 * The ingest benchmark's writer process: `node GrowingFileWriter.ts <path> <bytes> [bytesPerSecond]` appends
 * `bytes` of incompressible data to `path` in 1 MiB blocks, as fast as it can (or paced at `bytesPerSecond`),
 * then reports the file's SHA-256. Stdout, one JSON line each: `{"written":n}` every 8 MiB, then
 * `{"done":true,"size":n,"sha256":"…","seconds":s}`.
 */
import { createHash, getRandomValues } from "node:crypto"
import { closeSync, openSync, writeSync } from "node:fs"

const MiB = 1024 * 1024
const [path, sizeArg, rateArg] = process.argv.slice(2)
if (path === undefined || sizeArg === undefined) throw new Error("usage: GrowingFileWriter.ts <path> <bytes> [bytesPerSecond]")
const size = Number(sizeArg)
const rate = rateArg === undefined ? Number.POSITIVE_INFINITY : Number(rateArg)
const block = Buffer.alloc(MiB)
// 64 KiB of random bytes repeated, with the block's offset in its first bytes: no two blocks alike, nothing compresses
const random = getRandomValues(new Uint8Array(64 * 1024))
for (let o = 0; o < block.length; o += random.length) block.set(random.subarray(0, Math.min(random.length, block.length - o)), o)

const hash = createHash("sha256")
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`)
const fd = openSync(path, "w")
const started = performance.now()
let written = 0
let reported = 0
while (written < size) {
  block.writeUInt32LE(written >>> 0, 0)
  block.writeUInt32LE(Math.floor(written / 2 ** 32), 4)
  const n = Math.min(block.length, size - written)
  writeSync(fd, block, 0, n)
  hash.update(block.subarray(0, n))
  written += n
  if (written - reported >= 8 * MiB || written === size) {
    reported = written
    say({ written })
  }
  const ahead = written / rate * 1000 - (performance.now() - started)
  if (ahead > 1) await new Promise((r) => setTimeout(r, ahead))
}
closeSync(fd)
say({ done: true, size, sha256: hash.digest("hex"), seconds: (performance.now() - started) / 1000 })
