/**
 * One object = one file: a fixed 4 KiB header (type, cache policy, etag, size) then the bytes. Keeping the
 * metadata in the same file makes a put a single atomic rename (temp file + fsync + rename + dir fsync).
 *
 * Etags are opaque: a random id per write, not S3's md5 of the bytes. Hashing every byte cost a
 * tenth of an upload's CPU (and md5 proves nothing here: the pipeline records SHA-256 itself);
 * a validator only has to change when the object does.
 */
import { randomUUID } from "node:crypto"
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises"
import { dirname, join } from "node:path"

export const HEADER_SIZE = 4096
const MAGIC = "KFOBJ1 "
const READ_CHUNK = 256 * 1024

export interface FileMeta {
  readonly contentType: string
  readonly cacheControl: string | undefined
  /** Quoted, as S3 returns it; opaque (see above). */
  readonly etag: string
  readonly size: number
}

const encodeHeader = (meta: FileMeta): Uint8Array => {
  const header = new Uint8Array(HEADER_SIZE).fill(0x20)
  const text = new TextEncoder().encode(`${MAGIC}${JSON.stringify(meta)}\n`)
  if (text.length > HEADER_SIZE) throw new Error("object metadata does not fit the header")
  header.set(text)
  return header
}

const parseHeader = (buf: Uint8Array): FileMeta | undefined => {
  if (buf.length < HEADER_SIZE) return undefined
  const text = new TextDecoder().decode(buf.subarray(0, HEADER_SIZE))
  const end = text.indexOf("\n")
  if (!text.startsWith(MAGIC) || end < 0) return undefined
  try {
    const meta = JSON.parse(text.slice(MAGIC.length, end)) as FileMeta
    return typeof meta.size === "number" && typeof meta.etag === "string" ? meta : undefined
  } catch {
    return undefined
  }
}

/** Reads the header of an open object file; undefined when the file is not one of ours (or is truncated). */
export const readHeader = async (fh: FileHandle): Promise<FileMeta | undefined> => {
  const buf = new Uint8Array(HEADER_SIZE)
  const { bytesRead } = await fh.read(buf, 0, HEADER_SIZE, 0)
  return parseHeader(buf.subarray(0, bytesRead))
}

/**
 * The header and the first READ_CHUNK bytes of the body in one read (a whole segment, usually): a GET
 * then costs one read instead of two, and a small object none more.
 */
export const readHeaderAndStart = async (fh: FileHandle): Promise<{ readonly meta: FileMeta; readonly start: Uint8Array<ArrayBuffer> } | undefined> => {
  const buf = new Uint8Array(HEADER_SIZE + READ_CHUNK)
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0)
  const meta = parseHeader(buf.subarray(0, bytesRead))
  if (meta === undefined) return undefined
  return { meta, start: buf.subarray(HEADER_SIZE, Math.min(bytesRead, HEADER_SIZE + meta.size)) }
}

