/**
 * Published media in memory: whole objects under the cached prefixes (`media/`), least recently used
 * first out, within MEDIA_CACHE_MB. A hot segment is then answered without opening, reading or closing its
 * file, and without a fresh buffer per request: on Node a fresh buffer per 256 KiB answer is external
 * memory, and at ~400 MB/s of it V8 ran a full mark-compact every ~200 ms (40 % of a core in GC threads).
 *
 * Never stale: every hit is checked against a `stat` of the file (inode, size, mtime). Objects are only
 * ever replaced by a rename (FsObjectFile), so a new object is a new inode, whichever process wrote it; this
 * process's own puts and deletes also drop the entry at once.
 */
import type { FileMeta } from "./FsObjectFile.ts"

/** What identifies one version of an object's file. */
export interface FileIdentity {
  readonly ino: number
  readonly size: number
  readonly mtimeMs: number
}

export interface CachedObject {
  readonly identity: FileIdentity
  readonly meta: FileMeta
  readonly lastModified: Date
  readonly bytes: Uint8Array<ArrayBuffer>
}

const sameFile = (a: FileIdentity, b: FileIdentity) => a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs

/** Largest object cached: a tenth of the cache, at most 8 MiB (a 1080p segment is 2–4 MiB). */
const MAX_OBJECT_BYTES = 8 * 1024 * 1024

export class FsReadCache {
  readonly capacityBytes: number
  readonly prefixes: ReadonlyArray<string>
  readonly maxObjectBytes: number
  private readonly entries = new Map<string, CachedObject>()
  private used = 0

  constructor(capacityBytes: number, prefixes: ReadonlyArray<string>) {
    this.capacityBytes = capacityBytes
    this.prefixes = prefixes
    this.maxObjectBytes = Math.min(MAX_OBJECT_BYTES, Math.floor(capacityBytes / 10))
  }

  /** Whether `key` is the kind of object kept here (off when the capacity is 0). */
  covers(key: string): boolean {
    return this.maxObjectBytes > 0 && this.prefixes.some((p) => key.startsWith(p))
  }

  /** The cached bytes of `key` when they are still those of its file now (`current`); a hit becomes the most recent. */
  lookup(key: string, current: FileIdentity): CachedObject | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    if (!sameFile(entry.identity, current)) {
      this.used -= entry.bytes.byteLength
      return undefined
    }
    this.entries.set(key, entry)
    return entry
  }

  store(key: string, entry: CachedObject): void {
    if (entry.bytes.byteLength > this.maxObjectBytes) return
    this.forget(key)
    this.entries.set(key, entry)
    this.used += entry.bytes.byteLength
    for (const [oldest, old] of this.entries) {
      if (this.used <= this.capacityBytes) break
      this.entries.delete(oldest)
      this.used -= old.bytes.byteLength
    }
  }

  forget(key: string): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.entries.delete(key)
    this.used -= entry.bytes.byteLength
  }

  forgetPrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.forget(key)
  }

  /** Bytes held now. */
  get size(): number {
    return this.used
  }
}
