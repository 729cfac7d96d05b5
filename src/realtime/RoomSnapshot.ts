/** The welcome frame's room: the Room aggregate's state, in the protocol's shape. */
import { idlePlayback } from "../domain/room/PlaybackTimeline.ts"
import type { RoomState } from "../domain/room/RoomState.ts"
import type { RoomSnapshot } from "./RoomProtocol.ts"

export const roomSnapshot = (state: RoomState, roomId: string): RoomSnapshot => {
  if (state.status === "Open") {
    const { hostId, title, videoId, sponsored, capacity, members, controllers, playback, lastActivityAt } = state
    return { id: roomId, status: "open", hostId, title, videoId, sponsored, capacity, members, controllers, playback, lastActivityAt }
  }
  const hostId = state.status === "Closed" ? state.hostId : ""
  const at = state.status === "Closed" ? state.closedAt : 0
  return {
    id: roomId,
    status: "closed",
    hostId,
    title: null,
    videoId: null,
    sponsored: false,
    capacity: 0,
    members: [],
    controllers: [],
    playback: idlePlayback(at),
    lastActivityAt: at
  }
}
