/** This node's own presence: each room's users with their connection count and readiness here (the truth a presence adapter shares). */

export type ReadyState = "ready" | "buffering" | "unknown"

/** One user's presence as one node holds it. `wait` names the playback wait a `ready` answers (null: none yet). */
export interface PresenceEntry {
  readonly connections: number
  readonly state: ReadyState
  readonly wait: number | null
}

/** One user's presence in a room, over every node. */
export interface PresenceView {
  readonly userId: string
  readonly connections: number
  readonly state: ReadyState
}

interface Entry {
  connections: number
  state: ReadyState
  wait: number | null
}

export class LocalPresence {
  private readonly rooms = new Map<string, Map<string, Entry>>()

  connect(roomId: string, userId: string): void {
    let users = this.rooms.get(roomId)
    if (users === undefined) this.rooms.set(roomId, users = new Map())
    const entry = users.get(userId)
    if (entry === undefined) users.set(userId, { connections: 1, state: "unknown", wait: null })
    else entry.connections++
  }

  /** Returns the user's connections left in the room on this node. */
  disconnect(roomId: string, userId: string): number {
    const users = this.rooms.get(roomId)
    const entry = users?.get(userId)
    if (users === undefined || entry === undefined) return 0
    entry.connections--
    if (entry.connections > 0) return entry.connections
    users.delete(userId)
    if (users.size === 0) this.rooms.delete(roomId)
    return 0
  }

  connections(roomId: string, userId: string): number {
    return this.rooms.get(roomId)?.get(userId)?.connections ?? 0
  }

  /** False when nothing changed (no such user here, or the same state for the same wait). */
  setState(roomId: string, userId: string, state: ReadyState, wait: number | null): boolean {
    const entry = this.rooms.get(roomId)?.get(userId)
    if (entry === undefined || (entry.state === state && entry.wait === wait)) return false
    entry.state = state
    entry.wait = wait
    return true
  }

  /** A play or seek asks everyone again: every user here back to unknown, for the new wait. */
  resetStates(roomId: string, wait: number): boolean {
    let changed = false
    for (const entry of this.rooms.get(roomId)?.values() ?? []) {
      if (entry.state !== "unknown") changed = true
      entry.state = "unknown"
      entry.wait = wait
    }
    return changed
  }

  entries(roomId: string): ReadonlyMap<string, PresenceEntry> {
    return this.rooms.get(roomId) ?? new Map()
  }

  /** Rooms with a connection on this node. */
  roomIds(): ReadonlyArray<string> {
    return [...this.rooms.keys()]
  }
}

/** The worst wins: one node buffering makes the user buffering; all ready makes them ready. */
const merge = (a: ReadyState, b: ReadyState): ReadyState =>
  a === "buffering" || b === "buffering" ? "buffering" : a === "unknown" || b === "unknown" ? "unknown" : "ready"

/** Per-node entries (user, entry) folded into one view per user. */
export const mergeEntries = (entries: Iterable<readonly [string, PresenceEntry]>): ReadonlyArray<PresenceView> => {
  const users = new Map<string, { connections: number; state: ReadyState }>()
  for (const [userId, e] of entries) {
    const seen = users.get(userId)
    if (seen === undefined) users.set(userId, { connections: e.connections, state: e.state })
    else users.set(userId, { connections: seen.connections + e.connections, state: merge(seen.state, e.state) })
  }
  return [...users].map(([userId, u]) => ({ userId, ...u }))
}

/** Someone is connected, and every user's every entry answered ready for this wait. */
export const everyoneReady = (entries: Iterable<readonly [string, PresenceEntry]>, wait: number): boolean => {
  let any = false
  for (const [, e] of entries) {
    if (e.state !== "ready" || e.wait !== wait) return false
    any = true
  }
  return any
}
