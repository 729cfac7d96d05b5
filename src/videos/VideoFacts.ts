/**
 * What engagement needs to know of a catalog entry, read through ONE adapter over the videos read model's
 * document. Today's document has no visibility, publication or takedown yet: the defaults (public,
 * published, not taken down) apply until the Video aggregate's fields arrive; then only `factsOfVideoDoc`
 * changes.
 */
import { Effect, Option } from "effect"
import type { ProjectionNotRunning } from "../../projections/ProjectionError.ts"
import type { ProjectionRunnerShape } from "../../projections/ProjectionRunner.ts"
import type { VideoDoc } from "../../projections/VideosProjection.ts"
import type { ReadStoreError } from "../readstore/ReadStoreError.ts"
import type { ReadStoreShape } from "../readstore/ReadStore.ts"
import type { VideoAccessFacts } from "./VideoAccess.ts"

export interface VideoFacts extends VideoAccessFacts {
  /** Length in seconds, null while unknown (views then need the full 10 s). */
  readonly durationSeconds: number | null
  readonly createdAt: number
}

/** The adapter: a videos read-model document as the facts the access rule and engagement read. */
export const factsOfVideoDoc = (doc: VideoDoc): VideoFacts => {
  const d = doc as VideoDoc & Partial<Pick<VideoAccessFacts, "visibility" | "published" | "takenDown" | "accessEpoch">>
  return {
    id: d.id,
    ownerId: d.ownerId,
    status: d.status,
    visibility: d.visibility ?? "public",
    published: d.published ?? true,
    takenDown: d.takenDown ?? false,
    accessEpoch: d.accessEpoch ?? 0,
    durationSeconds: d.durationSeconds,
    createdAt: d.createdAt
  }
}

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
