/** Arbitraries for the room aggregate, derived from its schemas. */
import * as fc from "fast-check"
import { MAX_CHAT_LENGTH, RoomCommand } from "../domain/room/RoomCommands.ts"
import { RoomEvent } from "../domain/room/RoomEvents.ts"
import type { RoomState } from "../domain/room/RoomState.ts"
import type { DecideContext } from "../domain/shared/Decider.ts"
import type { DomainSettings } from "../domain/shared/DomainSettings.ts"
import { oneIn, pick, userIds, weighted } from "./Pools.ts"
import { byTag, fromSchema } from "./SchemaArbitrary.ts"
import { T0 } from "./TestContext.ts"

const rooms = ["room-1", "room-1", "room-1", "room-1", "room-1", "room-1", "room-1", "room-2"] as const

/** Ids into small pools; some chat texts blank or too long. */
const intoPools = (command: RoomCommand): RoomCommand => {
  const roomId = pick(rooms, command.roomId)
  switch (command._tag) {
    case "PostChat": {
      const text = oneIn(10, command.messageId)
        ? "x".repeat(MAX_CHAT_LENGTH + 1)
        : oneIn(9, command.messageId)
        ? " \n\t "
        : command.text
      return { ...command, roomId, text }
    }
    case "AllowPlaybackControl":
    case "HandOverHost":
      return { ...command, roomId, userId: pick(userIds, command.userId) }
    case "MarkMemberLeft":
      return { ...command, roomId, userId: pick(userIds, command.userId) }
    default:
      return { ...command, roomId }
  }
}

/** Disconnect notices mostly name a member and a time around the grace period before now; wait ends mostly name the current wait. */
const fit = (command: RoomCommand, state: RoomState, context: DecideContext<DomainSettings>): RoomCommand => {
  if (command._tag === "EndPlaybackWait") {
    const since = state.status === "Open" ? state.playback.waitingSince : null
    return since === null || oneIn(4, command.waitingSince) ? command : { ...command, waitingSince: since }
  }
  if (command._tag !== "MarkMemberLeft") return command
  const grace = context.settings.memberGraceSeconds * 1000
  const userId = state.status === "Open" && state.members.length > 0 && !oneIn(4, command.userId)
    ? pick(state.members, command.disconnectedAt).userId
    : command.userId
  return { ...command, userId, disconnectedAt: Math.max(0, context.now - pick([0, grace / 2, grace, 2 * grace], command.disconnectedAt)) }
}

const commands = byTag(RoomCommand)

/** A `RoomOpened` for room-1 hosted by alice at `T0`, with the capacity the settings give. */
const opened = (settings: DomainSettings) =>
  byTag(RoomEvent).RoomOpened.map((event): RoomEvent => ({
    ...event,
    roomId: "room-1",
    hostId: "alice",
    capacity: event.sponsored ? settings.sponsorMaxParticipants : settings.defaultMaxParticipants,
    at: T0
  }))

export const roomArbitraries = {
  /** Any valid room command. */
  command: fromSchema(RoomCommand) as fc.Arbitrary<RoomCommand>,
  /** Any valid room event. */
  event: fromSchema(RoomEvent) as fc.Arbitrary<RoomEvent>,
  commands,
  events: byTag(RoomEvent),
  /** Commands on one or two rooms, from a handful of users, weighted toward membership and chat. */
  interacting: weighted(commands, {
    OpenRoom: 2,
    JoinRoom: 6,
    LeaveRoom: 3,
    PostChat: 4,
    ControlPlayback: 4,
    EndPlaybackWait: 3,
    AllowPlaybackControl: 3,
    HandOverHost: 1,
    CloseRoom: 1,
    CloseInactiveRoom: 1,
    MarkMemberLeft: 3
  }).map(intoPools),
  /** Where sequences start under `settings`: mostly from an open room, sometimes from nothing. */
  given: (settings: DomainSettings): fc.Arbitrary<ReadonlyArray<RoomEvent>> =>
    fc.oneof(
      { arbitrary: fc.constant<ReadonlyArray<RoomEvent>>([]), weight: 1 },
      { arbitrary: opened(settings).map((event) => [event]), weight: 3 }
    ),
  fit
}
