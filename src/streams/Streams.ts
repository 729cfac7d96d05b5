/**
 * The streams application layer (DESIGN.md §3): every use case of a live stream's life, as one service. The
 * ingest engine (watch folder, HTTP push) and the push routes call it, never each other; it owns the object
 * keys (StreamObjectKeys.ts), the command ids (StreamCommandIds.ts) and acts as the system for the ingester's
 * records. Bytes are durable before the event that counts them: a part is uploaded, then recorded.
 */
import { Clock, Context, Effect, Layer } from "effect"
import * as Hex from "effect/encoding/Hex"
import { ActorSystem } from "../actors/ActorSystem.ts"
import { Digests } from "../digest/Digests.ts"
import { QuotaAggregate } from "../domain/quota/QuotaAggregate.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { StreamAggregate } from "../domain/stream/StreamAggregate.ts"
import type { FailureReason } from "../domain/stream/StreamCommands.ts"
import type { ActiveStream, Part } from "../domain/stream/StreamState.ts"
import { ObjectStore, type UploadedPart } from "../objectstore/ObjectStore.ts"
import { recordPartUploaded } from "../observability/StreamMetrics.ts"
import { SYSTEM_ACTOR, systemSender } from "../uploads/SystemActor.ts"
import { StreamCommandId } from "./StreamCommandIds.ts"
import { finalizeStream, type PartReader } from "./StreamFinalization.ts"
import { streamOriginalKey, streamStagingPrefix } from "./StreamObjectKeys.ts"
import { receiveStreamBytes } from "./StreamPush.ts"
import { NotActive, PartLost } from "./StreamsErrors.ts"

export interface NewStream {
  readonly streamId: string
  readonly owner: Principal
  readonly source: "watch" | "push"
  readonly sourceRef?: string | undefined
  readonly title?: string | undefined
  readonly requestId?: string | undefined
}

export interface PartBytes {
  readonly streamId: string
  readonly partNumber: number
  readonly offset: number
  readonly bytes: Uint8Array
  /** Bytes the source had when the part was read (the read model's lag). */
  readonly observedBytes: number
}

