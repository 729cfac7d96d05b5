/** The event store port (DESIGN.md §5). Adapters: PgliteEventStore, PostgresEventStore, KurrentEventStore. */
import { Context, Effect, type Option, Stream } from "effect"
import type { EventStoreError, EventStoreUnavailable } from "./EventStoreError.ts"
import type {
  AllRead,
  AllSubscription,
  AppendResult,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadCursor,
  ReadStreamOptions,
  RecordedEvent,
  StreamRead,
  SubscribeToAllOptions,
  SubscribeToStreamOptions
} from "./EventStoreTypes.ts"
import {
  validateAfter,
  validateAppend,
  type ValidAppend,
  validateCheckpointName,
  validateDirection,
  validateFilter,
  validateMaxCount,
  validatePosition,
  validateReadFrom,
  validateStreamName
} from "./EventValidation.ts"

export interface EventStoreShape {
  /** Which adapter this is ("embedded", "postgres", "kurrent"), for logs and readiness. */
  readonly kind: string
  /**
   * Appends events atomically at the stream's head. Every event gets the next revision,
   * a global position and the hash-chain metadata. Appending events whose ids were all
   * already written to this stream returns the first result again (idempotent retry).
   */
  append(
    stream: string,
    events: ReadonlyArray<NewEvent>,
    options?: { readonly expectedRevision?: ExpectedRevision }
  ): Effect.Effect<AppendResult, EventStoreError>
  /** Reads one stream; a stream that does not exist reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Effect.Effect<ReadonlyArray<RecordedEvent>, EventStoreError>
  /** Reads all streams in global order (backwards: descending). */
  readAll(options?: ReadAllOptions): Effect.Effect<ReadonlyArray<RecordedEvent>, EventStoreError>
  /** Catch-up subscription: history after `after`, then live events, in position order, no gap, no duplicate. */
  subscribeToAll(options?: SubscribeToAllOptions): Stream.Stream<RecordedEvent, EventStoreError>
  /** Catch-up subscription to one stream, in revision order. */
  subscribeToStream(stream: string, options?: SubscribeToStreamOptions): Stream.Stream<RecordedEvent, EventStoreError>
  /** The position of the newest event, 0 when the store is empty. */
  readonly headPosition: Effect.Effect<number, EventStoreError>
  /** A consumer's durable checkpoint (the last position it fully handled). */
  readCheckpoint(name: string): Effect.Effect<Option.Option<number>, EventStoreError>
  storeCheckpoint(name: string, position: number): Effect.Effect<void, EventStoreError>
  /** Succeeds when the backing store answers; for /readyz. */
  readonly ping: Effect.Effect<void, EventStoreUnavailable>
}

export class EventStore extends Context.Service<EventStore, EventStoreShape>()("keyframe/EventStore") {}

/**
 * What an adapter implements: the port's operations on arguments makeEventStore already checked
 * (stream and checkpoint names, expected revisions, cursors, directions, limits, filters, events),
 * with every default filled in. An adapter checks nothing of its input, so none can drift.
 */
export interface RawEventStore {
  readonly kind: string
  append(request: ValidAppend): Effect.Effect<AppendResult, EventStoreError>
  readStream(stream: string, read: StreamRead): Effect.Effect<ReadonlyArray<RecordedEvent>, EventStoreError>
  readAll(read: AllRead): Effect.Effect<ReadonlyArray<RecordedEvent>, EventStoreError>
  subscribeToAll(subscription: AllSubscription): Stream.Stream<RecordedEvent, EventStoreError>
  subscribeToStream(stream: string, after: ReadCursor): Stream.Stream<RecordedEvent, EventStoreError>
  readonly headPosition: Effect.Effect<number, EventStoreError>
  readCheckpoint(name: string): Effect.Effect<Option.Option<number>, EventStoreError>
  storeCheckpoint(name: string, position: number): Effect.Effect<void, EventStoreError>
  readonly ping: Effect.Effect<void, EventStoreUnavailable>
}

/** The port over an adapter's raw store: every input check runs here, once, before the raw method. */
export const makeEventStore = (raw: RawEventStore): EventStoreShape => ({
  kind: raw.kind,
  append: Effect.fn("EventStore.append")(function*(stream, events, options) {
    return yield* raw.append(yield* validateAppend(stream, events, options?.expectedRevision))
  }),
  readStream: Effect.fn("EventStore.readStream")(function*(stream, options) {
    const name = yield* validateStreamName(stream)
    const direction = yield* validateDirection(options?.direction)
    const from = yield* validateReadFrom("fromRevision", options?.fromRevision, direction)
    const maxCount = yield* validateMaxCount(options?.maxCount)
    return yield* raw.readStream(name, { direction, from, maxCount })
  }),
  readAll: Effect.fn("EventStore.readAll")(function*(options) {
    const direction = yield* validateDirection(options?.direction)
    const from = yield* validateReadFrom("fromPosition", options?.fromPosition, direction)
    const maxCount = yield* validateMaxCount(options?.maxCount)
    const filter = yield* validateFilter(options?.filter)
    return yield* raw.readAll({ direction, from, maxCount, filter })
  }),
  subscribeToAll: (options) =>
    Stream.unwrap(Effect.gen(function*() {
      const after = yield* validateAfter(options?.after)
      const filter = yield* validateFilter(options?.filter)
      return raw.subscribeToAll({ after, filter })
    })),
  subscribeToStream: (stream, options) =>
    Stream.unwrap(Effect.gen(function*() {
      const name = yield* validateStreamName(stream)
      return raw.subscribeToStream(name, yield* validateAfter(options?.after))
    })),
  headPosition: raw.headPosition.pipe(Effect.withSpan("EventStore.headPosition")),
  readCheckpoint: Effect.fn("EventStore.readCheckpoint")(function*(name) {
    return yield* raw.readCheckpoint(yield* validateCheckpointName(name))
  }),
  storeCheckpoint: Effect.fn("EventStore.storeCheckpoint")(function*(name, position) {
    const checkpoint = yield* validateCheckpointName(name)
    return yield* raw.storeCheckpoint(checkpoint, yield* validatePosition(position))
  }),
  ping: raw.ping.pipe(Effect.withSpan("EventStore.ping"))
})
