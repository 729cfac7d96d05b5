/**
 * Finalizing an ended stream. For a rewritable source every part is read again and compared with the digest it
 * was sealed with: a part whose bytes changed (a plain MP4 recorder rewrites the `mdat` size at the start of the
 * file, or moves `moov` to the front, when it closes) is uploaded again under its part number and recorded as
 * rewritten, so the original is byte-identical to the final source. The SHA-256 of the whole original is the
 * caller's running digest of the sealed bytes when it kept one and no part changed; otherwise it is computed
 * from the source (from the first byte again once a changed part shows the sealed digest no longer holds).
 * A source that is not rewritable with a running digest is not read at all. Then the multipart upload is
 * completed, and only then is StreamFinalized recorded.
 */
import { Effect, Fiber } from "effect"
import * as Hex from "effect/encoding/Hex"
import type { ActorSystemShape } from "../actors/ActorSystem.ts"
import type { Digests } from "../digest/Digests.ts"
import { StreamAggregate } from "../domain/stream/StreamAggregate.ts"
import type { FailureReason } from "../domain/stream/StreamCommands.ts"
import type { ActiveStream } from "../domain/stream/StreamState.ts"
import type { ObjectStoreShape } from "../objectstore/ObjectStore.ts"
import { recordPartUploaded } from "../observability/StreamMetrics.ts"
import type { systemSender } from "../uploads/SystemActor.ts"
import { StreamCommandId } from "./StreamCommandIds.ts"
import { streamStagingPrefix } from "./StreamObjectKeys.ts"
import { SourceChanged } from "./StreamsErrors.ts"

/** Bytes `[offset, offset + length)` of the stream's source, exactly `length` of them. */
export type PartReader = (offset: number, length: number) => Effect.Effect<Uint8Array, unknown>

export interface FinalizeDeps {
  readonly actors: ActorSystemShape
  readonly store: ObjectStoreShape
  readonly digests: typeof Digests.Service
  readonly send: ReturnType<typeof systemSender>
  readonly fail: (streamId: string, reason: FailureReason, detail: string) => Effect.Effect<void, unknown>
  readonly active: (streamId: string) => Effect.Effect<ActiveStream, unknown>
}

export const finalizeStream = (deps: FinalizeDeps, streamId: string, read: PartReader, rewritable: boolean, sealedSha256?: string) =>
  Effect.gen(function*() {
    const { store, digests, send } = deps
    const { state: now } = yield* deps.actors.current(StreamAggregate, streamId)
    if (now.status === "Finalized") return now
    const state = yield* deps.active(streamId)
    if (state.multipart === null || state.parts.length === 0) {
      yield* deps.fail(streamId, "source-empty", "the source ended without a byte")
      return (yield* deps.actors.current(StreamAggregate, streamId)).state
    }
    const { key, uploadId } = state.multipart
    const sha256Of = (bytes: Uint8Array) => {
      const one = digests.incremental("sha256")
      one.update(bytes)
      return Hex.encode(one.digest())
    }
    // the running digest describes the sealed bytes: not once a part was rewritten (a retried finalization)
    const sealed = state.rewritten.length === 0 ? sealedSha256 : undefined
    let whole = sealed === undefined ? digests.incremental("sha256") : undefined
    const { parts: sealedParts } = state
    const checks = rewritable || whole !== undefined
    // the next part is read while this one is hashed (the read is I/O off the main thread, the hash is not)
    const readAhead = (index: number) => {
      const part = sealedParts[index]
      return part === undefined || !checks ? Effect.succeed(undefined) : Effect.forkChild(read(part.offset, part.size))
    }
    let ahead = yield* readAhead(0)
    for (const [index, part] of sealedParts.entries()) {
      if (ahead === undefined) break
      const bytes = yield* Fiber.join(ahead)
      ahead = yield* readAhead(index + 1)
      const sha256 = sha256Of(bytes)
      if (sha256 !== part.sha256) {
        if (!rewritable) {
          yield* deps.fail(streamId, "source-changed", `the bytes of part ${part.partNumber} changed after they were stored`)
          return yield* Effect.fail(new SourceChanged({ streamId, partNumber: part.partNumber }))
        }
        if (whole === undefined) {
          // the final source differs from what was sealed: its digest is the parts' bytes as they are now
          whole = digests.incremental("sha256")
          for (const earlier of sealedParts.slice(0, index)) whole.update(yield* read(earlier.offset, earlier.size))
        }
        const began = Date.now()
        const etag = yield* store.uploadPart(key, uploadId, part.partNumber, bytes, bytes.byteLength)
        recordPartUploaded((Date.now() - began) / 1000)
        yield* send(StreamAggregate, streamId, { _tag: "RecordPartRewritten", streamId, partNumber: part.partNumber, etag, sha256 }, StreamCommandId.rewrite(streamId, part.partNumber, sha256))
      }
      whole?.update(bytes)
    }
    const sha256 = whole === undefined ? sealed! : Hex.encode(whole.digest())
    const parts = (yield* deps.active(streamId)).parts
    const total = parts.reduce((sum, p) => sum + p.size, 0)
    yield* store.completeMultipartUpload(key, uploadId, parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag }))).pipe(
      // completed by an earlier attempt that did not get to record it: the original must be there whole
      Effect.catchTag("MultipartUploadNotFound", (e) =>
        Effect.flatMap(store.head(key), (head) => head.size === total ? Effect.void : Effect.fail(e)))
    )
    yield* send(StreamAggregate, streamId, { _tag: "FinalizeStream", streamId, sha256 }, StreamCommandId.finalize(streamId))
    yield* store.deletePrefix(streamStagingPrefix(streamId))
    return (yield* deps.actors.current(StreamAggregate, streamId)).state
  }).pipe(Effect.withSpan("Streams.finalize"))
