/**
 * What engagement needs to know of a catalog entry, read through ONE adapter over the videos read model's
 * document (the Video aggregate's visibility, publication, takedown and access epoch, folded in).
 */
import { Effect, Option } from "effect"
import type { ProjectionNotRunning } from "../../projections/ProjectionError.ts"
import type { ProjectionRunnerShape } from "../../projections/ProjectionRunner.ts"
import type { VideoDoc } from "../../projections/VideosProjection.ts"
import type { ReadStoreError } from "../readstore/ReadStoreError.ts"
import type { ReadStoreShape } from "../readstore/ReadStore.ts"
import type { VideoAccessFacts } from "./VideoAccess.ts"
import { videoAccessFacts } from "../../projections/VideoDocument.ts"

export interface VideoFacts extends VideoAccessFacts {
  /** Length in seconds, null while unknown (views then need the full 10 s). */
  readonly durationSeconds: number | null
  readonly createdAt: number
}

/** The adapter: a videos read-model document carries the access facts itself (VideoDocument.ts), plus what engagement reads. */
export const factsOfVideoDoc = (doc: VideoDoc): VideoFacts => ({
  ...videoAccessFacts(doc),
  durationSeconds: doc.durationSeconds,
  createdAt: doc.createdAt
})

/** The facts of one video from the served videos read model; none when there is no such entry. */
export const loadVideoFacts = (
  runner: ProjectionRunnerShape,
  store: ReadStoreShape,
  videoId: string
): Effect.Effect<VideoFacts | undefined, ReadStoreError | ProjectionNotRunning> =>
  Effect.gen(function*() {
    const slot = yield* runner.active("videos")
    const doc = yield* store.get(slot, "video", videoId)
    return Option.isNone(doc) ? undefined : factsOfVideoDoc(doc.value as VideoDoc)
  })
