/** Events of the video aggregate. All at schema version 1. */
import { Schema } from "effect"
import { EntityId, EpochMillis, Reason, UserId } from "../shared/Primitives.ts"
import { CategorySlug, MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, Visibility } from "./VideoCommands.ts"
import { MAX_ALLOWED_ORIGINS, MAX_ORIGIN_LENGTH } from "./VideoOrigins.ts"

const Title = Schema.String.check(Schema.isBetweenLength(1, MAX_TITLE_LENGTH * 2))
const Description = Schema.String.check(Schema.isMaxLength(MAX_DESCRIPTION_LENGTH * 2))

/** `published` and `visibility` are the defaults in force then (published, DEFAULT_VISIBILITY). */
export const VideoCreated = Schema.TaggedStruct("VideoCreated", {
  videoId: EntityId,
  ownerId: UserId,
  title: Title,
  source: Schema.Literals(["upload", "stream"]),
  visibility: Visibility,
  published: Schema.Boolean,
  at: EpochMillis
})

/** Only the fields that changed are present: the history of edits is these events. */
export const VideoDetailsEdited = Schema.TaggedStruct("VideoDetailsEdited", {
  videoId: EntityId,
  title: Schema.optional(Title),
  description: Schema.optional(Description),
  by: UserId,
  at: EpochMillis
})

export const VideoCategorySet = Schema.TaggedStruct("VideoCategorySet", {
  videoId: EntityId,
  category: Schema.NullOr(CategorySlug),
  by: UserId,
  at: EpochMillis
})

export const VideoVisibilitySet = Schema.TaggedStruct("VideoVisibilitySet", {
  videoId: EntityId,
  visibility: Visibility,
  by: UserId,
  at: EpochMillis
})

export const VideoPublished = Schema.TaggedStruct("VideoPublished", { videoId: EntityId, by: UserId, at: EpochMillis })

export const VideoUnpublished = Schema.TaggedStruct("VideoUnpublished", { videoId: EntityId, by: UserId, at: EpochMillis })

export const VideoTakenDown = Schema.TaggedStruct("VideoTakenDown", { videoId: EntityId, reason: Reason, by: UserId, at: EpochMillis })

export const VideoRestored = Schema.TaggedStruct("VideoRestored", { videoId: EntityId, by: UserId, at: EpochMillis })

export const VideoDeleted = Schema.TaggedStruct("VideoDeleted", { videoId: EntityId, ownerId: UserId, by: UserId, at: EpochMillis })

/** The whole list, normalized (VideoOrigins.ts); empty = any origin. Playback checks it on every request, so no access epoch moves. */
export const VideoAllowedOriginsSet = Schema.TaggedStruct("VideoAllowedOriginsSet", {
  videoId: EntityId,
  origins: Schema.Array(Schema.String.check(Schema.isBetweenLength(1, MAX_ORIGIN_LENGTH))).check(Schema.isMaxLength(MAX_ALLOWED_ORIGINS)),
  by: UserId,
  at: EpochMillis
})

export const VideoEvent = Schema.Union([
  VideoCreated,
  VideoDetailsEdited,
  VideoCategorySet,
  VideoVisibilitySet,
  VideoPublished,
  VideoUnpublished,
  VideoTakenDown,
  VideoRestored,
  VideoDeleted,
  VideoAllowedOriginsSet
])
export type VideoEvent = typeof VideoEvent.Type

/** Events after which fewer people may watch: a playback token minted before one no longer plays (accessEpoch). */
export const narrowsAccess = (event: VideoEvent): boolean =>
  event._tag === "VideoUnpublished" || event._tag === "VideoTakenDown" || event._tag === "VideoDeleted" ||
  (event._tag === "VideoVisibilitySet" && event.visibility === "private")
