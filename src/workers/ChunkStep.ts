/**
 * The chunk step: reads the staged bytes in offset order, re-seals them into CHUNK_SIZE_MB parts of a
 * multipart upload of `originals/<id>` (each stored part is a `ChunkUploaded` event, so a retry uploads
 * only the parts after the last recorded one), completes it, and records the size and SHA-256.
 */
import { Effect } from "effect"
import * as Hex from "effect/encoding/Hex"
import { Digests } from "../digest/Digests.ts"
import type { ChunkPart, ChunkProgress } from "../domain/upload/UploadState.ts"
import { ObjectStore, type ObjectStoreShape } from "../objectstore/ObjectStore.ts"
import { quoteEtag } from "../objectstore/ObjectBody.ts"
import { originalKey, stagingKey } from "../uploads/UploadObjectKeys.ts"
import { forEachChunk } from "./ByteStreams.ts"
import { PartBuffer } from "./PartBuffer.ts"
import type { StepContext, StepResult } from "./StepContext.ts"
import { StagedBytesMissing } from "./StepFailure.ts"
import { receivedRanges, uploadHistory } from "./UploadHistory.ts"

/** Size of part `n` (from 1) of a `size`-byte original cut in `partSize` parts. */
const expectedPartSize = (n: number, partSize: number, size: number) => Math.min(partSize, size - (n - 1) * partSize)

/**
 * The recorded parts a retry may keep: the multipart upload must still exist and hold them with the same
 * etags, and they must have been cut at the current part size (CHUNK_SIZE_MB may have changed since).
 */
const resumable = (store: ObjectStoreShape, key: string, chunks: ChunkProgress | null, partSize: number, size: number) =>
  Effect.gen(function*() {
    if (chunks === null || chunks.parts.length === 0) return undefined
    if (chunks.parts.some((p, i) => p.partNumber !== i + 1 || p.size !== expectedPartSize(i + 1, partSize, size))) return undefined
    const listed = yield* store.listParts(key, chunks.multipartUploadId).pipe(
      Effect.catchTag("MultipartUploadNotFound", () => Effect.succeed(undefined))
    )
    if (listed === undefined) return undefined
    const intact = chunks.parts.every((p) =>
      listed.some((l) => l.partNumber === p.partNumber && l.size === p.size && quoteEtag(l.etag) === quoteEtag(p.etag))
    )
    return intact ? chunks : undefined
  })

export const chunkStep = (ctx: StepContext) =>
  Effect.gen(function*() {
    const store = yield* ObjectStore
    const digests = yield* Digests
    const history = yield* uploadHistory(ctx.uploadId)
    const { ranges, size } = yield* receivedRanges(history)
    const key = originalKey(ctx.uploadId)
    const partSize = Math.max(ctx.chunkSizeBytes, store.minPartSize)
    const chunks = ctx.upload.status === "Processing" ? ctx.upload.chunks : null
    const resume = yield* resumable(store, key, chunks, partSize, size)
    const multipartUploadId = resume?.multipartUploadId ??
      (yield* store.createMultipartUpload(key, { contentType: ctx.upload.contentType }))
    const recorded: ReadonlyArray<ChunkPart> = resume?.parts ?? []
    if (resume !== undefined) yield* Effect.logInfo(`upload ${ctx.uploadId}: resuming the original after part ${recorded.length}`)

    const hasher = digests.incremental("sha256")
    const buffer = new PartBuffer(partSize)
    const parts: Array<{ readonly partNumber: number; readonly etag: string }> = []
    let sealed = 0

    const seal = (bytes: Uint8Array) =>
      Effect.gen(function*() {
        const partNumber = parts.length + 1
        const done = recorded[partNumber - 1]
        if (done !== undefined) {
          parts.push(done)
        } else {
          const etag = yield* store.uploadPart(key, multipartUploadId, partNumber, bytes, bytes.byteLength)
          yield* ctx.recordChunk(multipartUploadId, { partNumber, etag, size: bytes.byteLength })
          parts.push({ partNumber, etag })
        }
        sealed += bytes.byteLength
        ctx.progress(Math.round((sealed / size) * 1000) / 10, sealed)
      })

    for (const range of ranges) {
      const staged = yield* store.get(stagingKey(ctx.uploadId, range.offset), { range: { start: 0, end: range.length - 1 } }).pipe(
        Effect.catchTag(["ObjectNotFound", "RangeNotSatisfiable"], (e) =>
          Effect.fail(new StagedBytesMissing({ offset: range.offset, detail: e.message })))
      )
      if (staged.contentLength !== range.length) {
        staged.body.cancel().catch(() => {})
        return yield* new StagedBytesMissing({ offset: range.offset, detail: `${staged.contentLength} of ${range.length} bytes are stored` })
      }
      yield* forEachChunk(staged.body, `staged bytes at ${range.offset}`, (chunk) =>
        Effect.gen(function*() {
          hasher.update(chunk)
          for (const part of buffer.push(chunk)) yield* seal(part)
        }))
    }
    const last = buffer.flush()
    if (last !== undefined) yield* seal(last)
    const original = yield* store.completeMultipartUpload(key, multipartUploadId, parts)
    const result: StepResult = {
      details: { original: key, sizeBytes: original.size, sha256: Hex.encode(hasher.digest()), parts: parts.length }
    }
    return result
  })
