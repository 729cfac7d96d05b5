/**
 * Finalizing an ended stream: every part is read again from the source and compared with the digest it was
 * sealed with. A part whose bytes changed (a plain MP4 recorder rewrites the `mdat` size at the start of the
 * file, or moves `moov` to the front, when it closes) is uploaded again under its part number and recorded as
 * rewritten, so the original is byte-identical to the final source. The same pass computes the SHA-256 of the
 * whole original. Then the multipart upload is completed, and only then is StreamFinalized recorded.
 */
import { Effect } from "effect"
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

export const finalizeStream = (deps: FinalizeDeps, streamId: string, read: PartReader, rewritable: boolean) =>
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
    const whole = digests.incremental("sha256")
    for (const part of state.parts) {
      const bytes = yield* read(part.offset, part.size)
      const one = digests.incremental("sha256")
      one.update(bytes)
      const sha256 = Hex.encode(one.digest())
      whole.update(bytes)
      if (sha256 === part.sha256) continue
      if (!rewritable) {
        yield* deps.fail(streamId, "source-changed", `the bytes of part ${part.partNumber} changed after they were stored`)
        return yield* Effect.fail(new SourceChanged({ streamId, partNumber: part.partNumber }))
      }
      const began = Date.now()
      const etag = yield* store.uploadPart(key, uploadId, part.partNumber, bytes, bytes.byteLength)
      recordPartUploaded((Date.now() - began) / 1000)
      yield* send(StreamAggregate, streamId, { _tag: "RecordPartRewritten", streamId, partNumber: part.partNumber, etag, sha256 }, StreamCommandId.rewrite(streamId, part.partNumber, sha256))
    }
    const sha256 = Hex.encode(whole.digest())
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
