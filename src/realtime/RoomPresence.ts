/** Who is connected to each room on this node, and their ephemeral playback readiness (never stored). */

export type ReadyState = "ready" | "buffering" | "unknown"

interface Entry {
  connections: number
  state: ReadyState
}

export interface PresenceView {
  readonly userId: string
  readonly connections: number
  readonly state: ReadyState
}

export class RoomPresence {
  private readonly rooms = new Map<string, Map<string, Entry>>()

  connect(roomId: string, userId: string): void {
    let users = this.rooms.get(roomId)
    if (users === undefined) this.rooms.set(roomId, users = new Map())
    const entry = users.get(userId)
    if (entry === undefined) users.set(userId, { connections: 1, state: "unknown" })
    else entry.connections++
  }

  /** Returns the user's connections left in the room. */
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

  setState(roomId: string, userId: string, state: ReadyState): boolean {
    const entry = this.rooms.get(roomId)?.get(userId)
    if (entry === undefined || entry.state === state) return false
    entry.state = state
    return true
  }

  /** A play or seek asks everyone again: every connected user's state back to unknown. */
  resetStates(roomId: string): boolean {
    let changed = false
    for (const entry of this.rooms.get(roomId)?.values() ?? []) {
      if (entry.state !== "unknown") changed = true
      entry.state = "unknown"
    }
    return changed
  }

  /** Someone is connected and every connected user reported ready. */
  allReady(roomId: string): boolean {
    const users = this.rooms.get(roomId)
    return users !== undefined && users.size > 0 && [...users.values()].every((e) => e.state === "ready")
  }

  of(roomId: string): ReadonlyArray<PresenceView> {
    return [...(this.rooms.get(roomId) ?? new Map<string, Entry>())].map(([userId, e]) => ({ userId, connections: e.connections, state: e.state }))
  }
}
