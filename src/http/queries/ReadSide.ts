/**
 * What a process serves queries from, declared rather than discovered: the projections (runner,
 * read store, the stream positions this process knows), or, for a process composed without read
 * models (a tus-only test app), nothing but the aggregates' own streams. A process that names
 * neither does not compile: the query routes require this service.
 */
import { Context, Effect, Layer } from "effect"
import { ProjectionNotRunning } from "../../../projections/ProjectionError.ts"
import { ProjectionRunner, type ProjectionRunnerShape } from "../../../projections/ProjectionRunner.ts"
import { StreamPositions, type StreamPositionsShape } from "../../../projections/StreamPositions.ts"
import { ReadStore, type ReadStoreShape } from "../../readstore/ReadStore.ts"

export type ReadSideShape =
  | {
    readonly _tag: "Projections"
    readonly runner: ProjectionRunnerShape
    readonly store: ReadStoreShape
    readonly positions: StreamPositionsShape
  }
  /** No read models: a document route with a stream fold answers from it, the rest 503 READ_MODEL_UNAVAILABLE. */
  | { readonly _tag: "StreamsOnly" }

export class ReadSide extends Context.Service<ReadSide, ReadSideShape>()("keyframe/ReadSide") {
  static readonly layer: Layer.Layer<ReadSide, never, ProjectionRunner | ReadStore | StreamPositions> = Layer.effect(
    ReadSide,
    Effect.gen(function*() {
      return ReadSide.of({ _tag: "Projections", runner: yield* ProjectionRunner, store: yield* ReadStore, positions: yield* StreamPositions })
    })
  )
  static readonly streamsOnly: Layer.Layer<ReadSide> = Layer.succeed(ReadSide, ReadSide.of({ _tag: "StreamsOnly" }))
}

/** The projection runner, or 503 READ_MODEL_UNAVAILABLE (ProjectionNotRunning) in a process without read models. */
export const projectionRunner = (projection: string) =>
  Effect.flatMap(ReadSide, (side) =>
    side._tag === "Projections"
      ? Effect.succeed(side.runner)
      : Effect.fail(new ProjectionNotRunning({ projection, reason: "this process runs no read models" })))
