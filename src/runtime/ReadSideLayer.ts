/** The read side from the config: every projection run by the ProjectionRunner into the read store (memory, or Redis when REDIS_URL). */
import { Layer } from "effect"
import { allProjections } from "../../projections/index.ts"
import { ProjectionRunner } from "../../projections/ProjectionRunner.ts"
import type { KeyframeSettings } from "../config.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import type { ReadSideSettings } from "../http/queries/ReadModel.ts"
import { ReadSide } from "../http/queries/ReadSide.ts"
import type { ReadStore } from "../readstore/ReadStore.ts"

/**
 * Needs the process's EventStore and ReadStore. With the memory store the read models start
 * empty and are rebuilt from the history at start; with Redis they resume from their checkpoints.
 */
export const projectionsLayer: Layer.Layer<ProjectionRunner, never, EventStore | ReadStore> = ProjectionRunner.layer(allProjections)

/** What the queries read: the projections above, with the stream positions the tracking event store keeps (Main.ts). */
export const readSideLayer = ReadSide.layer

export const readSideSettings = (config: KeyframeSettings): ReadSideSettings => ({
  waitMillis: config.readStore.waitMillis,
  quota: {
    weeklyUploadLimitBytes: config.quota.weeklyUploadLimitBytes,
    quotaResetDay: config.quota.resetDay,
    quotaResetHour: config.quota.resetHour
  },
  uploadExpiryHours: config.upload.expiryHours
})