const make = Effect.gen(function*() {
  const actors = yield* ActorSystem
  const store = yield* ObjectStore
  const digests = yield* Digests
  const send = systemSender(actors)

  const current = (streamId: string) => actors.current(StreamAggregate, streamId)

  const active = Effect.fn("Streams.active")(function*(streamId: string) {
    const { state } = yield* current(streamId)
    if (state.status !== "Live" && state.status !== "Ended") return yield* Effect.fail(new NotActive({ streamId, status: state.status }))
    return state
  })

  const sha256Hex = (bytes: Uint8Array) => {
    const hash = digests.incremental("sha256")
    hash.update(bytes)
    return Hex.encode(hash.digest())
  }

  /** The stream's multipart upload: the recorded one, or a new one recorded before any part (a racing creator's wins). */
  const ensureMultipart = Effect.fn("Streams.ensureMultipart")(function*(state: ActiveStream) {
    if (state.multipart !== null) return state.multipart
    const key = streamOriginalKey(state.streamId)
    const uploadId = yield* store.createMultipartUpload(key, { contentType: "video/mp4" })
    const recorded = yield* send(StreamAggregate, state.streamId, {
      _tag: "RecordMultipartStarted",
      streamId: state.streamId,
      key,
      multipartUploadId: uploadId
    }, StreamCommandId.multipart(state.streamId, uploadId)).pipe(
      Effect.tapError((e) => e._tag === "MultipartConflict" ? Effect.ignore(store.abortMultipartUpload(key, uploadId)) : Effect.void)
    )
    void recorded
    return { key, uploadId }
  })

  /** Starts a stream for `owner` and its multipart upload. */
  const start = Effect.fn("Streams.start")(function*(input: NewStream) {
    const { streamId } = input
    yield* actors.send(StreamAggregate, streamId, {
      command: {
        _tag: "StartStream",
        streamId,
        source: input.source,
        ...(input.sourceRef === undefined ? {} : { sourceRef: input.sourceRef }),
        ...(input.title === undefined ? {} : { title: input.title })
      },
      actor: input.owner,
      commandId: StreamCommandId.start(streamId),
      correlationId: input.requestId
    })
    const state = yield* active(streamId)
    yield* ensureMultipart(state)
    return yield* active(streamId)
  })

  /** Raises the owner's reservation to cover the stream through `end` (QUOTA_EXCEEDED fails the stream). */
  const reserveThrough = (state: ActiveStream, end: number) =>
    send(QuotaAggregate, state.ownerId, { _tag: "GrowReservation", userId: state.ownerId, uploadId: state.streamId, bytes: end }, StreamCommandId.grow(state.streamId, end))
      .pipe(Effect.tapError((e) => e._tag === "QuotaExceeded" ? Effect.ignore(fail(state.streamId, "quota-exceeded", e.message)) : Effect.void))

  const recordPart = (state: ActiveStream, input: PartBytes, etag: string, sha256: string) =>
    send(StreamAggregate, state.streamId, {
      _tag: "RecordStreamPart",
      streamId: state.streamId,
      partNumber: input.partNumber,
      offset: input.offset,
      size: input.bytes.byteLength,
      etag,
      sha256,
      observedBytes: input.observedBytes
    }, StreamCommandId.part(state.streamId, input.partNumber, sha256))

  /**
   * Raises the owner's reservation through `end`, before the part's bytes are stored (the ingester calls it in
   * part order). QuotaExceeded is only returned: the caller lets the parts in flight finish, then fails the stream.
   */
  const reservePart = Effect.fn("Streams.reservePart")(function*(streamId: string, end: number) {
    const state = yield* active(streamId)
    yield* send(QuotaAggregate, state.ownerId, { _tag: "GrowReservation", userId: state.ownerId, uploadId: streamId, bytes: end }, StreamCommandId.grow(streamId, end))
  })

  /** Stores one part's bytes in the multipart upload (no event yet: `recordStoredPart` follows, in part order). */
  const storePart = Effect.fn("Streams.storePart")(function*(input: PartBytes) {
    const state = yield* active(input.streamId)
    const multipart = yield* ensureMultipart(state)
    const sha256 = sha256Hex(input.bytes)
    const began = yield* Clock.currentTimeMillis
    const etag = yield* store.uploadPart(multipart.key, multipart.uploadId, input.partNumber, input.bytes, input.bytes.byteLength)
    recordPartUploaded(((yield* Clock.currentTimeMillis) - began) / 1000)
    return { partNumber: input.partNumber, offset: input.offset, size: input.bytes.byteLength, etag, sha256 } satisfies Part
  })

  /**
   * Stores a part whose bytes are still arriving (src/ingest/GrowingPart.ts): `body` yields exactly `size` bytes as
   * the source grows; once the store acknowledged them, `bytes()` holds them all (for the part's SHA-256).
   */
  const storeGrowingPart = Effect.fn("Streams.storeGrowingPart")(function*(
    head: { readonly streamId: string; readonly partNumber: number; readonly offset: number; readonly size: number },
    body: ReadableStream<Uint8Array>,
    bytes: () => Uint8Array
  ) {
    const state = yield* active(head.streamId)
    const multipart = yield* ensureMultipart(state)
    const began = yield* Clock.currentTimeMillis
    const etag = yield* store.uploadPart(multipart.key, multipart.uploadId, head.partNumber, body, head.size)
    recordPartUploaded(((yield* Clock.currentTimeMillis) - began) / 1000)
    return { partNumber: head.partNumber, offset: head.offset, size: head.size, etag, sha256: sha256Hex(bytes()) } satisfies Part
  })

  /** Records a part `storePart` stored (after the part before it was recorded). */
  const recordStoredPart = Effect.fn("Streams.recordStoredPart")(function*(input: PartBytes, stored: Part) {
    const state = yield* active(input.streamId)
    yield* recordPart(state, input, stored.etag, stored.sha256)
  })

  /** Uploads one part (quota first, so the chunk that crosses the limit is never stored), then records it. */
  const uploadPart = Effect.fn("Streams.uploadPart")(function*(input: PartBytes) {
    const state = yield* active(input.streamId)
    yield* reserveThrough(state, input.offset + input.bytes.byteLength)
    const stored = yield* storePart(input)
    yield* recordPart(state, input, stored.etag, stored.sha256)
    return stored
  })

  /**
   * A part a crashed ingester uploaded but did not record, whose bytes the caller checked (S3 etag = md5): recorded
   * without a second upload. Like reservePart, QuotaExceeded is only returned.
   */
  const adoptPart = Effect.fn("Streams.adoptPart")(function*(input: PartBytes, etag: string) {
    yield* reservePart(input.streamId, input.offset + input.bytes.byteLength)
    const state = yield* active(input.streamId)
    yield* recordPart(state, input, etag, sha256Hex(input.bytes))
  })

  /**
   * Where a restarted ingester continues: the recorded multipart upload, checked against ListParts (every recorded
   * part must be there, with its etag), and the parts uploaded after the last recorded one (to adopt, in order:
   * `unrecorded` holds the run of consecutive part numbers that follows it, several when parts were in flight).
   */
  const resume = Effect.fn("Streams.resume")(function*(streamId: string) {
    const state = yield* active(streamId)
    const multipart = yield* ensureMultipart(state)
    const listed = yield* store.listParts(multipart.key, multipart.uploadId).pipe(
      Effect.catchTag("MultipartUploadNotFound", (e) =>
        Effect.andThen(fail(streamId, "upload-failed", `its multipart upload is gone: ${e.message}`), Effect.fail(e)))
    )
    for (const part of state.parts) {
      const found = listed.find((p) => p.partNumber === part.partNumber)
      if (found === undefined || found.etag !== part.etag || found.size !== part.size) {
        const detail = `part ${part.partNumber} is recorded but not in the multipart upload as recorded`
        yield* fail(streamId, "upload-failed", detail)
        return yield* Effect.fail(new PartLost({ streamId, partNumber: part.partNumber }))
      }
    }
    const unrecorded: Array<UploadedPart> = []
    for (let n = state.parts.length + 1; ; n++) {
      const found = listed.find((p) => p.partNumber === n)
      if (found === undefined) break
      unrecorded.push(found)
    }
    return { state: yield* active(streamId), unrecorded }
  })

  const end = Effect.fn("Streams.end")(function*(streamId: string, reason: "timeout" | "explicit", actor: Principal = SYSTEM_ACTOR, requestId?: string) {
    return yield* actors.send(StreamAggregate, streamId, {
      command: { _tag: "EndStream", streamId, reason },
      actor,
      commandId: StreamCommandId.end(streamId),
      correlationId: requestId
    })
  })

  /** Stops a stream for good: the failure recorded, its multipart upload aborted, its reservation released, its staging dropped. */
  const fail = (streamId: string, reason: FailureReason, detail: string): Effect.Effect<void, unknown> =>
    Effect.gen(function*() {
      yield* send(StreamAggregate, streamId, { _tag: "FailStream", streamId, reason, detail: detail.slice(0, 500) }, StreamCommandId.fail(streamId))
      const { state } = yield* current(streamId)
      if (state.status === "Failed" && state.multipart !== null) yield* store.abortMultipartUpload(state.multipart.key, state.multipart.uploadId)
      if (state.status !== "Idle") {
        yield* send(QuotaAggregate, state.ownerId, { _tag: "ReleaseUpload", userId: state.ownerId, uploadId: streamId, reason: "failed" }, StreamCommandId.release(streamId))
      }
      yield* store.deletePrefix(streamStagingPrefix(streamId))
    }).pipe(Effect.withSpan("Streams.fail"))

  return {
    current,
    active,
    start,
    uploadPart,
    reservePart,
    storePart,
    storeGrowingPart,
    recordStoredPart,
    adoptPart,
    resume,
    end,
    fail,
    receiveBytes: receiveStreamBytes(actors, store),
    /**
     * Completes an ended stream (PartReader: the source's bytes, for the rewrite check and the digest; `sealedSha256`:
     * the SHA-256 of every part's bytes as sealed, in order, when the caller kept it, so nothing is hashed twice).
     */
    finalize: (streamId: string, read: PartReader, rewritable: boolean, sealedSha256?: string) =>
      finalizeStream({ actors, store, digests, send, fail, active }, streamId, read, rewritable, sealedSha256)
  }
})

export class Streams extends Context.Service<Streams>()("keyframe/Streams", { make }) {
  static readonly layer: Layer.Layer<Streams, never, ActorSystem | ObjectStore | Digests> = Layer.effect(this, this.make)
}
