/** Commands of the room aggregate (`room-<id>`). */
import { Schema } from "effect"
import { EntityId, EpochMillis, NonNegativeInt, UserId } from "../shared/Primitives.ts"

/** Longest chat message, in characters (code points), after trimming. */
export const MAX_CHAT_LENGTH = 2000

export const RoomTitle = Schema.String.check(Schema.isMaxLength(200))

/** The acting user becomes the host. A sponsored room needs the sponsor (or admin) role. */
export const OpenRoom = Schema.TaggedStruct("OpenRoom", {
  roomId: EntityId,
  title: Schema.optional(RoomTitle),
  videoId: Schema.optional(EntityId),
  sponsored: Schema.Boolean
})

export const JoinRoom = Schema.TaggedStruct("JoinRoom", { roomId: EntityId })

export const LeaveRoom = Schema.TaggedStruct("LeaveRoom", { roomId: EntityId })

/** `text` is checked by the decider (trimmed, 1–2,000 characters) so a client gets CHAT_TEXT_INVALID. */
export const PostChat = Schema.TaggedStruct("PostChat", {
  roomId: EntityId,
  messageId: EntityId,
  text: Schema.String.check(Schema.isMaxLength(100_000))
})

export const PlaybackAction = Schema.Literals(["play", "pause", "seek"])

/** Longest lead a playback command may be scheduled ahead by, ms. */
export const MAX_PLAYBACK_LEAD_MS = 10_000

const LeadMs = NonNegativeInt.check(Schema.isLessThanOrEqualTo(MAX_PLAYBACK_LEAD_MS))

/** `leadMs`: how far ahead of now it takes effect (the realtime layer's max(2 × p95 RTT, 300 ms)); absent = now. */
export const ControlPlayback = Schema.TaggedStruct("ControlPlayback", {
  roomId: EntityId,
  action: PlaybackAction,
  positionMs: NonNegativeInt,
  leadMs: Schema.optional(LeadMs)
})

/** Sent by the realtime layer when the wait started at `waitingSince` is over; a stale one changes nothing. */
export const EndPlaybackWait = Schema.TaggedStruct("EndPlaybackWait", {
  roomId: EntityId,
  waitingSince: EpochMillis,
  reason: Schema.Literals(["ready", "timeout"]),
  leadMs: Schema.optional(LeadMs)
})

/** The host lets a member drive playback (or takes it back). */
export const AllowPlaybackControl = Schema.TaggedStruct("AllowPlaybackControl", {
  roomId: EntityId,
  userId: UserId,
  allowed: Schema.Boolean
})

/** The host hands the room to another present member (the old host stays a member). */
export const HandOverHost = Schema.TaggedStruct("HandOverHost", { roomId: EntityId, userId: UserId })

export const CloseRoom = Schema.TaggedStruct("CloseRoom", { roomId: EntityId })

/** The janitor's command for a room idle for `inactiveRoomRetentionHours`. */
export const CloseInactiveRoom = Schema.TaggedStruct("CloseInactiveRoom", { roomId: EntityId })

/** Sent by the realtime layer once a member's last connection has been gone for the grace period. */
export const MarkMemberLeft = Schema.TaggedStruct("MarkMemberLeft", {
  roomId: EntityId,
  userId: UserId,
  disconnectedAt: EpochMillis
})

export const RoomCommand = Schema.Union([
  OpenRoom,
  JoinRoom,
  LeaveRoom,
  PostChat,
  ControlPlayback,
  EndPlaybackWait,
  AllowPlaybackControl,
  HandOverHost,
  CloseRoom,
  CloseInactiveRoom,
  MarkMemberLeft
])
export type RoomCommand = typeof RoomCommand.Type