/** The whole body of an open object file of `size` bytes, given its `first` bytes already read. */
export const readWholeBody = async (fh: FileHandle, size: number, first: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> => {
  if (first.length >= size) return first
  const whole = new Uint8Array(size)
  whole.set(first)
  for (let at = first.length; at < size;) {
    const { bytesRead } = await fh.read(whole, at, size - at, HEADER_SIZE + at)
    if (bytesRead === 0) throw new Error(`the object file ends at ${at} of its ${size} bytes`)
    at += bytesRead
  }
  return whole
}

/** fsync a directory so a rename or unlink in it survives a crash. */
export const syncDir = async (dir: string): Promise<void> => {
  const fh = await open(dir, "r")
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** mkdir -p that also fsyncs the parent of every directory it created (a new directory entry is a write too). */
export const makeDirDurable = async (dir: string): Promise<void> => {
  const first = await mkdir(dir, { recursive: true })
  if (first === undefined) return
  for (let d = dir; ; d = dirname(d)) {
    await syncDir(dirname(d))
    if (d === first || d === dirname(d)) break
  }
}

export interface WriteOptions {
  readonly contentType: string
  readonly cacheControl: string | undefined
  /** Replaces the random etag (multipart objects get `"<id>-<parts>"`, shaped as on S3). */
  readonly etag?: string | undefined
  readonly signal?: AbortSignal | undefined
}

/**
 * Streams `source` into `tmpDir`, then atomically moves it to `target`. Returns the stored metadata.
 * On failure or abort the temp file is removed and `target` is untouched.
 */
export const writeObjectFile = async (
  tmpDir: string,
  target: string,
  source: ReadableStream<Uint8Array>,
  options: WriteOptions
): Promise<FileMeta> => {
  const tmp = join(tmpDir, randomUUID())
  const fh = await open(tmp, "wx")
  const reader = source.getReader()
  const onAbort = () => void reader.cancel(options.signal?.reason).catch(() => {})
  options.signal?.addEventListener("abort", onAbort, { once: true })
  let done = false
  // The batch on its way to disk while the next one is read (at most two batches held).
  let writing: Promise<void> = Promise.resolve()
  // Written batches are flushed to the device while later ones arrive (one datasync at a time), so the
  // fsync that acknowledges the object has only the tail left to wait for.
  let syncing: Promise<void> = Promise.resolve()
  let syncIdle = true
  const startWriteback = () => {
    if (!syncIdle) return
    syncIdle = false
    syncing = fh.datasync().finally(() => void (syncIdle = true))
    syncing.catch(() => {}) // awaited below
  }
  try {
    let size = 0
    let batch: Array<Uint8Array> = []
    let batchBytes = 0
    const flush = (last: boolean) => {
      // the last batch is left to the acknowledging fsync (a datasync before it would only add a flush)
      writing = writeAll(fh, batch, HEADER_SIZE + size - batchBytes).then(last ? undefined : startWriteback)
      writing.catch(() => {}) // awaited below; only marked as handled while the next batch is read
      batch = []
      batchBytes = 0
    }
    while (true) {
      const next = await reader.read()
      // A cancelled reader reports `done`: without this check an aborted put would commit a truncated object.
      throwIfAborted(options.signal)
      if (next.done) break
      batch.push(next.value)
      batchBytes += next.value.byteLength
      size += next.value.byteLength
      if (batchBytes >= WRITE_BATCH) {
        await writing
        flush(false)
      }
    }
    await writing
    if (batchBytes > 0) flush(true)
    await writing
    await syncing
    const meta: FileMeta = {
      contentType: options.contentType,
      cacheControl: options.cacheControl,
      etag: options.etag ?? newEtag(),
      size
    }
    await fh.write(encodeHeader(meta), 0, HEADER_SIZE, 0)
    await fh.sync()
    await fh.close()
    done = true
    throwIfAborted(options.signal)
    await moveDurably(tmp, target)
    return meta
  } catch (error) {
    await writing.catch(() => {})
    await syncing.catch(() => {})
    if (!done) await fh.close().catch(() => {})
    await unlink(tmp).catch(() => {})
    await reader.cancel(error).catch(() => {})
    throw error
  } finally {
    options.signal?.removeEventListener("abort", onAbort)
  }
}

/** A fresh opaque etag, shaped like S3's (32 hex digits, quoted). */
export const newEtag = (): string => `"${randomUUID().replaceAll("-", "")}"`

/**
 * Bytes gathered before a write: network chunks (16–64 KiB) become one writev of about this size,
 * without copying them into one buffer.
 */
const WRITE_BATCH = 1024 * 1024

/** Writes `parts` at `position`, however many calls writev needs. */
const writeAll = async (fh: FileHandle, parts: ReadonlyArray<Uint8Array>, position: number): Promise<void> => {
  let rest = parts
  let at = position
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest, at)
    if (bytesWritten === 0) throw new Error("the file system accepted no bytes")
    at += bytesWritten
    rest = dropBytes(rest, bytesWritten)
  }
}

const dropBytes = (parts: ReadonlyArray<Uint8Array>, count: number): ReadonlyArray<Uint8Array> => {
  let left = count
  let i = 0
  while (i < parts.length && left >= parts[i]!.byteLength) left -= parts[i++]!.byteLength
  if (i === parts.length) return []
  return [parts[i]!.subarray(left), ...parts.slice(i + 1)]
}

const throwIfAborted = (signal: AbortSignal | undefined) => {
  if (signal?.aborted) throw signal.reason ?? new Error("aborted")
}

/** rename + fsync of the target directory; retried when a concurrent delete pruned the (then empty) directory. */
const moveDurably = async (from: string, to: string): Promise<void> => {
  for (let attempt = 0; ; attempt++) {
    await makeDirDurable(dirname(to))
    try {
      await rename(from, to)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 3) throw error
    }
  }
  await syncDir(dirname(to))
}

/**
 * A web stream over bytes [start, end] (inclusive) of an open object file; closes the file when done or
 * cancelled. `first`: bytes from `start` on already read (readHeaderAndStart); when they are the whole
 * range the file is closed at once and the stream is that one chunk.
 */
export const bodyStream = (fh: FileHandle, start: number, end: number, first?: Uint8Array): ReadableStream<Uint8Array> => {
  let position = start
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await fh.close().catch(() => {})
  }
  let pending = first !== undefined && first.length > 0 ? first : undefined
  if (pending !== undefined && start + pending.length > end) {
    pending = pending.subarray(0, end + 1 - start)
    void close()
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending !== undefined) {
        controller.enqueue(pending)
        position += pending.length
        pending = undefined
        if (position > end) {
          await close()
          controller.close()
        }
        return
      }
      const remaining = end + 1 - position
      if (remaining <= 0) {
        await close()
        controller.close()
        return
      }
      try {
        const buf = new Uint8Array(Math.min(READ_CHUNK, remaining))
        const { bytesRead } = await fh.read(buf, 0, buf.length, HEADER_SIZE + position)
        if (bytesRead === 0) throw new Error("object file is shorter than its header says")
        position += bytesRead
        controller.enqueue(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead))
      } catch (error) {
        await close()
        controller.error(error)
      }
    },
    cancel: close
  })
}
