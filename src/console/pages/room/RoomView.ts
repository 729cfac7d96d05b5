/**
 * What the console's room page shows, as data: the room, its chat and presence; and the pure folds the
 * connection applies to it (an event to the room's members, controllers, host and status; a posted chat
 * into the log, keyed by message id so a replayed or resent message is shown once).
 */
export interface ChatLine {
  readonly messageId: string
  readonly userId: string
  readonly text: string
  readonly at: number
  /** sent: the server has it; pending: waiting for its ack; failed: refused (error has the server's words). */
  readonly status: "sent" | "pending" | "failed"
  readonly error?: string
  /** The client id of my own message (to resend it). */
  readonly clientId?: string
  /** A marker, not a message: chat was missed here (the reconnect got a snapshot). */
  readonly gap?: boolean
}

export interface PresenceEntry {
  readonly userId: string
  readonly connections: number
  readonly state: "ready" | "buffering" | "unknown"
}

export interface RoomInfo {
  readonly id: string
  readonly status: "open" | "closed"
  readonly hostId: string
  readonly title: string | null
  readonly videoId: string | null
  readonly capacity: number
  readonly members: ReadonlyArray<{ readonly userId: string; readonly joinedAt: number }>
  readonly controllers: ReadonlyArray<string>
}

export type ConnectionStatus = "connecting" | "open" | "reconnecting" | "closed"

export interface RoomState {
  readonly status: ConnectionStatus
  readonly room: RoomInfo | undefined
  readonly me: string | undefined
  readonly joined: boolean
  /** Why I am not a member (ROOM_FULL: read-only). */
  readonly readOnly: string | undefined
  readonly chat: ReadonlyArray<ChatLine>
  readonly presence: ReadonlyArray<PresenceEntry>
  /** A notice in words: missed history, rate limited, a refused command, the room closed, a failed connection. */
  readonly notice: string | undefined
  readonly revision: number
  /** Seconds until the next attempt while reconnecting. */
  readonly retryInSeconds: number | undefined
}

/** `line` in the chat: a known message id is updated in place (a pending one becomes sent); a new one goes in time order, pending ones last. */
export const withPosted = (chat: ReadonlyArray<ChatLine>, line: ChatLine): ReadonlyArray<ChatLine> =>
  chat.some((l) => l.messageId === line.messageId)
    ? chat.map((l) => (l.messageId === line.messageId ? { ...l, ...line, clientId: l.clientId } : l))
    : [...chat, line].sort((a, b) => (a.status === "pending" ? 1 : 0) - (b.status === "pending" ? 1 : 0) || a.at - b.at)

/** The room after one of its events (others leave it as it is). */
export const foldRoomEvent = (room: RoomInfo, name: string, data: Record<string, unknown>): RoomInfo => {
  const userId = String(data.userId ?? "")
  switch (name) {
    case "MemberJoined":
      return room.members.some((m) => m.userId === userId) ? room : { ...room, members: [...room.members, { userId, joinedAt: Number(data.at) }] }
    case "MemberLeft":
      return { ...room, members: room.members.filter((m) => m.userId !== userId), controllers: room.controllers.filter((c) => c !== userId) }
    case "PlaybackControlChanged":
      return { ...room, controllers: data.allowed === true ? [...room.controllers.filter((c) => c !== userId), userId] : room.controllers.filter((c) => c !== userId) }
    case "HostHandedOver":
      return { ...room, hostId: String(data.to) }
    case "RoomClosed":
      return { ...room, status: "closed" }
    default:
      return room
  }
}
