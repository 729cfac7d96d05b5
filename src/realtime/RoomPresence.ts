/**
 * The presence port: who is connected to each room now, with connection counts and playback readiness
 * (ephemeral, never stored). `layerMemory` is this node alone; with REDIS_URL,
 * redis/RedisRoomPresence.ts shares every node's presence with the others (DESIGN.md §1 "Real time").
 */
import { Context, Effect, Layer } from "effect"
import { everyoneReady, LocalPresence, mergeEntries, type PresenceView, type ReadyState } from "./LocalPresence.ts"

export type { PresenceView, ReadyState } from "./LocalPresence.ts"

/** What a shared adapter tells the channel about other nodes. */
export interface PresenceListener {
  /** The room's presence changed on another node: send the room its presence again (and re-check a wait). */
  readonly changed: (roomId: string) => void
  /** A dead node's entry for the user expired (it stopped refreshing): their grace period starts now. */
  readonly expired: (roomId: string, userId: string) => void
}

export interface RoomPresenceShape {
  /** This node's bookkeeping is synchronous; a shared adapter writes the change out in the background. */
  connect(roomId: string, userId: string): void
  /** Returns the user's connections left in the room on this node. */
  disconnect(roomId: string, userId: string): number
  /** `wait`: the playback wait the report answers (null outside one). False when nothing changed. */
  setState(roomId: string, userId: string, state: ReadyState, wait: number | null): boolean
  /** A play or seek began the wait `wait`: every user on this node back to unknown. */
  resetStates(roomId: string, wait: number): boolean
  /** The room's presence over every node (this node's alone while the shared store is away). */
  view(roomId: string): Effect.Effect<ReadonlyArray<PresenceView>>
  /** The user's connections to the room over every node. */
  connections(roomId: string, userId: string): Effect.Effect<number>
  /** Someone is connected and every connected user, on every node, answered ready for `wait`. */
  allReady(roomId: string, wait: number): Effect.Effect<boolean>
  /** Registers the channel's listener for other nodes' changes; returns the removal. */
  listen(listener: PresenceListener): () => void
}

/** The memory adapter's shape over a LocalPresence (a shared adapter falls back to the same reads). */
export const localReads = (local: LocalPresence) => ({
  view: (roomId: string) => Effect.sync(() => mergeEntries(local.entries(roomId))),
  connections: (roomId: string, userId: string) => Effect.sync(() => local.connections(roomId, userId)),
  allReady: (roomId: string, wait: number) => Effect.sync(() => everyoneReady(local.entries(roomId), wait))
})

export class RoomPresence extends Context.Service<RoomPresence, RoomPresenceShape>()("keyframe/RoomPresence") {
  /** This node only: what one process serves (no other node to hear from). */
  static readonly layerMemory: Layer.Layer<RoomPresence> = Layer.sync(RoomPresence, () => {
    const local = new LocalPresence()
    return RoomPresence.of({
      connect: (roomId, userId) => local.connect(roomId, userId),
      disconnect: (roomId, userId) => local.disconnect(roomId, userId),
      setState: (roomId, userId, state, wait) => local.setState(roomId, userId, state, wait),
      resetStates: (roomId, wait) => local.resetStates(roomId, wait),
      ...localReads(local),
      listen: () => () => {}
    })
  })
}
