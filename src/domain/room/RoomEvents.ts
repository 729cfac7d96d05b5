/** Events of the room aggregate. All at schema version 1. */
import { Schema } from "effect"
import { EntityId, EpochMillis, NonNegativeInt, UserId } from "../shared/Primitives.ts"
import { PlaybackAction, RoomTitle } from "./RoomCommands.ts"

export const RoomOpened = Schema.TaggedStruct("RoomOpened", {
  roomId: EntityId,
  hostId: UserId,
  title: Schema.optional(RoomTitle),
  videoId: Schema.optional(EntityId),
  sponsored: Schema.Boolean,
  /** Most members at once, the host included; -1 = unlimited. */
  capacity: Schema.Int.check(Schema.isGreaterThanOrEqualTo(-1)),
  at: EpochMillis
})

export const MemberJoined = Schema.TaggedStruct("MemberJoined", { roomId: EntityId, userId: UserId, at: EpochMillis })

export const MemberLeft = Schema.TaggedStruct("MemberLeft", {
  roomId: EntityId,
  userId: UserId,
  reason: Schema.Literals(["left", "disconnected"]),
  at: EpochMillis
})

export const ChatPosted = Schema.TaggedStruct("ChatPosted", {
  roomId: EntityId,
  messageId: EntityId,
  userId: UserId,
  text: Schema.String.check(Schema.isBetweenLength(1, 4000)),
  at: EpochMillis
})

/**
 * `at` is when the server decided it; it takes effect at `effectiveAt` (absent: `at`), a little ahead so
 * every member applies it together. play and seek put the room in waiting (see PlaybackReady); a pause's
 * position is where the room's clock stands at `effectiveAt`.
 */
export const PlaybackChanged = Schema.TaggedStruct("PlaybackChanged", {
  roomId: EntityId,
  action: PlaybackAction,
  positionMs: NonNegativeInt,
  by: UserId,
  at: EpochMillis,
  effectiveAt: Schema.optional(EpochMillis)
})

/**
 * The wait after a play or seek is over (every connected member reported ready, or the timeout passed):
 * from `startsAt` the room plays (or stays paused) from `positionMs`. Readiness itself is never stored.
 */
export const PlaybackReady = Schema.TaggedStruct("PlaybackReady", {
  roomId: EntityId,
  positionMs: NonNegativeInt,
  playing: Schema.Boolean,
  startsAt: EpochMillis,
  reason: Schema.Literals(["ready", "timeout"]),
  at: EpochMillis
})

export const PlaybackControlChanged = Schema.TaggedStruct("PlaybackControlChanged", {
  roomId: EntityId,
  userId: UserId,
  allowed: Schema.Boolean,
  by: UserId,
  at: EpochMillis
})

export const HostHandedOver = Schema.TaggedStruct("HostHandedOver", {
  roomId: EntityId,
  from: UserId,
  to: UserId,
  at: EpochMillis
})

export const RoomClosed = Schema.TaggedStruct("RoomClosed", {
  roomId: EntityId,
  closedBy: UserId,
  reason: Schema.Literals(["host", "admin", "inactive"]),
  at: EpochMillis
})

export const RoomEvent = Schema.Union([
  RoomOpened,
  MemberJoined,
  MemberLeft,
  ChatPosted,
  PlaybackChanged,
  PlaybackReady,
  PlaybackControlChanged,
  HostHandedOver,
  RoomClosed
])
export type RoomEvent = typeof RoomEvent.Type
