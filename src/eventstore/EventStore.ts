/** The event store port (DESIGN.md §5). Adapters: PgliteEventStore, PostgresEventStore, KurrentEventStore. */
import { Context, type Effect, type Option, type Stream } from "effect"
import type { EventStoreError, EventStoreUnavailable } from "./EventStoreError.ts"
import type {
  AppendResult,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  SubscribeToStreamOptions
} from "./EventStoreTypes.ts"

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
