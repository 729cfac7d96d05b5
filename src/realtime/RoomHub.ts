/**
 * Fan-out (DESIGN.md §1 "Real time"): this node's one subscription to the room events in the event
 * store, handed to the local topic `room/<id>`. Commands from any node reach the store through the
 * Room aggregate, so every node's members see the same events in the same order.
 */
import { Effect, Schedule, Stream } from "effect"
import { EventStore } from "../eventstore/EventStore.ts"
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"

export type RoomListener = (event: RecordedEvent) => void

export interface RoomHub {
  /**
   * Listens to the topic `room/<roomId>`; returns the unsubscribe. A `first` listener hears each event
   * before the others (the room's native topic publisher, RoomTopics.ts, before the sessions).
   */
  subscribe(roomId: string, listener: RoomListener, first?: boolean): () => void
  /** Topics with listeners (for tests and metrics). */
  readonly topics: () => number
}

const PREFIX = "room-"

/** Starts the subscription in the current scope. Live only: a session that sees a gap re-reads the store (RoomSession.ts). */
export const makeRoomHub = Effect.gen(function*() {
  const store = yield* EventStore
  // per room: its first listeners, then the rest (a Set keeps insertion order within each)
  const topics = new Map<string, { readonly first: Set<RoomListener>; readonly rest: Set<RoomListener> }>()
  yield* store.subscribeToAll({ after: "end", filter: { streamPrefixes: [PREFIX] } }).pipe(
    Stream.runForEach((event) =>
      Effect.sync(() => {
        const room = topics.get(event.stream.slice(PREFIX.length))
        if (room === undefined) return
        for (const listener of [...room.first]) listener(event)
        for (const listener of [...room.rest]) listener(event)
      })
    ),
    // a store outage ends the stream: subscribe again; sessions fill what was missed from the store
    Effect.tapCause((cause) => Effect.logWarning("room fan-out subscription ended; resubscribing", cause)),
    Effect.retry(Schedule.spaced("1 second")),
    Effect.forkScoped
  )
  const hub: RoomHub = {
    subscribe: (roomId, listener, first = false) => {
      let room = topics.get(roomId)
      if (room === undefined) topics.set(roomId, room = { first: new Set(), rest: new Set() })
      const set = first ? room.first : room.rest
      set.add(listener)
      return () => {
        set.delete(listener)
        if (room.first.size === 0 && room.rest.size === 0 && topics.get(roomId) === room) topics.delete(roomId)
      }
    },
    topics: () => topics.size
  }
  return hub
})
