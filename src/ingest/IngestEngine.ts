/**
 * The ingest engine (runtime neutral): feeds one stream from a GrowingSource. It resumes from the stream's events
 * (Streams.resume: the multipart upload reused, its parts checked with ListParts, the parts uploaded but never
 * recorded adopted in order while their bytes match their etags), then seals every full chunk as the next part as
 * the source grows, and ends the stream when the source was idle for the timeout (or its producer said it is
 * done): the remaining bytes are the last part, then the stream is finalized. Up to `parallelParts` parts are
 * uploaded at once (PartPipeline.ts: recorded in part order, the quota raised in order before each upload). A
 * source that vanished, shrank under the stored offset or was replaced fails the stream; so does the chunk that
 * would cross the owner's quota (never stored; the parts in flight before it are recorded first).
 */
import { md5 } from "@noble/hashes/legacy.js"
import { Clock, Deferred, Effect, Exit, Option, Queue, Schedule } from "effect"
import * as Hex from "effect/encoding/Hex"
import { Digests } from "../digest/Digests.ts"
import type { FailureReason } from "../domain/stream/StreamCommands.ts"
import { type ActiveStream, type StreamState, uploadedBytes } from "../domain/stream/StreamState.ts"
import { recordStreamLag } from "../observability/StreamMetrics.ts"
import type { PartBytes, Streams } from "../streams/Streams.ts"
import type { GrowingSource, SourceSnapshot } from "./GrowingSource.ts"
import { type GrowingPart, startGrowingPart } from "./GrowingPart.ts"
import { makePartPipeline } from "./PartPipeline.ts"

export interface IngestOptions {
  readonly chunkSizeBytes: number
  /** STREAM_TIMEOUT_SECONDS in ms: no growth for this long ends the stream. */
  readonly idleTimeoutMs: number
  /** Longest wait between two looks at the source (the fallback when no notification comes). */
  readonly pollMs: number
  /** STREAM_PARALLEL_PARTS: parts uploading at once (each a chunk in memory); unset = 1. */
  readonly parallelParts?: number | undefined
  /** Offered when the source may have changed (a file-system notification, a PATCH): the engine looks at once. */
  readonly wake?: Queue.Queue<void> | undefined
  /**
   * Upload the next part while it is being written, once every sealed part is stored (GrowingPart.ts). Worth it
   * where reading a few bytes is cheap (a file); a pushed stream's staged bytes are objects, listed per read.
   */
  readonly growingParts?: boolean | undefined
}

