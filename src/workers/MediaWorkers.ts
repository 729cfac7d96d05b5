/**
 * The media workers of one process (DESIGN.md §1 "Reactions"): a catch-up subscription to the upload
 * events folds them into an UploadTracker; a scheduler starts what is due (claim a step, give up on a dead
 * one, expire an idle upload, settle an ended one) within WORKER_CONCURRENCY; a durable checkpoint sits
 * just before the oldest upload still tracked, so a restarted process replays exactly what may need it.
 * Several processes may run side by side: the Upload aggregate's leases decide who does a step.
 */
import { Clock, Context, Effect, Layer, Option, Queue } from "effect"
import { UploadEventCodec } from "../domain/upload/UploadAggregate.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import type { Media } from "../media/Media.ts"
import type { ObjectStore } from "../objectstore/ObjectStore.ts"
import { Uploads } from "../uploads/Uploads.ts"
import type { ProcessingProgress } from "../uploads/ProcessingProgress.ts"
import { followWithCheckpoint } from "./CheckpointedFollow.ts"
import { runStep, type StepServices } from "./StepRunner.ts"
import { type DueWork, expiryMs, type TrackerRules, UploadTracker } from "./UploadTracker.ts"
import type { WorkerOptions } from "./WorkerOptions.ts"

export interface WorkerStatus {
  readonly workerId: string
  /** Uploads that may still need something. */
  readonly tracked: number
  /** Steps running in this process now. */
  readonly runningSteps: number
  readonly lastPosition: number
  readonly checkpoint: number
  /** The subscription has read everything that existed when the workers started. */
  readonly caughtUp: boolean
}

export interface MediaWorkersShape {
  readonly status: Effect.Effect<WorkerStatus>
}

type Services = EventStore | Uploads | ObjectStore | Media | StepServices | ProcessingProgress

const UPLOAD_EVENTS = { streamPrefixes: ["upload-"] }

export class MediaWorkers extends Context.Service<MediaWorkers, MediaWorkersShape>()("keyframe/MediaWorkers") {
  /** Starts the workers in the layer's scope; they stop (interrupting running steps, so killing ffmpeg) when it closes. */
  static layer(options: WorkerOptions): Layer.Layer<MediaWorkers, never, Services> {
    return Layer.effect(MediaWorkers, makeWorkers(options))
  }
}

const makeWorkers = (options: WorkerOptions) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const uploads = yield* Uploads
    const context = yield* Effect.context<Services>()
    const scope = yield* Effect.scope
    const checkpointName = options.checkpointName ?? "media-workers"
    const pollMs = options.pollMs ?? 1000
    const retryMs = options.retryMs ?? 5000
    const rules: TrackerRules = {
      jobMaxAttempts: options.jobMaxAttempts,
      uploadExpiryMs: expiryMs(options.uploadExpiryHours),
      leaseGraceMs: options.leaseGraceMs ?? 2000
    }
    const tracker = new UploadTracker()
    const inFlight = new Set<string>()
    let runningSteps = 0
    const wakeUp = yield* Queue.dropping<void>(1)
    const wake = () => void Queue.offerUnsafe(wakeUp, undefined)

    const { caughtUp, stored } = yield* followWithCheckpoint({
      label: "media workers",
      checkpointName,
      streamPrefixes: UPLOAD_EVENTS.streamPrefixes,
      codec: UploadEventCodec,
      tracker,
      onEvent: wake
    })

    // ---- the scheduler ----
    const perform = (work: DueWork): Effect.Effect<void, unknown, Services> => {
      switch (work.kind) {
        case "claim":
          return runStep(work.uploadId, work.step, work.attempt, options)
        case "giveUp":
          return uploads.giveUp(work.uploadId, work.step, work.attempts, options.processingTimeoutSeconds)
        case "expire":
          return uploads.expireIdle(work.uploadId).pipe(
            Effect.catchTag("UploadNotExpired", (e) => Effect.sync(() => tracker.postpone(work.uploadId, e.expiresAt)))
          )
        case "settle": {
          const tracked = tracker.get(work.uploadId)
          if (tracked === undefined) return Effect.void
          return uploads.settle(tracked.state, tracked.multipartUploadId).pipe(
            Effect.andThen(Effect.sync(() => tracker.forget(work.uploadId)))
          )
        }
      }
    }

    const start = (work: DueWork, now: number) => {
      const isStep = work.kind === "claim"
      inFlight.add(work.uploadId)
      if (isStep) runningSteps++
      return perform(work).pipe(
        Effect.catchCause((cause) =>
          Effect.andThen(
            Effect.sync(() => tracker.postpone(work.uploadId, now + retryMs)),
            Effect.logWarning(`media workers: ${work.kind} of upload ${work.uploadId} failed; again in ${retryMs} ms`, cause)
          )
        ),
        Effect.ensuring(Effect.sync(() => {
          inFlight.delete(work.uploadId)
          if (isStep) runningSteps--
          wake()
        })),
        Effect.provideContext(context),
        Effect.forkIn(scope),
        Effect.asVoid
      )
    }

    const schedule = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        let next = now + pollMs
        if (caughtUp()) {
          for (const work of tracker.due(rules)) {
            if (work.at > now) {
              next = Math.min(next, work.at)
              break
            }
            if (inFlight.has(work.uploadId)) continue
            if (work.kind === "claim" && runningSteps >= options.concurrency) continue
            yield* start(work, now)
          }
        }
        yield* Effect.timeoutOption(Queue.take(wakeUp), Math.max(5, next - now))
      }
    })

    yield* Effect.forkIn(schedule, scope)
    yield* Effect.logInfo(
      `media workers ${options.workerId} started (concurrency ${options.concurrency}, timeout ${options.processingTimeoutSeconds} s, ` +
        `checkpoint ${Option.getOrElse(Option.map(stored, String), () => "none")})`
    )

    return MediaWorkers.of({
      status: Effect.sync(() => ({
        workerId: options.workerId,
        tracked: tracker.size,
        runningSteps,
        lastPosition: tracker.lastPosition,
        checkpoint: tracker.checkpoint(),
        caughtUp: caughtUp()
      }))
    })
  })
