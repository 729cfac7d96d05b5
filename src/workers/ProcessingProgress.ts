/**
 * Ephemeral processing progress (percentages while ffmpeg runs), for SSE and rooms: an in-process
 * PubSub. It is not stored; milestones that matter are events on the upload. A subscriber sees the
 * updates of the workers in its own process only (a separate `npm run worker` publishes to its own).
 */
import { Context, Effect, Layer, PubSub, type Scope, Stream } from "effect"
import type { ProcessingStep } from "../domain/upload/UploadCommands.ts"

export interface ProgressUpdate {
  readonly uploadId: string
  readonly step: ProcessingStep
  readonly attempt: number
  /** 0–100; undefined when the total is unknown. */
  readonly percent: number | undefined
  /** What the number counts: seconds of media encoded, or bytes sealed. */
  readonly done: number
  readonly at: number
}

export interface ProcessingProgressShape {
  publish(update: ProgressUpdate): Effect.Effect<void>
  /** The same, synchronously: for callbacks such as ffmpeg's progress lines. */
  publishUnsafe(update: ProgressUpdate): void
  /**
   * Subscribes now (nothing published after this returns is missed) and gives the updates as a stream,
   * until the scope closes. A slow subscriber loses the oldest: only the latest percentage matters.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<ProgressUpdate>, never, Scope.Scope>
  /** The same, subscribing when the stream starts. */
  readonly updates: Stream.Stream<ProgressUpdate>
}

export class ProcessingProgress extends Context.Service<ProcessingProgress, ProcessingProgressShape>()(
  "keyframe/ProcessingProgress"
) {
  static readonly layer: Layer.Layer<ProcessingProgress> = Layer.effect(
    ProcessingProgress,
    Effect.gen(function*() {
      const hub = yield* PubSub.sliding<ProgressUpdate>(256)
      yield* Effect.addFinalizer(() => PubSub.shutdown(hub))
      return ProcessingProgress.of({
        publish: (update) => Effect.asVoid(PubSub.publish(hub, update)),
        publishUnsafe: (update) => void PubSub.publishUnsafe(hub, update),
        subscribe: Effect.map(PubSub.subscribe(hub), Stream.fromSubscription),
        updates: Stream.fromPubSub(hub)
      })
    })
  )
}
