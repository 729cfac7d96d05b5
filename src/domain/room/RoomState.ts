/** A watch room as the decider sees it (a status-tagged union), and how events change it. */
import { applyPlayback, idlePlayback, type Playback } from "./PlaybackTimeline.ts"
import type { RoomEvent } from "./RoomEvents.ts"

export type { Playback } from "./PlaybackTimeline.ts"

export interface Member {
  readonly userId: string
  readonly joinedAt: number
}

export type RoomState =
  | { readonly status: "Unopened" }
  | {
    readonly status: "Open"
    readonly roomId: string
    readonly hostId: string
    readonly title: string | null
    readonly videoId: string | null
    readonly sponsored: boolean
    /** -1 = unlimited. */
    readonly capacity: number
    /** In joining order; the host is one while present. */
    readonly members: ReadonlyArray<Member>
    /** Members besides the host allowed to drive playback. */
    readonly controllers: ReadonlyArray<string>
    readonly playback: Playback
    readonly lastActivityAt: number
  }
  | {
    readonly status: "Closed"
    readonly roomId: string
    readonly hostId: string
    readonly closedAt: number
    readonly reason: "host" | "admin" | "inactive"
  }

export type OpenRoomState = Extract<RoomState, { status: "Open" }>

export const initialRoomState: RoomState = { status: "Unopened" }

export const isMember = (state: OpenRoomState, userId: string): boolean => state.members.some((m) => m.userId === userId)

export const mayControlPlayback = (state: OpenRoomState, userId: string): boolean =>
  isMember(state, userId) && (userId === state.hostId || state.controllers.includes(userId))

export const evolveRoom = (state: RoomState, event: RoomEvent): RoomState => {
  if (event._tag === "RoomOpened") {
    return {
      status: "Open",
      roomId: event.roomId,
      hostId: event.hostId,
      title: event.title ?? null,
      videoId: event.videoId ?? null,
      sponsored: event.sponsored,
      capacity: event.capacity,
      members: [{ userId: event.hostId, joinedAt: event.at }],
      controllers: [],
      playback: idlePlayback(event.at),
      lastActivityAt: event.at
    }
  }
  // Every other event follows a RoomOpened, and nothing follows a RoomClosed, in a well-formed stream.
  if (state.status !== "Open") return state
  const active = { ...state, lastActivityAt: Math.max(state.lastActivityAt, event.at) }
  switch (event._tag) {
    case "MemberJoined":
      return { ...active, members: [...state.members, { userId: event.userId, joinedAt: event.at }] }
    case "MemberLeft":
      return {
        ...active,
        members: state.members.filter((m) => m.userId !== event.userId),
        controllers: state.controllers.filter((c) => c !== event.userId)
      }
    case "ChatPosted":
      return active
    case "PlaybackChanged":
    case "PlaybackReady":
      return { ...active, playback: applyPlayback(state.playback, event) }
    case "PlaybackControlChanged":
      return {
        ...active,
        controllers: event.allowed
          ? [...state.controllers.filter((c) => c !== event.userId), event.userId]
          : state.controllers.filter((c) => c !== event.userId)
      }
    case "HostHandedOver":
      // the new host drives playback as host, so it leaves the controllers list
      return { ...active, hostId: event.to, controllers: state.controllers.filter((c) => c !== event.to) }
    case "RoomClosed":
      return { status: "Closed", roomId: state.roomId, hostId: state.hostId, closedAt: event.at, reason: event.reason }
  }
}
