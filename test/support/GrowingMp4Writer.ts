/**
 * The writer process behind GrowingMp4.ts (run as `node GrowingMp4Writer.ts '<json>'`): copies a finished
 * MP4 to the target in bursts, so the file grows on disk over time as a recorder's would. With a
 * `placeholder`, those bytes are first written with the placeholder's content and overwritten in place with
 * the real ones only after the last burst (a recorder fixing its header on close). One JSON line per write on
 * stdout: `{"written":n}` (bytes on disk so far), then `{"done":true}`.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs"

interface WriterArgs {
  readonly source: string
  readonly target: string
  readonly bursts: number
  readonly intervalMs: number
  readonly placeholder?: { readonly offset: number; readonly hex: string }
}

const args = JSON.parse(process.argv[2] ?? "{}") as WriterArgs
const bytes = readFileSync(args.source)
const placeholder = args.placeholder === undefined ? undefined : { offset: args.placeholder.offset, bytes: Buffer.from(args.placeholder.hex, "hex") }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`)

/** Bytes [start, end) of the file as first written: the placeholder in place of the real header bytes. */
const asFirstWritten = (start: number, end: number): Buffer => {
  const slice = Buffer.from(bytes.subarray(start, end))
  if (placeholder === undefined) return slice
  for (let i = 0; i < placeholder.bytes.length; i++) {
    const at = placeholder.offset + i - start
    if (at >= 0 && at < slice.length) slice[at] = placeholder.bytes[i]!
  }
  return slice
}

const fd = openSync(args.target, "w")
const burst = Math.ceil(bytes.length / Math.max(1, args.bursts))
let written = 0
while (written < bytes.length) {
  const end = Math.min(bytes.length, written + burst)
  writeSync(fd, asFirstWritten(written, end), 0, end - written, written)
  written = end
  say({ written })
  if (written < bytes.length) await sleep(args.intervalMs)
}
if (placeholder !== undefined) {
  const real = bytes.subarray(placeholder.offset, placeholder.offset + placeholder.bytes.length)
  writeSync(fd, real, 0, real.length, placeholder.offset)
}
closeSync(fd)
say({ done: true })
