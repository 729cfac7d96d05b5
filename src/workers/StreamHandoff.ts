/**
 * The hand-off from live streams to the media pipeline: follows the `stream-` events and, for each
 * `StreamFinalized`, adopts the stream's sealed original as the upload of the same id
 * (Uploads.adoptStreamOriginal), which the media workers then take from the transcode step to a published
 * video (and the catalog worker to a Video). Owner, title and source come from the stream's StreamStarted;
 * the SHA-256 from StreamFinalized. The durable
 * checkpoint sits just before the oldest finalization not yet handed off, so a crash repeats an adoption
 * (applied once: its command id is the stream's), never skips one.
 */
import { Clock, Context, Effect, Layer, Queue, Result } from "effect"
import { isDomainError } from "../domain/shared/DomainError.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import { Uploads } from "../uploads/Uploads.ts"
import { type FollowedTracker, followWithCheckpoint } from "./CheckpointedFollow.ts"
import { finalizationCodec, type HandoffStreamFinalized, streamStartedOf } from "./StreamHandoffEvents.ts"

export interface StreamHandoffOptions {
  /** Durable checkpoint name shared by every node; default "stream-handoff". */
  readonly checkpointName?: string | undefined
  /** First back-off after a failed hand-off (doubled per failure, at most a minute); default 2 s. */
  readonly retryMs?: number | undefined
}

export interface StreamHandoffStatus {
  /** Finalized streams not handed off yet. */
  readonly pending: number
  /** Streams this process adopted as uploads. */
  readonly adopted: number
  readonly checkpoint: number
  readonly caughtUp: boolean
}

interface PendingHandoff {
  readonly finalized: HandoffStreamFinalized
  readonly position: number
  readonly failures: number
  readonly notBefore: number
}

/** Finalized streams still to hand off, by stream id; the checkpoint sits before the oldest. */
class HandoffTracker implements FollowedTracker<HandoffStreamFinalized | undefined> {
  lastPosition = 0
  readonly pending = new Map<string, PendingHandoff>()
  apply(position: number, finalized: HandoffStreamFinalized | undefined) {
    this.lastPosition = Math.max(this.lastPosition, position)
    if (finalized !== undefined && !this.pending.has(finalized.streamId)) {
      this.pending.set(finalized.streamId, { finalized, position, failures: 0, notBefore: 0 })
    }
  }
  checkpoint(): number {
    let oldest = Number.POSITIVE_INFINITY
    for (const p of this.pending.values()) oldest = Math.min(oldest, p.position)
    return oldest === Number.POSITIVE_INFINITY ? this.lastPosition : Math.max(0, oldest - 1)
  }
}

const MAX_BACKOFF_MS = 60_000

export class StreamHandoff extends Context.Service<StreamHandoff, { readonly status: Effect.Effect<StreamHandoffStatus> }>()(
  "keyframe/StreamHandoff"
) {
  /** Runs in the layer's scope. */
  static layer(options: StreamHandoffOptions = {}): Layer.Layer<StreamHandoff, never, EventStore | Uploads> {
    return Layer.effect(StreamHandoff, make(options))
  }
}

const make = (options: StreamHandoffOptions) =>
  Effect.gen(function*() {
    const events = yield* EventStore
    const uploads = yield* Uploads
    const scope = yield* Effect.scope
    const retryMs = options.retryMs ?? 2000
    const tracker = new HandoffTracker()
    const wakeUp = yield* Queue.dropping<void>(1)
    let adopted = 0

    const { caughtUp } = yield* followWithCheckpoint({
      label: "stream hand-off",
      checkpointName: options.checkpointName ?? "stream-handoff",
      streamPrefixes: ["stream-"],
      codec: finalizationCodec,
      tracker,
      onEvent: () => void Queue.offerUnsafe(wakeUp, undefined)
    })

    const handOff = (finalized: HandoffStreamFinalized) =>
      Effect.gen(function*() {
        const { streamId } = finalized
        const first = yield* events.readStream(`stream-${streamId}`, { maxCount: 1 })
        const started = first[0] === undefined
          ? undefined
          : streamStartedOf({ type: first[0].type, data: first[0].data, schemaVersion: first[0].metadata.schemaVersion })
        if (started === undefined || Result.isFailure(started)) {
          return yield* Effect.fail(new Error(`stream ${streamId} has no readable StreamStarted`))
        }
        const result = yield* uploads.adoptStreamOriginal({
          streamId,
          ownerId: started.success.ownerId,
          title: started.success.title,
          sourceRef: started.success.sourceRef,
          size: finalized.totalSize,
          sha256: finalized.sha256
        })
        if (result.events.length > 0 && !result.deduplicated) {
          adopted++
          yield* Effect.logInfo(`stream hand-off: stream ${streamId} (${finalized.totalSize} bytes) is an upload now, on to transcoding`)
        }
      })

    const attempt = (pending: PendingHandoff, now: number) =>
      handOff(pending.finalized).pipe(
        Effect.andThen(Effect.sync(() => tracker.pending.delete(pending.finalized.streamId))),
        // a refusal will not change on a retry (an id taken by another upload, a size over the limit)
        Effect.catchIf(isDomainError, (e) =>
          Effect.andThen(
            Effect.sync(() => tracker.pending.delete(pending.finalized.streamId)),
            Effect.logError(`stream hand-off: stream ${pending.finalized.streamId} cannot become an upload: ${e.message}`)
          )),
        Effect.catchCause((cause) => {
          const failures = pending.failures + 1
          const delay = Math.min(MAX_BACKOFF_MS, retryMs * 2 ** (failures - 1))
          return Effect.andThen(
            Effect.sync(() => tracker.pending.set(pending.finalized.streamId, { ...pending, failures, notBefore: now + delay })),
            Effect.logWarning(`stream hand-off: stream ${pending.finalized.streamId} not handed off (try ${failures}); again in ${delay} ms`, cause)
          )
        })
      )

    const schedule = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        let next = now + 1000
        if (caughtUp()) {
          for (const pending of [...tracker.pending.values()]) {
            if (pending.notBefore > now) next = Math.min(next, pending.notBefore)
            else yield* attempt(pending, now)
          }
        }
        yield* Effect.timeoutOption(Queue.take(wakeUp), Math.max(5, next - now))
      }
    })
    yield* Effect.forkIn(schedule, scope)
    yield* Effect.logInfo("stream hand-off started")

    return StreamHandoff.of({
      status: Effect.sync(() => ({ pending: tracker.pending.size, adopted, checkpoint: tracker.checkpoint(), caughtUp: caughtUp() }))
    })
  })
