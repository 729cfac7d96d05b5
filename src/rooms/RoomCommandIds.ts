/**
 * The command ids of room commands: an actor applies a command id once, so a retried request (HTTP
 * retry, WebSocket resend after a reconnect, a second try of a system timer) answers with the first result.
 * Commands without a natural key (join, leave, playback) take the caller's key, or none.
 */
const SAFE = /^[A-Za-z0-9._:@-]{1,64}$/

/** A caller-supplied key (Idempotency-Key header, WebSocket message id) usable in a command id, or undefined. */
export const safeKey = (key: string | undefined): string | undefined => (key !== undefined && SAFE.test(key) ? key : undefined)

export const roomCommandIds = {
  open: (roomId: string) => `room-open:${roomId}`,
  /** The chat message id is the command's natural key: one message, one event. */
  chat: (roomId: string, messageId: string) => `room-chat:${roomId}:${messageId}`,
  /** A member's own action keyed by what the caller sent (join, leave, playback, settings). */
  byMember: (verb: string, roomId: string, userId: string, key: string | undefined) => {
    const safe = safeKey(key)
    return safe === undefined ? undefined : `room-${verb}:${roomId}:${userId}:${safe}`
  },
  /**
   * One mark per disconnect: a retried mark for the same drop has the same id. Nodes whose sockets of
   * the user dropped at other times send other ids; the aggregate applies the first (the member is
   * gone, the rest change nothing), so the user leaves once.
   */
  markLeft: (roomId: string, userId: string, disconnectedAt: number) => `room-left:${roomId}:${userId}:${disconnectedAt}`,
  /** One end per wait: every node's ready check or timeout for the same wait sends the same id. */
  endPlaybackWait: (roomId: string, waitingSince: number) => `room-wait:${roomId}:${waitingSince}`,
  closeInactive: (roomId: string, lastActivityAt: number) => `room-inactive:${roomId}:${lastActivityAt}`,
  /** The id of a chat message sent over WebSocket: the user and their client id make it unique and retry-safe. */
  clientMessageId: (userId: string, clientId: string) => `${userId}.${clientId}`.slice(0, 100)
}