/** A growing part is started only when the source's pace fills it within this long (S3 drops a request idle ~20 s). */
const GROWING_FILL_MS = 10_000
/** How often a growing part looks for new bytes. */
const GROWING_POLL_MS = 20

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
    const digests = yield* Digests
    const resumed = yield* retried(streams.resume(streamId))
    let state: ActiveStream = resumed.state
    /** Where the next part starts (sealed: stored or in flight), its number, and where the recorded parts end. */
    let next = uploadedBytes(state.parts)
    let nextPart = state.parts.length + 1
    let recordedEnd = next
    let tailSealed = state.tailSealed
    // the whole original's SHA-256, fed in part order as parts are sealed; a resumed stream's earlier parts were
    // hashed by another process, so its finalization hashes the source instead
    const running = state.parts.length === 0 ? digests.incremental("sha256") : undefined

    const pipeline = yield* makePartPipeline(
      options.parallelParts ?? 1,
      (part: PartBytes) => retried(streams.storePart(part)),
      (part, stored) =>
        Effect.andThen(retried(streams.recordStoredPart(part, stored)), Effect.sync(() => {
          recordedEnd = part.offset + part.bytes.byteLength
        }))
    )
    /** The part uploading as it is written, if any: it covers [next, next + chunk) under nextPart. */
    let growing: GrowingPart | undefined
    /** No growing part for the part starting below this offset (its quota was refused, or it failed once). */
    let noGrowingBelow = -1
    /** Where and when `next` last moved: the source's pace since then predicts when a part fills. */
    let paceMark = { at: yield* Clock.currentTimeMillis, size: next }

    /** A growing part that finished is recorded like a sealed one; one that failed is dropped (its bytes are sealed the usual way). */
    const collectGrowing = (part: GrowingPart) =>
      Effect.gen(function*() {
        growing = undefined
        const exit = yield* Effect.exit(Deferred.await(part.done))
        if (Exit.isFailure(exit)) {
          noGrowingBelow = part.offset + 1
          return yield* Effect.logDebug(`stream ${streamId}: part ${part.partNumber} uploaded while written did not finish; sealing it instead`, exit.cause)
        }
        yield* retried(streams.recordStoredPart(exit.value.part, exit.value.stored))
        running?.update(exit.value.part.bytes)
        next += part.size
        nextPart += 1
        recordedEnd = next
        paceMark = { at: yield* Clock.currentTimeMillis, size: exit.value.part.observedBytes }
      })
    /** Stops a growing part that has not finished (the source ended short of a chunk, or failed); keeps one that did. */
    const abandonGrowing = Effect.suspend(() => {
      const part = growing
      if (part === undefined) return Effect.void
      return Effect.andThen(part.abandon, Effect.flatMap(Deferred.isDone(part.done), (done) => (done ? collectGrowing(part) : Effect.sync(() => (growing = undefined)))))
    })
    /** Starts a growing part when every sealed part is recorded, the source has started it, and its pace fills it soon. */
    const maybeGrow = (snap: SourceSnapshot, now: number) =>
      Effect.gen(function*() {
        if (options.growingParts !== true || growing !== undefined || recordedEnd !== next || snap.size <= next || next < noGrowingBelow) return
        const rate = (snap.size - paceMark.size) / Math.max(1, now - paceMark.at)
        if (rate <= 0 || (next + chunk - snap.size) / rate > GROWING_FILL_MS) return
        // the reservation covers the whole chunk before any byte of it is stored; a refusal is left to the sealed part
        const reserved = yield* Effect.exit(retried(streams.reservePart(streamId, next + chunk)))
        if (Exit.isFailure(reserved)) {
          noGrowingBelow = next + 1
          return
        }
        growing = yield* startGrowingPart(streams, source, { streamId, partNumber: nextPart, offset: next, size: chunk, pollMs: GROWING_POLL_MS })
      })

    /** The parts in flight finish (and are recorded) before a failure is recorded. */
    const failWith = (reason: FailureReason, detail: string) =>
      Effect.andThen(Effect.andThen(abandonGrowing, Effect.ignore(pipeline.drain)), Effect.as(retried(streams.fail(streamId, reason, detail)), { status: "failed", reason, detail } satisfies IngestOutcome))

    const look = Effect.gen(function*() {
      const snap = yield* source.snapshot
      if (snap === undefined) return { problem: { reason: "source-vanished", detail: `${source.label} is gone (deleted or moved away)` } } as Look
      if (snap.size < next) {
        return { problem: { reason: "source-shrank", detail: `${source.label} shrank to ${snap.size} bytes, below the ${next} bytes already stored` } } as Look
      }
      return { snap } as Look
    })

    /** Seals bytes [next, next + length) as the next part: read, quota raised (in part order), then stored in the background. */
    const seal = (length: number, observed: number) =>
      pipeline.submit(Effect.gen(function*() {
        const part: PartBytes = { streamId, partNumber: nextPart, offset: next, bytes: yield* source.read(next, length), observedBytes: observed }
        yield* retried(streams.reservePart(streamId, part.offset + length))
        running?.update(part.bytes)
        next += length
        nextPart += 1
        tailSealed = length < chunk
        paceMark = { at: yield* Clock.currentTimeMillis, size: observed }
        return part
      }))

    const isQuotaExceeded = (e: unknown): e is { readonly _tag: "QuotaExceeded"; readonly message: string } =>
      typeof e === "object" && e !== null && "_tag" in e && e._tag === "QuotaExceeded"

    const run = Effect.gen(function*() {
      // Parts a crashed ingester uploaded but never recorded: adopted in order while the source still has their bytes
      // (S3's etag of a part is its MD5); from the first that differs on, parts are uploaded again under their numbers.
      for (const orphan of resumed.unrecorded) {
        if (orphan.partNumber !== nextPart || tailSealed || (orphan.size !== chunk && state.status !== "Ended")) break
        const bytes = yield* Effect.option(source.read(next, orphan.size))
        if (Option.isNone(bytes) || Hex.encode(md5(bytes.value)) !== unquote(orphan.etag)) break
        yield* retried(streams.adoptPart({ streamId, partNumber: orphan.partNumber, offset: next, bytes: bytes.value, observedBytes: next + orphan.size }, orphan.etag))
        running?.update(bytes.value)
        next += orphan.size
        recordedEnd = next
        nextPart += 1
        tailSealed = orphan.size < chunk
      }
      state = yield* streams.active(streamId)

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
        state = yield* streams.active(streamId)
        if (growing !== undefined && (yield* Deferred.isDone(growing.done))) yield* collectGrowing(growing)
        while (growing === undefined && state.status === "Live" && snap.size - next >= chunk) yield* seal(chunk, snap.size)
        if (state.status === "Live") yield* maybeGrow(snap, now)
        recordStreamLag(streamId, snap.size - recordedEnd)
        const idleFor = now - lastGrowth
        if (snap.ended || state.status === "Ended" || idleFor >= options.idleTimeoutMs) {
          if (state.status === "Live") yield* retried(streams.end(streamId, snap.ended ? "explicit" : "timeout"))
          yield* abandonGrowing
          // the tail: what the source holds now, in parts of at most a chunk, the last one smaller
          const final = yield* look
          if (final.problem !== undefined) return yield* failWith(final.problem.reason, final.problem.detail)
          while (final.snap.size > next && !tailSealed) yield* seal(Math.min(chunk, final.snap.size - next), final.snap.size)
          yield* pipeline.drain
          recordStreamLag(streamId, 0)
          const sealedSha256 = running === undefined ? undefined : Hex.encode(running.digest())
          const done = yield* retried(streams.finalize(streamId, source.read, source.rewritable, sealedSha256))
          return done.status === "Finalized"
            ? { status: "finalized", state: done } satisfies IngestOutcome
            : done.status === "Failed"
            ? { status: "failed", reason: done.reason, detail: done.detail } satisfies IngestOutcome
            : { status: "inactive", state: done } satisfies IngestOutcome
        }
        const wait = Math.max(5, Math.min(options.pollMs, options.idleTimeoutMs - idleFor))
        const woken = options.wake === undefined ? Effect.sleep(wait) : Effect.timeoutOption(Queue.take(options.wake), wait)
        // a part failing in the background stops the wait, and so does a growing part finishing
        const grown = growing === undefined ? Effect.never : Effect.ignore(Deferred.await(growing.done))
        yield* Effect.raceFirst(Effect.raceFirst(Effect.asVoid(woken), grown), pipeline.failure)
      }
    })
    // the chunk that would cross the quota was never stored; the parts in flight finish first (failWith)
    return yield* run.pipe(Effect.catchIf(isQuotaExceeded, (e) => failWith("quota-exceeded", e.message)))
  }).pipe(
    Effect.scoped,
    Effect.withSpan("IngestEngine.ingestStream", { attributes: { streamId } })
  )
