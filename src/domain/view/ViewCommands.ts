/**
 * Commands of the view aggregate (`view-<videoId>.<viewerKey>`): one stream per (video, viewer), so
 * views of a popular video never meet in one stream; the per-video count is merged by the projection.
 */
import { Schema } from "effect"
import { EntityId, EpochMillis } from "../shared/Primitives.ts"

/** Watched this long, a view counts (PeerTube's rule)… */
export const VIEW_MIN_WATCH_SECONDS = 10
/** …or more than half of a video shorter than twice that. */
export const VIEW_SHORT_VIDEO_FRACTION = 0.5
/** The same viewer is not counted again for this long, ms. */
export const VIEW_RECOUNT_AFTER_MS = 3_600_000
/** Clock and rounding allowance between the player's watched seconds and the session's age. */
export const WATCH_CLOCK_SLACK_SECONDS = 2
/** Sessions remembered per viewer (a replayed report of one of them never counts again). */
export const VIEW_SESSIONS_REMEMBERED = 32

/**
 * Sent by the engagement service once the playback session's signature checked out: the session id and
 * its mint time come from the verified token, not from the client; `watchedSeconds` is the player's claim.
 */
export const CountView = Schema.TaggedStruct("CountView", {
  videoId: EntityId,
  viewerKey: EntityId,
  sessionId: EntityId,
  sessionIssuedAt: EpochMillis,
  watchedSeconds: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 86_400 })),
  /** From the catalog; null while unknown (the 10 s rule alone applies). */
  durationSeconds: Schema.NullOr(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)))
})

export const ViewCommand = Schema.Union([CountView])
export type ViewCommand = typeof ViewCommand.Type
