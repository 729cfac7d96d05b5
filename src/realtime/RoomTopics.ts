/**
 * A room's events on the transport's native topic (uWebSockets.js pub/sub): one publish per event for all
 * of the room's caught-up sockets on this node, instead of one send per socket from JavaScript — at 1,000
 * members the per-socket sends were most of the server's CPU.
 *
 * Exactly once and in order still holds: a session joins the topic only when its last sent event is the
 * last one published there (RoomSession.ts), and the topic publishes only the next revision after that.
 * Anything else — a gap in the live feed (a resubscription), the room's close — sends every member back to
 * delivering alone from the last published revision (each fills its gap from the store, as without topics),
 * and they rejoin once caught up; repeats are dropped. Sockets without native topics (ws, Deno) never join.
 */
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"
import type { RoomHub } from "./RoomHub.ts"
import type { RoomSocket, TopicPublisher } from "./RoomSocket.ts"
import { eventFrame } from "./WireFrame.ts"

/** The session's side of its membership. */
export interface TopicMember {
  /** The topic stopped for it: it goes on alone after `revision` (the topic's last). */
  demoted(revision: number): void
  /** A frame went out on the topic: it checks its socket's backpressure (and closes a slow consumer). */
  published(): void
}

export interface RoomTopics {
  /** The newest revision the room's topic has seen (published, or left to the sessions); -1 before the first. */
  published(roomId: string): number
  /**
   * Puts a socket whose last event is `published(roomId)` on the topic; returns the leave. A socket
   * without native topics, or a room not tracked, is not joined (undefined).
   */
  join(roomId: string, socket: RoomSocket, member: TopicMember): (() => void) | undefined
  /** Follows the room's events while this node has a socket in it (before any session subscribes); returns the untrack. */
  track(roomId: string): () => void
}

interface Topic {
  readonly name: string
  last: number
  readonly members: Map<RoomSocket, TopicMember>
  /** Live members per publisher (one per transport). */
  readonly publishers: Map<TopicPublisher, number>
  tracked: number
  readonly untrack: () => void
}

export const makeRoomTopics = (hub: RoomHub): RoomTopics => {
  const topics = new Map<string, Topic>()

  const demoteAll = (topic: Topic) => {
    const members = [...topic.members]
    topic.members.clear()
    topic.publishers.clear()
    for (const [socket, member] of members) {
      socket.unsubscribe?.(topic.name)
      member.demoted(topic.last)
    }
  }

  const onEvent = (topic: Topic) => (event: RecordedEvent) => {
    // a repeat, or an older event a resubscription handed over again: every member has it
    if (event.revision <= topic.last) return
    // the first event seen, a gap, or the close: not on the topic; each session sends it itself (filling the
    // gap from the store, closing the socket after the close), then those caught up with it join again
    if (topic.last < 0 || event.revision !== topic.last + 1 || event.type === "RoomClosed") {
      if (topic.members.size > 0) demoteAll(topic)
      topic.last = event.revision
      return
    }
    topic.last = event.revision
    if (topic.publishers.size === 0) return
    const frame = eventFrame(event)
    for (const publisher of topic.publishers.keys()) publisher.publish(topic.name, frame)
    for (const member of [...topic.members.values()]) member.published()
  }

  return {
    published: (roomId) => topics.get(roomId)?.last ?? -1,

    join: (roomId, socket, member) => {
      const topic = topics.get(roomId)
      const publisher = socket.publisher
      if (topic === undefined || topic.last < 0 || publisher === undefined || socket.subscribe === undefined) return undefined
      socket.subscribe(topic.name)
      topic.members.set(socket, member)
      topic.publishers.set(publisher, (topic.publishers.get(publisher) ?? 0) + 1)
      return () => {
        if (!topic.members.delete(socket)) return
        const left = (topic.publishers.get(publisher) ?? 1) - 1
        if (left === 0) topic.publishers.delete(publisher)
        else topic.publishers.set(publisher, left)
        socket.unsubscribe?.(topic.name)
      }
    },

    track: (roomId) => {
      let topic = topics.get(roomId)
      if (topic === undefined) {
        const created: Topic = {
          name: `room/${roomId}`,
          last: -1,
          members: new Map(),
          publishers: new Map(),
          tracked: 0,
          untrack: () => unlisten()
        }
        const unlisten = hub.subscribe(roomId, onEvent(created), true)
        topics.set(roomId, topic = created)
      }
      const tracked = topic
      tracked.tracked++
      let done = false
      return () => {
        if (done) return
        done = true
        if (--tracked.tracked > 0) return
        tracked.untrack()
        if (topics.get(roomId) === tracked) topics.delete(roomId)
      }
    }
  }
}
