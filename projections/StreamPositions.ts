/**
 * The newest global position this process knows for each stream, per event type: what it appended
 * itself and what its subscriptions delivered. A single-document query waits for that position
 * instead of asking the event store for the stream's head on every request (README "Read your writes").
 */
import { Context, Effect, Layer, Stream } from "effect"
import { EventStore, type EventStoreShape } from "../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"
import { LruMap } from "../src/collections/LruMap.ts"

export interface StreamPositionsShape {
  /** Records that `event` is in its stream (keeps the highest position per type). */
  note(event: Pick<RecordedEvent, "stream" | "type" | "position">): void
  /** The newest known position in `stream` among events of the `handled` types; 0 when none is known. */
  newest(stream: string, handled: ReadonlySet<string>): number
}

/** Streams remembered; the least recently touched are forgotten (their reads then wait for nothing: still correct for other nodes' writes, which need the header anyway). */
const CAPACITY = 200_000

export const makeStreamPositions = (capacity = CAPACITY): StreamPositionsShape => {
  const streams = new LruMap<string, Map<string, number>>(capacity)
  return {
    note: ({ stream, type, position }) => {
      let types = streams.get(stream)
      if (types === undefined) streams.set(stream, types = new Map())
      if ((types.get(type) ?? -1) < position) types.set(type, position)
    },
    newest: (stream, handled) => {
      const types = streams.get(stream)
      if (types === undefined) return 0
      let max = 0
      for (const [type, position] of types) if (position > max && handled.has(type)) max = position
      return max
    }
  }
}

/** The event store with every append and every delivered subscription event noted in `positions`. */
export const trackPositions = (store: EventStoreShape, positions: StreamPositionsShape): EventStoreShape => ({
  ...store,
  append: (stream, events, options) =>
    Effect.tap(store.append(stream, events, options), (result) =>
      Effect.sync(() => {
        for (const event of result.events) positions.note(event)
      })),
  subscribeToAll: (options) => Stream.tap(store.subscribeToAll(options), (event) => Effect.sync(() => positions.note(event))),
  subscribeToStream: (stream, options) => Stream.tap(store.subscribeToStream(stream, options), (event) => Effect.sync(() => positions.note(event)))
})

export class StreamPositions extends Context.Service<StreamPositions, StreamPositionsShape>()("keyframe/StreamPositions") {
  /**
   * Wraps an event store layer: the process's EventStore is the tracking one, beside the positions
   * it fills. Every process that serves queries builds its event store through this.
   */
  static tracking<E, R>(store: Layer.Layer<EventStore, E, R>): Layer.Layer<EventStore | StreamPositions, E, R> {
    return Layer.effectContext(Effect.gen(function*() {
      const raw = yield* EventStore
      const positions = makeStreamPositions()
      return Context.make(EventStore, trackPositions(raw, positions)).pipe(Context.add(StreamPositions, positions))
    })).pipe(Layer.provide(store))
  }
}
