/**
 * The ingest engine (runtime neutral): feeds one stream from a GrowingSource. It resumes from the stream's events
 * (Streams.resume: the multipart upload reused, its parts checked with ListParts, a part uploaded but never
 * recorded adopted when its bytes match its etag), then seals every full chunk as the next part as the source
 * grows, and ends the stream when the source was idle for the timeout (or its producer said it is done): the
 * remaining bytes are the last part, then the stream is finalized. A source that vanished, shrank under the
 * stored offset or was replaced fails the stream; so does the chunk that crosses the owner's quota.
 */
import { md5 } from "@noble/hashes/legacy.js"
import { Clock, Effect, Option, Queue, Schedule } from "effect"
import * as Hex from "effect/encoding/Hex"
import type { FailureReason } from "../domain/stream/StreamCommands.ts"
import { type ActiveStream, type StreamState, uploadedBytes } from "../domain/stream/StreamState.ts"
import { recordStreamLag } from "../observability/StreamMetrics.ts"
import type { Streams } from "../streams/Streams.ts"
import type { GrowingSource, SourceSnapshot } from "./GrowingSource.ts"

export interface IngestOptions {
  readonly chunkSizeBytes: number
  /** STREAM_TIMEOUT_SECONDS in ms: no growth for this long ends the stream. */
  readonly idleTimeoutMs: number
  /** Longest wait between two looks at the source (the fallback when no notification comes). */
  readonly pollMs: number
  /** Offered when the source may have changed (a file-system notification, a PATCH): the engine looks at once. */
  readonly wake?: Queue.Queue<void> | undefined
}

export type IngestOutcome =
  | { readonly status: "finalized"; readonly state: StreamState }
  | { readonly status: "failed"; readonly reason: FailureReason; readonly detail: string }
  | { readonly status: "inactive"; readonly state: StreamState }

type StreamsShape = typeof Streams.Service

type Look =
  | { readonly problem: { readonly reason: FailureReason; readonly detail: string }; readonly snap?: undefined }
  | { readonly problem?: undefined; readonly snap: SourceSnapshot }

const isTransient = (e: unknown) =>
  typeof e === "object" && e !== null && "_tag" in e && ["ObjectStoreUnavailable", "EventStoreUnavailable", "ActorBusy"].includes(String(e._tag))

const retried = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.retry({ while: isTransient, schedule: Schedule.exponential("250 millis"), times: 6 }))

const unquote = (etag: string) => etag.replace(/^"|"$/g, "")

export const ingestStream = (streams: StreamsShape, streamId: string, source: GrowingSource, options: IngestOptions) =>
  Effect.gen(function*() {
    const { chunkSizeBytes: chunk } = options
    const { state: initial } = yield* streams.current(streamId)
    if (initial.status !== "Live" && initial.status !== "Ended") return { status: "inactive", state: initial } satisfies IngestOutcome
    const resumed = yield* retried(streams.resume(streamId))
    let state: ActiveStream = resumed.state
    let next = uploadedBytes(state.parts)

    const failWith = (reason: FailureReason, detail: string) =>
      Effect.as(retried(streams.fail(streamId, reason, detail)), { status: "failed", reason, detail } satisfies IngestOutcome)

    const look = Effect.gen(function*() {
      const snap = yield* source.snapshot
      if (snap === undefined) return { problem: { reason: "source-vanished", detail: `${source.label} is gone (deleted or moved away)` } } as Look
      if (snap.size < next) {
        return { problem: { reason: "source-shrank", detail: `${source.label} shrank to ${snap.size} bytes, below the ${next} bytes already stored` } } as Look
      }
      return { snap } as Look
    })

    /** Uploads bytes [next, next + length) as the next part. */
    const seal = (length: number, observed: number) =>
      Effect.gen(function*() {
        const bytes = yield* source.read(next, length)
        yield* retried(streams.uploadPart({ streamId, partNumber: state.parts.length + 1, offset: next, bytes, observedBytes: observed }))
        next += length
        state = yield* streams.active(streamId)
      })

    // A part a crashed ingester uploaded but never recorded: adopted when the source still has the same bytes.
    const orphan = resumed.unrecorded
    if (orphan !== undefined && (orphan.size === chunk || state.status === "Ended")) {
      const bytes = yield* Effect.option(source.read(next, orphan.size))
      if (Option.isSome(bytes) && Hex.encode(md5(bytes.value)) === unquote(orphan.etag)) {
        yield* retried(streams.adoptPart({ streamId, partNumber: orphan.partNumber, offset: next, bytes: bytes.value, observedBytes: next + orphan.size }, orphan.etag))
        next += orphan.size
        state = yield* streams.active(streamId)
      }
    }

    let lastSize = -1
    let lastGrowth = yield* Clock.currentTimeMillis
    let identity: string | undefined
    while (true) {
      const seen = yield* look
      if (seen.problem !== undefined) return yield* failWith(seen.problem.reason, seen.problem.detail)
      const snap: SourceSnapshot = seen.snap
      if (identity !== undefined && snap.identity !== undefined && snap.identity !== identity) {
        return yield* failWith("source-changed", `${source.label} was replaced by another file`)
      }
      identity = snap.identity ?? identity
      const now = yield* Clock.currentTimeMillis
      if (snap.size > lastSize) {
        lastSize = snap.size
        lastGrowth = now
      }
      while (state.status === "Live" && snap.size - next >= chunk) yield* seal(chunk, snap.size)
      recordStreamLag(streamId, snap.size - next)
      const idleFor = now - lastGrowth
      if (snap.ended || state.status === "Ended" || idleFor >= options.idleTimeoutMs) {
        if (state.status === "Live") yield* retried(streams.end(streamId, snap.ended ? "explicit" : "timeout"))
        state = yield* streams.active(streamId)
        // the tail: what the source holds now, in parts of at most a chunk, the last one smaller
        const final = yield* look
        if (final.problem !== undefined) return yield* failWith(final.problem.reason, final.problem.detail)
        while (final.snap.size > next && !state.tailSealed) yield* seal(Math.min(chunk, final.snap.size - next), final.snap.size)
        recordStreamLag(streamId, 0)
        const done = yield* retried(streams.finalize(streamId, source.read, source.rewritable))
        return done.status === "Finalized"
          ? { status: "finalized", state: done } satisfies IngestOutcome
          : done.status === "Failed"
          ? { status: "failed", reason: done.reason, detail: done.detail } satisfies IngestOutcome
          : { status: "inactive", state: done } satisfies IngestOutcome
      }
      const wait = Math.max(5, Math.min(options.pollMs, options.idleTimeoutMs - idleFor))
      if (options.wake === undefined) yield* Effect.sleep(wait)
      else yield* Effect.timeoutOption(Queue.take(options.wake), wait)
    }
  }).pipe(
    // the chunk that crossed the quota: Streams already failed the stream with the quota's message
    Effect.catchIf(
      (e): e is { readonly _tag: "QuotaExceeded"; readonly message: string } => typeof e === "object" && e !== null && "_tag" in e && e._tag === "QuotaExceeded",
      (e) => Effect.succeed({ status: "failed", reason: "quota-exceeded", detail: e.message } satisfies IngestOutcome)
    ),
    Effect.withSpan("IngestEngine.ingestStream", { attributes: { streamId } })
  )
