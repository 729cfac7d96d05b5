/** The neutral contract every room transport fills in (ws, uWebSockets.js, Deno): Hono's WSContext idea, for rooms. */
import type { WireFrame } from "./WireFrame.ts"

/** A transport's native publish to every socket subscribed to a topic (uWebSockets.js: in C++, one call per frame). */
export interface TopicPublisher {
  publish(topic: string, frame: WireFrame): void
}

export interface RoomSocket {
  /** Queues a text frame (the same WireFrame may go to many sockets: send its bytes, never change them). */
  send(frame: WireFrame): void
  /** Bytes queued for this client and not yet written: the backpressure the channel caps. */
  bufferedAmount(): number
  /** Closes the connection; the transport then reports `closed()` once. */
  close(code: number, reason: string): void
  /**
   * Native topics, where the transport has them (RoomTopics.ts): after `subscribe` the socket gets every frame
   * `publisher` publishes on the topic, after the frames `send` queued before; a socket too slow for them is
   * closed by the transport. Absent: the session sends each event itself.
   */
  readonly subscribe?: (topic: string) => void
  readonly unsubscribe?: (topic: string) => void
  readonly publisher?: TopicPublisher
}

/** What the transport calls on the channel for an accepted connection. */
export interface RoomConnection {
  /** A text frame (already known to fit the transport's frame limit), or a binary one. */
  message(data: string | { readonly binary: number }): void
  /** The socket is gone (either side closed it); called once. */
  closed(): void
}

/** Close codes (RFC 6455 §7.4.1) the channel uses. */
export const CloseCode = {
  normal: 1000,
  policy: 1008,
  tooBig: 1009,
  restart: 1012,
  tryAgainLater: 1013
} as const
