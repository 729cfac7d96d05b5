/** Every read model the application runs, in one list (the runner, the replay CLI and the benchmark take it from here). */
import { EngagementProjection } from "./EngagementProjection.ts"
import type { AnyProjection } from "./Projection.ts"
import { QuotasProjection } from "./QuotasProjection.ts"
import { RoomsProjection } from "./RoomsProjection.ts"
import { StorageProjection } from "./StorageProjection.ts"
import { StreamsProjection } from "./StreamsProjection.ts"
import { UploadsProjection } from "./UploadsProjection.ts"
import { VideosProjection } from "./VideosProjection.ts"

export { EngagementProjection, QuotasProjection, RoomsProjection, StorageProjection, StreamsProjection, UploadsProjection, VideosProjection }

export const allProjections: ReadonlyArray<AnyProjection> = [
  VideosProjection,
  UploadsProjection,
  QuotasProjection,
  RoomsProjection,
  StreamsProjection,
  EngagementProjection,
  StorageProjection
]

export const projectionNamed = (name: string): AnyProjection | undefined => allProjections.find((p) => p.name === name)

/** The projections fed by a stream category ("upload", "quota", "room", "stream", "view", …). */
export const projectionsOfCategory = (category: string): ReadonlyArray<AnyProjection> =>
  allProjections.filter((p) => p.streamPrefixes?.includes(`${category}-`))
