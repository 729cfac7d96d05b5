/** Events of the view aggregate. All at schema version 1. */
import { Schema } from "effect"
import { EntityId, EpochMillis } from "../shared/Primitives.ts"

export const ViewCounted = Schema.TaggedStruct("ViewCounted", {
  videoId: EntityId,
  viewerKey: EntityId,
  sessionId: EntityId,
  watchedSeconds: Schema.Finite,
  at: EpochMillis
})

export const ViewEvent = Schema.Union([ViewCounted])
export type ViewEvent = typeof ViewEvent.Type
