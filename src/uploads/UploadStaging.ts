/**
 * How a request body gets into the staging area (layout and its guarantees: UploadObjectKeys.ts): streamed
 * into `stagingKey(uploadId, offset)` through one reader that counts, feeds the digest and stops at the
 * upload's remaining length, never holding the body in memory.
 */
import { Effect, Result } from "effect"
import type { ObjectStoreShape } from "../objectstore/ObjectStore.ts"
import type { InvalidObjectKey, InvalidObjectRequest, ObjectStoreUnavailable } from "../objectstore/ObjectStoreError.ts"
import type { IncrementalDigest } from "../digest/Hashes.ts"
import { stagingKey, stagingPrefix } from "./UploadObjectKeys.ts"

export interface StagedBody {
  /** Bytes stored (0: nothing was stored). */
  readonly length: number
  /** The body ended early (client gone, or another request took over); what arrived is kept. */
  readonly cut: boolean
  /** The body was longer than `limit`: nothing was stored. */
  readonly tooLong: boolean
  /** The digest of the stored bytes, when one was asked for. */
  readonly digest: Uint8Array | undefined
}

interface Tap {
  /** Waits for the first bytes; false when the body is empty (or ended before any byte), and then lets go of it. */
  readonly peek: () => Promise<boolean>
  /** The body as the store reads it; made after `peek` (it starts reading ahead at once). */
  readonly stream: () => ReadableStream<Uint8Array>
  readonly result: () => Omit<StagedBody, "digest">
}

/**
 * Passes `source` through with one reader: counts, feeds the digest, fails the stream past `limit`
 * (so the store keeps nothing), and turns an early end (a read error, i.e. the client went away, or
 * `stop`) into a normal end, so the store keeps the bytes that did arrive. Chunks pass as they are,
 * never copied (the store gathers them into larger writes); one is read ahead at most.
 */
const tap = (source: ReadableStream<Uint8Array>, limit: number, digest: IncrementalDigest | undefined, stop: AbortSignal): Tap => {
  const reader = source.getReader()
  let length = 0
  let cut = false
  let tooLong = false
  const onStop = () => {
    cut = true
    // A pending read then resolves as done; the request's socket is released.
    reader.cancel(new Error("upload taken over by another request")).catch(() => {})
  }
  if (stop.aborted) onStop()
  else stop.addEventListener("abort", onStop, { once: true })
  const finish = () => stop.removeEventListener("abort", onStop)
  let peeked: Uint8Array | undefined
  const read = async (): Promise<Uint8Array | undefined> => {
    if (peeked !== undefined) {
      const chunk = peeked
      peeked = undefined
      return chunk
    }
    try {
      const next = await reader.read()
      return next.done ? undefined : next.value
    } catch {
      cut = true
      return undefined
    }
  }
  const stream = () => new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await read()
      if (chunk === undefined) {
        finish()
        controller.close()
        return
      }
      if (length + chunk.byteLength > limit) {
        tooLong = true
        finish()
        reader.cancel(new Error("body longer than the upload's remaining length")).catch(() => {})
        controller.error(new Error(`the body is longer than the ${limit} bytes the upload has left`))
        return
      }
      length += chunk.byteLength
      digest?.update(chunk)
      controller.enqueue(chunk)
    },
    cancel(reason) {
      finish()
      return reader.cancel(reason)
    }
  }, { highWaterMark: 1 })
  const peek = async () => {
    peeked = await read()
    if (peeked === undefined) finish()
    return peeked !== undefined
  }
  return { stream, peek, result: () => ({ length, cut, tooLong }) }
}

export interface StageOptions {
  /** Bytes the upload has left: a longer body stores nothing. */
  readonly limit: number
  readonly digest?: IncrementalDigest | undefined
  /** Asks the transfer to end now, keeping what arrived (another request for this upload is waiting). */
  readonly stop: AbortSignal
}

/**
 * Streams `body` into `stagingKey(uploadId, offset)` and reports what was stored. The object exists
 * afterwards only when `length > 0` and it is durable then. Never holds the body in memory.
 */
export const stageBody = Effect.fn("Uploads.stageBody")(function*(
  store: ObjectStoreShape,
  uploadId: string,
  offset: number,
  body: ReadableStream<Uint8Array>,
  options: StageOptions
): Effect.fn.Return<StagedBody, InvalidObjectKey | InvalidObjectRequest | ObjectStoreUnavailable> {
  const key = stagingKey(uploadId, offset)
  const t = tap(body, options.limit, options.digest, options.stop)
  // No object at all for an empty body (a PATCH may legally carry none).
  if (!(yield* Effect.promise(t.peek))) return { ...t.result(), digest: undefined }
  const put = yield* Effect.result(store.put(key, t.stream(), { contentType: "application/octet-stream" }))
  const seen = t.result()
  if (seen.tooLong) return { ...seen, length: 0, digest: undefined }
  if (Result.isFailure(put)) return yield* Effect.fail(put.failure)
  if (seen.length === 0) {
    // An empty object would be a stray: nothing to record.
    yield* store.delete(key)
    return { ...seen, digest: undefined }
  }
  return { ...seen, digest: options.digest?.digest() }
})

/** Removes a staged object whose bytes will not be recorded (checksum mismatch, rejected append). */
export const discardStaged = (store: ObjectStoreShape, uploadId: string, offset: number) => store.delete(stagingKey(uploadId, offset))

/** Removes every staged object of an upload (cancel, expiry). */
export const discardAllStaged = (store: ObjectStoreShape, uploadId: string) => store.deletePrefix(stagingPrefix(uploadId))
