/**
 * Ephemeral processing progress (percentages while ffmpeg runs), for SSE and rooms. It is not stored;
 * milestones that matter are events on the upload. `ProcessingProgress.layer` is an in-process PubSub:
 * a subscriber sees the workers of its own process. With Redis (REDIS_URL), the layer of
 * redis/RedisProcessingProgress.ts also carries updates between processes (`npm run worker` elsewhere).
 */
import { Context, Effect, Layer, PubSub, Schema, type Scope, Stream } from "effect"
import { ProcessingStep } from "../domain/upload/UploadCommands.ts"

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

/** An update as it travels between processes: checked on arrival, since anything may be published on a channel. */
export const ProgressUpdateSchema = Schema.Struct({
  uploadId: Schema.String,
  step: ProcessingStep,
  attempt: Schema.Int,
  percent: Schema.optional(Schema.Number),
  done: Schema.Number,
  at: Schema.Number
})

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

/** The process's hub: a sliding PubSub (a slow subscriber loses the oldest updates), shut down with the scope. */
export const makeProgressHub: Effect.Effect<ProcessingProgressShape, never, Scope.Scope> = Effect.gen(function*() {
  const hub = yield* PubSub.sliding<ProgressUpdate>(256)
  yield* Effect.addFinalizer(() => PubSub.shutdown(hub))
  return {
    publish: (update) => Effect.asVoid(PubSub.publish(hub, update)),
    publishUnsafe: (update) => void PubSub.publishUnsafe(hub, update),
    subscribe: Effect.map(PubSub.subscribe(hub), Stream.fromSubscription),
    updates: Stream.fromPubSub(hub)
  }
})

export class ProcessingProgress extends Context.Service<ProcessingProgress, ProcessingProgressShape>()(
  "keyframe/ProcessingProgress"
) {
  /** In process only. */
  static readonly layer: Layer.Layer<ProcessingProgress> = Layer.effect(ProcessingProgress, Effect.map(makeProgressHub, ProcessingProgress.of))
}
