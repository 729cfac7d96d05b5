/**
 * This node's side of synchronized playback. After a play or seek (an event) the room waits: every
 * connected user's readiness goes back to unknown, and once all of them report ready — or the ready
 * timeout passes — it sends EndPlaybackWait, whose PlaybackReady event starts the room at now + lead.
 * Readiness (in the presence port, over every node) and round trips (this node's) are ephemeral; only the
 * play/pause/seek and the wait's end are events. Every node with members in the room checks the whole
 * room's readiness; the aggregate takes the first end of a wait and ignores the rest.
 */
import { Effect, Exit } from "effect"
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"
import { Rooms } from "../rooms/Rooms.ts"
import { playbackLead } from "./PlaybackLead.ts"
import type { RoomHub } from "./RoomHub.ts"
import type { RoomPresenceShape } from "./RoomPresence.ts"
import type { RoomRun } from "./RoomSession.ts"

export interface PlaybackSyncDeps {
  readonly run: RoomRun
  readonly hub: RoomHub
  readonly presence: RoomPresenceShape
  /** Runs a presence read (they never fail). */
  readonly ask: <A>(effect: Effect.Effect<A>) => Promise<A>
  readonly readyTimeoutMs: number
  readonly now: () => number
  /** Readiness was reset: the channel sends the room its presence. */
  readonly presenceChanged: (roomId: string) => void
}

interface TrackedRoom {
  /** Each local connection's round trip (the client's best recent sample), ms; undefined until it reports one. */
  readonly rtts: Map<object, number | undefined>
  readonly unsubscribe: () => void
  waitingSince: number | null
  timer: ReturnType<typeof setTimeout> | undefined
  /** An event arrived since tracking began: it is newer than the state read at the start. */
  sawEvent: boolean
}

export interface RoomPlaybackSync {
  attach(roomId: string, connection: object): void
  detach(roomId: string, connection: object): void
  reportRtt(roomId: string, connection: object, rttMs: number): void
  /** A ready/buffering report changed presence (here or on another node): the wait may be over. */
  readinessChanged(roomId: string): void
  /** The wait this node follows in the room (its `waitingSince`), or null. */
  waitingSince(roomId: string): number | null
  /** The lead for a playback command in this room now, ms. */
  lead(roomId: string): number
  stop(): void
}

export const makeRoomPlaybackSync = (deps: PlaybackSyncDeps): RoomPlaybackSync => {
  const rooms = new Map<string, TrackedRoom>()

  const lead = (roomId: string) => playbackLead([...(rooms.get(roomId)?.rtts.values() ?? [])].filter((rtt) => rtt !== undefined))

  const clear = (room: TrackedRoom) => {
    if (room.timer !== undefined) clearTimeout(room.timer)
    room.timer = undefined
    room.waitingSince = null
  }

  const finish = (roomId: string, reason: "ready" | "timeout") => {
    const room = rooms.get(roomId)
    if (room === undefined || room.waitingSince === null) return
    const since = room.waitingSince
    clear(room)
    void deps.run(Rooms.use((r) => r.endPlaybackWait(roomId, since, reason, lead(roomId)))).then((exit) =>
      Exit.isFailure(exit) ? deps.run(Effect.logWarning(`room ${roomId}: the playback wait was not ended`, exit.cause)) : undefined
    )
  }

  const check = (roomId: string) => {
    const since = rooms.get(roomId)?.waitingSince
    if (since == null) return
    void deps.ask(deps.presence.allReady(roomId, since)).then((ready) => {
      if (ready && rooms.get(roomId)?.waitingSince === since) finish(roomId, "ready")
    })
  }

  /** `since` names the wait; the timeout counts from `effectiveAt`, when the play or seek takes effect. */
  const begin = (roomId: string, since: number, effectiveAt: number) => {
    const room = rooms.get(roomId)
    if (room === undefined) return
    clear(room)
    room.waitingSince = since
    room.timer = setTimeout(() => finish(roomId, "timeout"), Math.max(0, effectiveAt + deps.readyTimeoutMs - deps.now()))
    if (deps.presence.resetStates(roomId, since)) deps.presenceChanged(roomId)
  }

  const onEvent = (roomId: string) => (event: RecordedEvent) => {
    const room = rooms.get(roomId)
    if (room === undefined) return
    room.sawEvent = true
    if (event.type === "PlaybackChanged") {
      const data = event.data as { action: string; at: number; effectiveAt?: number }
      if (data.action === "pause") clear(room)
      else begin(roomId, data.at, data.effectiveAt ?? data.at)
    } else if (event.type === "PlaybackReady" || event.type === "RoomClosed") {
      clear(room)
    }
  }

  /** A room this node starts tracking may already be waiting (another node's command, or before a restart). */
  const resume = (roomId: string) =>
    void deps.run(Rooms.use((r) => r.current(roomId))).then((exit) => {
      const room = rooms.get(roomId)
      if (room === undefined || room.sawEvent || Exit.isFailure(exit)) return
      const { state } = exit.value
      if (state.status === "Open" && state.playback.status === "waiting" && state.playback.waitingSince !== null) {
        begin(roomId, state.playback.waitingSince, state.playback.updatedAt)
      }
    })

  return {
    attach: (roomId, connection) => {
      let room = rooms.get(roomId)
      if (room === undefined) {
        room = { rtts: new Map(), unsubscribe: deps.hub.subscribe(roomId, onEvent(roomId)), waitingSince: null, timer: undefined, sawEvent: false }
        rooms.set(roomId, room)
        resume(roomId)
      }
      room.rtts.set(connection, undefined)
    },
    detach: (roomId, connection) => {
      const room = rooms.get(roomId)
      if (room === undefined) return
      room.rtts.delete(connection)
      if (room.rtts.size > 0) return check(roomId)
      // nobody left here to wait for: a node with members (or the next one to connect) carries on
      clear(room)
      room.unsubscribe()
      rooms.delete(roomId)
    },
    reportRtt: (roomId, connection, rttMs) => {
      const rtts = rooms.get(roomId)?.rtts
      if (rtts?.has(connection)) rtts.set(connection, rttMs)
    },
    readinessChanged: check,
    waitingSince: (roomId) => rooms.get(roomId)?.waitingSince ?? null,
    lead,
    stop: () => {
      for (const room of rooms.values()) {
        clear(room)
        room.unsubscribe()
      }
      rooms.clear()
    }
  }
}
