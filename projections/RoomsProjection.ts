/** Watch rooms: host, tier, capacity, members, playback state and last activity; open rooms listed by last activity. */
import { RoomEventCodec } from "../src/domain/room/RoomAggregate.ts"
import type { RoomEvent } from "../src/domain/room/RoomEvents.ts"
import { entityIdOf, type EventPlace, makeDecoder } from "./DomainEvents.ts"
import { defineProjection } from "./Projection.ts"

export type RoomStatus = "open" | "closed"
export const ROOM_STATUSES: ReadonlyArray<RoomStatus> = ["open", "closed"]

export interface RoomDoc {
  readonly id: string
  readonly hostId: string
  readonly title: string | null
  readonly videoId: string | null
  readonly tier: "sponsor" | "standard"
  /** Most members at once, host included; -1 = unlimited. */
  readonly capacity: number
  readonly status: RoomStatus
  readonly memberCount: number
  readonly members: ReadonlyArray<{ readonly userId: string; readonly joinedAt: number }>
  /** Members besides the host allowed to drive playback. */
  readonly controllers: ReadonlyArray<string>
  readonly playback: { readonly playing: boolean; readonly positionMs: number; readonly updatedAt: number; readonly by: string | null }
  readonly chatMessages: number
  readonly openedAt: number
  readonly lastActivityAt: number
  readonly closedAt: number | null
  readonly closeReason: "host" | "admin" | "inactive" | null
  readonly position: number
  readonly revision: number
}

export const decodeRoomEvent = makeDecoder(RoomEventCodec)

/** Pure: the room after `event`. */
export const evolveRoomDoc = (current: RoomDoc | undefined, event: RoomEvent, place: EventPlace): RoomDoc | undefined => {
  const at = { position: place.position, revision: place.revision }
  if (event._tag === "RoomOpened") {
    return {
      id: event.roomId,
      hostId: event.hostId,
      title: event.title ?? null,
      videoId: event.videoId ?? null,
      tier: event.sponsored ? "sponsor" : "standard",
      capacity: event.capacity,
      status: "open",
      memberCount: 1,
      members: [{ userId: event.hostId, joinedAt: event.at }],
      controllers: [],
      playback: { playing: false, positionMs: 0, updatedAt: event.at, by: null },
      chatMessages: 0,
      openedAt: event.at,
      lastActivityAt: event.at,
      closedAt: null,
      closeReason: null,
      ...at
    }
  }
  if (current === undefined || current.status === "closed") return current
  const doc: RoomDoc = { ...current, lastActivityAt: Math.max(current.lastActivityAt, event.at), ...at }
  switch (event._tag) {
    case "MemberJoined": {
      const members = [...doc.members.filter((m) => m.userId !== event.userId), { userId: event.userId, joinedAt: event.at }]
      return { ...doc, members, memberCount: members.length }
    }
    case "MemberLeft": {
      const members = doc.members.filter((m) => m.userId !== event.userId)
      return { ...doc, members, memberCount: members.length, controllers: doc.controllers.filter((c) => c !== event.userId) }
    }
    case "ChatPosted":
      return { ...doc, chatMessages: doc.chatMessages + 1 }
    case "PlaybackChanged":
      return {
        ...doc,
        playback: {
          playing: event.action === "seek" ? doc.playback.playing : event.action === "play",
          positionMs: event.positionMs,
          updatedAt: event.at,
          by: event.by
        }
      }
    case "PlaybackControlChanged":
      return {
        ...doc,
        controllers: event.allowed
          ? [...doc.controllers.filter((c) => c !== event.userId), event.userId]
          : doc.controllers.filter((c) => c !== event.userId)
      }
    case "RoomClosed":
      return { ...doc, status: "closed", members: [], memberCount: 0, controllers: [], closedAt: event.at, closeReason: event.reason }
  }
}

export type RoomsModels = { readonly room: RoomDoc }

export const RoomsProjection = defineProjection<RoomsModels>()({
  name: "rooms",
  version: 1,
  handles: ["RoomOpened", "MemberJoined", "MemberLeft", "ChatPosted", "PlaybackChanged", "PlaybackControlChanged", "RoomClosed"],
  streamPrefixes: ["room-"],
  models: {
    room: {
      indexes: (doc) => [
        { index: "all", score: doc.openedAt },
        // Open rooms by last activity (what a lobby shows), closed ones by when they closed.
        { index: "byStatus", value: doc.status, score: doc.closedAt ?? doc.lastActivityAt },
        { index: "byHost", value: doc.hostId, score: doc.openedAt },
        { index: "byHostStatus", value: `${doc.hostId}/${doc.status}`, score: doc.openedAt }
      ]
    }
  },
  touches: (event) => [{ model: "room", id: entityIdOf(event.stream) }],
  evolve: (docs, event) => {
    const id = entityIdOf(event.stream)
    const current = docs.get("room", id)
    const next = evolveRoomDoc(current, decodeRoomEvent(event), event)
    return next === current ? [] : [{ model: "room", id, doc: next }]
  }
})
