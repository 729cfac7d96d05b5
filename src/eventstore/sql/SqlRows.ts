/** Turning event rows of the SQL event store into RecordedEvents. */
import type { EventMetadata, JsonValue, RecordedEvent } from "../EventStoreTypes.ts"

/** The column list every event read selects, in the shape `toRecordedEvent` expects. */
export const EVENT_COLUMNS = "position, stream, revision, id, type, data, metadata, recorded_at"

export interface EventRow {
  readonly [key: string]: unknown
  readonly position: unknown
  readonly stream: unknown
  readonly revision: unknown
  readonly id: unknown
  readonly type: unknown
  readonly data: unknown
  readonly metadata: unknown
  readonly recorded_at: unknown
}

const isoTime = (value: unknown): string =>
  value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()

export const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  id: String(row.id),
  stream: String(row.stream),
  revision: Number(row.revision),
  position: Number(row.position),
  type: String(row.type),
  data: row.data as JsonValue, // both drivers parse jsonb
  metadata: row.metadata as EventMetadata,
  recordedAt: isoTime(row.recorded_at)
})
