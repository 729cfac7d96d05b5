/** The data shapes of the event store port (DESIGN.md §5), shared by every adapter. */

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

/**
 * What the stream's head must be for an append to go through:
 * `"any"`, `"no_stream"` (the stream must not exist), `"stream_exists"`, or the exact
 * revision of the stream's last event (revisions count from 0).
 */
export type ExpectedRevision = "any" | "no_stream" | "stream_exists" | number

/** Metadata a caller may set on an event; the store fills in the rest. */
export interface EventMetadataInput {
  readonly correlationId?: string | undefined
  readonly causationId?: string | undefined
  readonly userId?: string | undefined
  /** ISO-8601; defaults to the store's clock at append. */
  readonly occurredAt?: string | undefined
  /** Version of the event's data schema; defaults to 1. */
  readonly schemaVersion?: number | undefined
}

/** Metadata as stored: the caller's fields plus the hash chain. */
export interface EventMetadata {
  readonly correlationId?: string
  readonly causationId?: string
  readonly userId?: string
  readonly occurredAt: string
  readonly schemaVersion: number
  /** Hash of the previous event of the same stream (64 zeros for the first). */
  readonly prevHash: string
  /** SHA-256 over (prevHash, type, canonical data, metadata without hash), hex. */
  readonly hash: string
}

export interface NewEvent {
  /** UUID. Give one to make a retried append idempotent; generated when absent. */
  readonly id?: string | undefined
  readonly type: string
  /** Must be JSON-serializable as is (no undefined in arrays, no NaN, no class instances, no cycles). */
  readonly data: unknown
  readonly metadata?: EventMetadataInput | undefined
}

export interface RecordedEvent {
  readonly id: string
  readonly stream: string
  /** Place in its stream, from 0. */
  readonly revision: number
  /** Place in the whole store: strictly increasing, ≥ 1, not necessarily contiguous. */
  readonly position: number
  readonly type: string
  readonly data: JsonValue
  readonly metadata: EventMetadata
  /** ISO-8601 time the store recorded it. */
  readonly recordedAt: string
}

export interface AppendResult {
  /** The events as recorded (for an idempotent retry: the ones recorded the first time). */
  readonly events: ReadonlyArray<RecordedEvent>
  /** The stream's revision after the append (the last event's revision). */
  readonly nextRevision: number
  /** Global position of the last event written. */
  readonly position: number
}

export type Direction = "forwards" | "backwards"

export interface ReadStreamOptions {
  readonly direction?: Direction
  /** First revision to read (inclusive); "start"/"end" by default for forwards/backwards. */
  readonly fromRevision?: number | "start" | "end"
  /** At most this many events; unbounded by default. */
  readonly maxCount?: number
}

/** A filter on read-all and subscribe-to-all; both parts must match when both are given. */
export interface EventFilter {
  /** Stream name prefixes, e.g. ["upload-", "quota-"]. */
  readonly streamPrefixes?: ReadonlyArray<string>
  readonly eventTypes?: ReadonlyArray<string>
}

export interface ReadAllOptions {
  readonly direction?: Direction
  /** First position to read (inclusive); "start"/"end" by default for forwards/backwards. */
  readonly fromPosition?: number | "start" | "end"
  readonly maxCount?: number
  readonly filter?: EventFilter
}

export interface SubscribeToAllOptions {
  /** Deliver events strictly after this position (a checkpoint); "start" (default) or "end" (live only). */
  readonly after?: number | "start" | "end"
  readonly filter?: EventFilter
}

export interface SubscribeToStreamOptions {
  /** Deliver events strictly after this revision; "start" (default) or "end" (live only). */
  readonly after?: number | "start" | "end"
}

/** A revision or position to read from (inclusive) or subscribe after (exclusive), or one end of the log. */
export type ReadCursor = number | "start" | "end"

/** readStream's options as the raw store gets them: checked, the direction's default cursor filled in. */
export interface StreamRead {
  readonly direction: Direction
  readonly from: ReadCursor
  readonly maxCount: number | undefined
}

/** readAll's options as the raw store gets them. */
export interface AllRead extends StreamRead {
  readonly filter: EventFilter | undefined
}

/** subscribeToAll's options as the raw store gets them ("start" unless given). */
export interface AllSubscription {
  readonly after: ReadCursor
  readonly filter: EventFilter | undefined
}
