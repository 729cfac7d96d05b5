/** A watched file as a GrowingSource (Node.js fs): its size and inode now, and exact byte ranges of it. */
import { open, stat } from "node:fs/promises"
import { Data, Effect } from "effect"
import type { GrowingSource } from "../GrowingSource.ts"

export class FileReadFailed extends Data.TaggedError("FileReadFailed")<{ readonly path: string; readonly detail: string }> {
  override get message() {
    return `reading ${this.path} failed: ${this.detail}`
  }
}

const missing = (e: unknown) => typeof e === "object" && e !== null && "code" in e && (e.code === "ENOENT" || e.code === "ENOTDIR")

export const nodeFileSource = (path: string, label: string = path): GrowingSource => ({
  label,
  rewritable: true,
  snapshot: Effect.tryPromise({
    try: async () => {
      try {
        const s = await stat(path)
        return s.isFile() ? { size: s.size, identity: `${s.dev}:${s.ino}`, ended: false } : undefined
      } catch (e) {
        if (missing(e)) return undefined
        throw e
      }
    },
    catch: (e) => new FileReadFailed({ path, detail: String(e) })
  }),
  read: (offset, length) =>
    Effect.tryPromise({
      try: async () => {
        const file = await open(path, "r")
        try {
          const bytes = new Uint8Array(length)
          let filled = 0
          while (filled < length) {
            const { bytesRead } = await file.read(bytes, filled, length - filled, offset + filled)
            if (bytesRead === 0) throw new Error(`only ${filled} of ${length} bytes at offset ${offset}`)
            filled += bytesRead
          }
          return bytes
        } finally {
          await file.close()
        }
      },
      catch: (e) => new FileReadFailed({ path, detail: e instanceof Error ? e.message : String(e) })
    })
})
