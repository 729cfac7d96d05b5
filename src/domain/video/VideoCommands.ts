/** Commands of the video aggregate (`video-<id>`, the id of the upload or stream it came from). */
import { Schema } from "effect"
import { EntityId, Reason, UserId } from "../shared/Primitives.ts"

/** Longest title and description, in characters (code points), after trimming; checked by the decider (VIDEO_TITLE_INVALID …). */
export const MAX_TITLE_LENGTH = 200
export const MAX_DESCRIPTION_LENGTH = 5000

export const Visibility = Schema.Literals(["public", "unlisted", "private"])
export type Visibility = typeof Visibility.Type

/** A category's slug: lower-case words joined by dashes. */
export const CategorySlug = Schema.String.check(Schema.isPattern(/^[a-z0-9]+(-[a-z0-9]+)*$/), Schema.isMaxLength(50))

/** Loose bounds only, so an over-long text reaches the decider and gets its own code. */
const Text = Schema.String.check(Schema.isMaxLength(100_000))

/** As the system, when the source became ready; a second one changes nothing (also after a delete). */
export const CreateVideo = Schema.TaggedStruct("CreateVideo", {
  videoId: EntityId,
  ownerId: UserId,
  title: Text,
  source: Schema.Literals(["upload", "stream"])
})

/** Owner or admin: a new title and/or description (absent = unchanged). */
export const EditVideo = Schema.TaggedStruct("EditVideo", {
  videoId: EntityId,
  title: Schema.optional(Text),
  description: Schema.optional(Text)
})

/** Owner or admin; the caller checks the category exists (the catalog is another aggregate). null = none. */
export const SetVideoCategory = Schema.TaggedStruct("SetVideoCategory", { videoId: EntityId, category: Schema.NullOr(CategorySlug) })

export const SetVideoVisibility = Schema.TaggedStruct("SetVideoVisibility", { videoId: EntityId, visibility: Visibility })

export const PublishVideo = Schema.TaggedStruct("PublishVideo", { videoId: EntityId })

export const UnpublishVideo = Schema.TaggedStruct("UnpublishVideo", { videoId: EntityId })

/** Owner or admin: the catalog entry goes; the events stay (the media objects are removed by the service). */
export const DeleteVideo = Schema.TaggedStruct("DeleteVideo", { videoId: EntityId })

/** Admin: hidden from everyone but its owner and admins until restored; the reason is shown to the owner. */
export const TakeDownVideo = Schema.TaggedStruct("TakeDownVideo", { videoId: EntityId, reason: Reason.check(Schema.isMinLength(1)) })

export const RestoreVideo = Schema.TaggedStruct("RestoreVideo", { videoId: EntityId })

/**
 * Owner or admin: the web origins whose pages may play it (VideoOrigins.ts); empty = any. Loose bounds only,
 * so a bad or over-long list reaches the decider and gets its own code (VIDEO_ORIGINS_INVALID).
 */
export const SetVideoAllowedOrigins = Schema.TaggedStruct("SetVideoAllowedOrigins", {
  videoId: EntityId,
  origins: Schema.Array(Schema.String.check(Schema.isMaxLength(2000))).check(Schema.isMaxLength(1000))
})

export const VideoCommand = Schema.Union([
  CreateVideo,
  EditVideo,
  SetVideoCategory,
  SetVideoVisibility,
  PublishVideo,
  UnpublishVideo,
  DeleteVideo,
  TakeDownVideo,
  RestoreVideo,
  SetVideoAllowedOrigins
])
export type VideoCommand = typeof VideoCommand.Type
