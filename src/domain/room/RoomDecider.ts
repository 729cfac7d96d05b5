/** The room decider: membership within capacity, chat, host-driven playback, closing. */
import { hasRole, isSystem } from "../shared/ActorRoles.ts"
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { AlreadyExists, Forbidden, NotFound, tagOf, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { positionAt } from "./PlaybackTimeline.ts"
import { MAX_CHAT_LENGTH, type RoomCommand } from "./RoomCommands.ts"
import { ChatTextInvalid, ClosedRoom, GraceNotElapsed, NotAMember, NotHost, RoomActive, type RoomError, RoomFull } from "./RoomErrors.ts"
import type { RoomEvent } from "./RoomEvents.ts"
import { evolveRoom, initialRoomState, isMember, mayControlPlayback, type OpenRoomState, type RoomState } from "./RoomState.ts"

type Context = DecideContext<DomainSettings>
type RoomDecision = Decision<RoomEvent, RoomError>
type Command<Tag extends RoomCommand["_tag"]> = Extract<RoomCommand, { _tag: Tag }>

const HOUR = 3_600_000

const open = (command: Command<"OpenRoom">, context: Context): RoomDecision => {
  if (command.sponsored && !hasRole(context.actor, "sponsor", "admin")) {
    return reject(new Forbidden({ action: "open a sponsored room", allowed: "sponsors and admins" }))
  }
  const { sponsorMaxParticipants, defaultMaxParticipants } = context.settings
  return accept({
    _tag: "RoomOpened",
    roomId: command.roomId,
    hostId: context.actor.userId,
    ...(command.title === undefined ? {} : { title: command.title }),
    ...(command.videoId === undefined ? {} : { videoId: command.videoId }),
    sponsored: command.sponsored,
    capacity: command.sponsored ? sponsorMaxParticipants : defaultMaxParticipants,
    at: context.now
  })
}

const join = (state: OpenRoomState, context: Context): RoomDecision => {
  const userId = context.actor.userId
  if (isMember(state, userId)) return unchanged
  if (state.capacity >= 0 && state.members.length >= state.capacity) return reject(new RoomFull({ capacity: state.capacity }))
  return accept({ _tag: "MemberJoined", roomId: state.roomId, userId, at: context.now })
}

const leave = (state: OpenRoomState, userId: string, reason: "left" | "disconnected", context: Context): RoomDecision =>
  isMember(state, userId) ? accept({ _tag: "MemberLeft", roomId: state.roomId, userId, reason, at: context.now }) : unchanged

const markLeft = (state: OpenRoomState, command: Command<"MarkMemberLeft">, context: Context): RoomDecision => {
  if (!isSystem(context.actor)) return reject(new Forbidden({ action: "mark a member as left", allowed: "the system" }))
  const member = state.members.find((m) => m.userId === command.userId)
  // Joined again after that disconnect: the notice is stale.
  if (member === undefined || member.joinedAt > command.disconnectedAt) return unchanged
  const leavesAt = command.disconnectedAt + context.settings.memberGraceSeconds * 1000
  if (context.now < leavesAt) return reject(new GraceNotElapsed({ userId: command.userId, leavesAt }))
  return leave(state, command.userId, "disconnected", context)
}

/** Trimmed text of 1 to MAX_CHAT_LENGTH characters, or why not. */
export const chatText = (raw: string): { readonly text: string } | { readonly problem: string } => {
  const text = raw.trim()
  if (text === "") return { problem: "the text is empty" }
  const length = Array.from(text).length
  if (length > MAX_CHAT_LENGTH) return { problem: `the text has ${length} characters, more than ${MAX_CHAT_LENGTH}` }
  return { text }
}

const chat = (state: OpenRoomState, command: Command<"PostChat">, context: Context): RoomDecision => {
  const userId = context.actor.userId
  if (!isMember(state, userId)) return reject(new NotAMember({ userId }))
  const checked = chatText(command.text)
  if ("problem" in checked) return reject(new ChatTextInvalid({ reason: checked.problem }))
  return accept({ _tag: "ChatPosted", roomId: state.roomId, messageId: command.messageId, userId, text: checked.text, at: context.now })
}

/** Effective times never go back along the stream, so the timeline (PlaybackTimeline.ts) folds in order. */
const effectiveFrom = (state: OpenRoomState, context: Context, leadMs: number | undefined) =>
  Math.max(context.now + (leadMs ?? 0), state.playback.updatedAt)

const playback = (state: OpenRoomState, command: Command<"ControlPlayback">, context: Context): RoomDecision => {
  const userId = context.actor.userId
  if (!isMember(state, userId)) return reject(new NotAMember({ userId }))
  if (!mayControlPlayback(state, userId)) {
    return reject(new NotHost({ action: "control playback", allowed: "the host and members the host allowed" }))
  }
  const effectiveAt = effectiveFrom(state, context, command.leadMs)
  // a pause freezes where the room's clock is then, so nobody jumps; play and seek go where they say
  const positionMs = command.action === "pause" ? Math.round(positionAt(state.playback, effectiveAt)) : command.positionMs
  return accept({
    _tag: "PlaybackChanged",
    roomId: state.roomId,
    action: command.action,
    positionMs,
    by: userId,
    at: context.now,
    ...(effectiveAt === context.now ? {} : { effectiveAt })
  })
}

const endWait = (state: OpenRoomState, command: Command<"EndPlaybackWait">, context: Context): RoomDecision => {
  if (!isSystem(context.actor)) return reject(new Forbidden({ action: "end a playback wait", allowed: "the system" }))
  // another node (or the timeout) ended this wait already, or a newer play/seek started another
  if (state.playback.status !== "waiting" || state.playback.waitingSince !== command.waitingSince) return unchanged
  return accept({
    _tag: "PlaybackReady",
    roomId: state.roomId,
    positionMs: state.playback.positionMs,
    playing: state.playback.playing,
    startsAt: effectiveFrom(state, context, command.leadMs),
    reason: command.reason,
    at: context.now
  })
}

const allow = (state: OpenRoomState, command: Command<"AllowPlaybackControl">, context: Context): RoomDecision => {
  if (context.actor.userId !== state.hostId) return reject(new NotHost({ action: "hand out playback control", allowed: "the host" }))
  if (!isMember(state, command.userId)) return reject(new NotAMember({ userId: command.userId }))
  if (command.userId === state.hostId || state.controllers.includes(command.userId) === command.allowed) return unchanged
  return accept({
    _tag: "PlaybackControlChanged",
    roomId: state.roomId,
    userId: command.userId,
    allowed: command.allowed,
    by: context.actor.userId,
    at: context.now
  })
}

const handOver = (state: OpenRoomState, command: Command<"HandOverHost">, context: Context): RoomDecision => {
  if (context.actor.userId !== state.hostId && !hasRole(context.actor, "admin")) {
    return reject(new NotHost({ action: "hand over the room", allowed: "the host and admins" }))
  }
  if (!isMember(state, command.userId)) return reject(new NotAMember({ userId: command.userId }))
  if (command.userId === state.hostId) return unchanged
  return accept({ _tag: "HostHandedOver", roomId: state.roomId, from: state.hostId, to: command.userId, at: context.now })
}

const close = (state: OpenRoomState, context: Context): RoomDecision => {
  const asHost = context.actor.userId === state.hostId
  if (!asHost && !hasRole(context.actor, "admin")) return reject(new NotHost({ action: "close the room", allowed: "the host and admins" }))
  return accept({ _tag: "RoomClosed", roomId: state.roomId, closedBy: context.actor.userId, reason: asHost ? "host" : "admin", at: context.now })
}

const closeInactive = (state: OpenRoomState, context: Context): RoomDecision => {
  if (!isSystem(context.actor)) return reject(new Forbidden({ action: "close an idle room", allowed: "the system" }))
  const closesAt = state.lastActivityAt + context.settings.inactiveRoomRetentionHours * HOUR
  if (context.now < closesAt) return reject(new RoomActive({ closesAt }))
  return accept({ _tag: "RoomClosed", roomId: state.roomId, closedBy: context.actor.userId, reason: "inactive", at: context.now })
}

export const decideRoom = (command: RoomCommand, state: RoomState, context: Context): RoomDecision => {
  if (state.status === "Unopened") {
    return command._tag === "OpenRoom" ? open(command, context) : reject(new NotFound({ category: "room", id: command.roomId }))
  }
  if (command.roomId !== state.roomId) {
    return reject(new WrongAggregate({ category: "room", expectedId: state.roomId, commandId: command.roomId }))
  }
  if (state.status === "Closed") return reject(new ClosedRoom({ roomId: state.roomId }))
  switch (command._tag) {
    case "OpenRoom":
      return reject(new AlreadyExists({ category: "room", id: state.roomId }))
    case "JoinRoom":
      return join(state, context)
    case "LeaveRoom":
      return leave(state, context.actor.userId, "left", context)
    case "PostChat":
      return chat(state, command, context)
    case "ControlPlayback":
      return playback(state, command, context)
    case "EndPlaybackWait":
      return endWait(state, command, context)
    case "AllowPlaybackControl":
      return allow(state, command, context)
    case "HandOverHost":
      return handOver(state, command, context)
    case "CloseRoom":
      return close(state, context)
    case "CloseInactiveRoom":
      return closeInactive(state, context)
    case "MarkMemberLeft":
      return markLeft(state, command, context)
    default:
      return reject(new UnknownCommand({ category: "room", command: tagOf(command) }))
  }
}

export const RoomDecider: Decider<RoomState, RoomCommand, RoomEvent, RoomError, DomainSettings> = {
  initialState: initialRoomState,
  decide: decideRoom,
  evolve: evolveRoom
}
