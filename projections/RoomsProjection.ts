/** Watch rooms: host, tier, capacity, members, playback state and last activity; open rooms listed by last activity. */
import { Schema } from "effect"
import { RoomAggregate } from "../src/domain/room/RoomAggregate.ts"
import { RoomClosed, RoomEvent } from "../src/domain/room/RoomEvents.ts"
import { evolveRoom, initialRoomState, type OpenRoomState, type RoomState } from "../src/domain/room/RoomState.ts"
import { EventPlace } from "./DomainEvents.ts"
import { singleStreamModel } from "./SingleStreamModel.ts"

export const RoomStatus = Schema.Literals(["open", "closed"])
export type RoomStatus = typeof RoomStatus.Type

export const RoomDocument = Schema.Struct({
  id: Schema.String,
  hostId: Schema.String,
  title: Schema.NullOr(Schema.String),
  videoId: Schema.NullOr(Schema.String),
  tier: Schema.Literals(["sponsor", "standard"]),
  capacity: Schema.Finite.annotate({ description: "most members at once, host included; -1 = unlimited" }),
  status: RoomStatus,
  memberCount: Schema.Finite,
  members: Schema.Array(Schema.Struct({ userId: Schema.String, joinedAt: Schema.Finite })),
  controllers: Schema.Array(Schema.String).annotate({ description: "members besides the host allowed to drive playback" }),
  playback: Schema.Struct({
    status: Schema.Literals(["idle", "waiting", "paused", "playing"]),
    playing: Schema.Boolean.annotate({ description: "meant to play: playing, or waiting to start" }),
    positionMs: Schema.Finite,
    updatedAt: Schema.Finite.annotate({ description: "server time the position refers to" }),
    waitingSince: Schema.NullOr(Schema.Finite),
    by: Schema.NullOr(Schema.String)
  }),
  chatMessages: Schema.Finite,
  openedAt: Schema.Finite,
  lastActivityAt: Schema.Finite,
  closedAt: Schema.NullOr(Schema.Finite),
  closeReason: Schema.NullOr(RoomClosed.fields.reason),
  ...EventPlace.fields
})
export type RoomDoc = typeof RoomDocument.Type

/** The decider's state of the room a document shows: an open room's document holds all of it. */
const roomStateOf = (doc: RoomDoc | undefined): RoomState => {
  if (doc === undefined) return initialRoomState
  if (doc.status === "closed") {
    // Nothing but a new RoomOpened changes a closed room; its close fields are set whenever it is closed.
    return { status: "Closed", roomId: doc.id, hostId: doc.hostId, closedAt: doc.closedAt ?? doc.lastActivityAt, reason: doc.closeReason ?? "host" }
  }
  const { id: roomId, hostId, title, videoId, capacity, members, controllers, playback, lastActivityAt } = doc
  return { status: "Open", roomId, hostId, title, videoId, sponsored: doc.tier === "sponsor", capacity, members, controllers, playback, lastActivityAt }
}

/** The document of an open room: the decider's state, plus what only the read model counts (chat, who moved playback). */
const openRoomDoc = (state: OpenRoomState, previous: RoomDoc | undefined, event: RoomEvent, place: EventPlace): RoomDoc => ({
  id: state.roomId,
  hostId: state.hostId,
  title: state.title,
  videoId: state.videoId,
  tier: state.sponsored ? "sponsor" : "standard",
  capacity: state.capacity,
  status: "open",
  memberCount: state.members.length,
  members: state.members,
  controllers: state.controllers,
  playback: previous !== undefined && state.playback === previous.playback
    ? previous.playback
    : { ...state.playback, by: event._tag === "PlaybackChanged" ? event.by : null },
  chatMessages: (previous?.chatMessages ?? 0) + (event._tag === "ChatPosted" ? 1 : 0),
  openedAt: previous?.openedAt ?? event.at,
  lastActivityAt: state.lastActivityAt,
  closedAt: null,
  closeReason: null,
  position: place.position,
  revision: place.revision
})

/** Pure: the room after `event`, as the room's decider evolves it. */
export const evolveRoomDoc = (current: RoomDoc | undefined, event: RoomEvent, place: EventPlace): RoomDoc | undefined => {
  const before = roomStateOf(current)
  const after = evolveRoom(before, event)
  if (after === before || after.status === "Unopened") return current
  if (after.status === "Open") return openRoomDoc(after, event._tag === "RoomOpened" ? undefined : current, event, place)
  if (current === undefined) return current
  return {
    ...current,
    status: "closed",
    members: [],
    memberCount: 0,
    controllers: [],
    lastActivityAt: Math.max(current.lastActivityAt, event.at),
    closedAt: after.closedAt,
    closeReason: after.reason,
    position: place.position,
    revision: place.revision
  }
}

export const RoomsProjection = singleStreamModel({
  name: "rooms",
  // 2: playback documents gained status and waitingSince (synchronized playback): a stored v1 is rebuilt beside it
  version: 2,
  model: "room",
  aggregate: RoomAggregate,
  events: RoomEvent,
  evolve: evolveRoomDoc,
  indexes: (doc) => [
    { index: "all", score: doc.openedAt },
    // Open rooms by last activity (what a lobby shows), closed ones by when they closed.
    { index: "byStatus", value: doc.status, score: doc.closedAt ?? doc.lastActivityAt },
    { index: "byHost", value: doc.hostId, score: doc.openedAt },
    { index: "byHostStatus", value: `${doc.hostId}/${doc.status}`, score: doc.openedAt }
  ]
})
