/** Pure conversions between the KurrentDB client's shapes and the event store port's shapes. */
import {
  eventTypeFilter,
  excludeSystemEvents,
  type Filter,
  type Position,
  type RecordedEvent as KurrentRecorded,
  type ResolvedEvent,
  streamNameFilter
} from "@kurrent/kurrentdb-client"
import { EventStoreUnavailable } from "../EventStoreError.ts"
import type { EventFilter, EventMetadata, JsonValue, RecordedEvent } from "../EventStoreTypes.ts"

/** Type of the events that hold consumer checkpoints: `$`-prefixed, so every "skip system events" rule skips them. */
export const CHECKPOINT_EVENT_TYPE = "$keyframe.checkpoint"
/** Checkpoint streams: `keyframe_checkpoint-<name>` (not `$…`, which needs admin rights on a secured server). */
export const checkpointStream = (name: string): string => `keyframe_checkpoint-${name}`

/**
 * A KurrentDB position is a byte offset in the transaction log (`commit`; events written through
 * gRPC are self-committed, so `prepare` equals `commit` and every event has its own, increasing
 * commit position). As a JS number it is exact up to 2^53 bytes (8 PiB of log), far beyond any
 * single database, so positions cross the port as numbers; anything larger fails loudly.
 */
export const positionToNumber = (commit: bigint | number): number => {
  const n = typeof commit === "bigint" ? Number(commit) : commit
  if (!Number.isSafeInteger(n) || n < 0 || BigInt(n) !== BigInt(commit)) {
    throw new Error(`KurrentDB position ${String(commit)} is not a usable position (needs a server ≥ 22.6)`)
  }
  return n
}

export const numberToPosition = (position: number): Position => ({ commit: BigInt(position), prepare: BigInt(position) })

export const isSystemEvent = (raw: { readonly type: string; readonly streamId: string }): boolean =>
  raw.type.startsWith("$") || raw.streamId.startsWith("$")

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)

/** What goes into KurrentDB's event metadata: ours, plus its own `$correlationId`/`$causationId` conventions. */
export const storedMetadata = (metadata: EventMetadata): Record<string, unknown> => ({
  ...metadata,
  ...(metadata.correlationId !== undefined && { $correlationId: metadata.correlationId }),
  ...(metadata.causationId !== undefined && { $causationId: metadata.causationId })
})

const decodeData = (raw: KurrentRecorded): JsonValue => {
  if (!(raw.data instanceof Uint8Array)) return raw.data as JsonValue
  // written by another tool as binary: JSON if it parses, otherwise the text
  const text = new TextDecoder().decode(raw.data)
  try {
    return JSON.parse(text) as JsonValue
  } catch {
    return text
  }
}

const decodeMetadata = (raw: KurrentRecorded, recordedAt: string): EventMetadata => {
  const { $correlationId: _c, $causationId: _k, ...ours } = isPlainObject(raw.metadata) ? raw.metadata : {}
  return {
    ...ours,
    occurredAt: typeof ours.occurredAt === "string" ? ours.occurredAt : recordedAt,
    schemaVersion: typeof ours.schemaVersion === "number" ? ours.schemaVersion : 1,
    // events written by other tools carry no chain: the auditor reports them
    prevHash: typeof ours.prevHash === "string" ? ours.prevHash : "",
    hash: typeof ours.hash === "string" ? ours.hash : ""
  } as EventMetadata
}

/** A recorded event in the port's shape, or undefined for system events (`$` types or streams) and links. */
export const toRecordedEvent = (resolved: ResolvedEvent | { readonly event?: KurrentRecorded | undefined }): RecordedEvent | undefined => {
  const raw = resolved.event as KurrentRecorded | undefined
  if (raw === undefined || isSystemEvent(raw)) return undefined
  if (raw.position === undefined) {
    throw new Error("KurrentDB returned an event without its position (EventStoreDB ≥ 22.6 / KurrentDB needed)")
  }
  const recordedAt = raw.created.toISOString()
  return {
    id: raw.id.toLowerCase(),
    stream: raw.streamId,
    revision: Number(raw.revision),
    position: positionToNumber(raw.position.commit),
    type: raw.type,
    data: decodeData(raw),
    metadata: decodeMetadata(raw, recordedAt),
    recordedAt
  }
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

export interface FilterPlan {
  /** Applied by the server: KurrentDB filters on one thing, stream names or event types. */
  readonly server: Filter
  /** Whatever the server could not apply. */
  readonly keep: (event: RecordedEvent) => boolean
  /** True when `keep` may drop events the server sent (limits must then be counted here). */
  readonly clientSide: boolean
}

/**
 * Stream prefixes go to the server as a prefix filter; event types as an exact-match regex
 * (KurrentDB's type "prefixes" would let `Paid` match `PaidBack`). With both, the server
 * filters the prefixes and the types are checked here. No filter still excludes system events.
 */
export const planFilter = (filter: EventFilter | undefined): FilterPlan => {
  const prefixes = filter?.streamPrefixes !== undefined && filter.streamPrefixes.length > 0 ? [...filter.streamPrefixes] : undefined
  const types = filter?.eventTypes !== undefined && filter.eventTypes.length > 0 ? new Set(filter.eventTypes) : undefined
  const typeRegex = types && `^(?:${[...types].map(escapeRegex).join("|")})$`
  if (prefixes !== undefined) {
    return {
      server: streamNameFilter({ prefixes }),
      keep: types === undefined ? () => true : (e) => types.has(e.type),
      clientSide: types !== undefined
    }
  }
  if (typeRegex !== undefined) {
    return { server: eventTypeFilter({ regex: typeRegex }), keep: (e) => types!.has(e.type), clientSide: false }
  }
  return { server: excludeSystemEvents(), keep: () => true, clientSide: false }
}

const errorType = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && typeof (e as { type?: unknown }).type === "string"
    ? (e as { type: string }).type
    : undefined

export const isStreamNotFound = (e: unknown): boolean => errorType(e) === "stream-not-found"
export const isWrongExpectedVersion = (e: unknown): boolean => errorType(e) === "wrong-expected-version"
export const isAppendTooLarge = (e: unknown): boolean =>
  errorType(e) === "maximum-append-size-exceeded" || errorType(e) === "append-record-size-exceeded"

const describe = (cause: unknown): string => (cause instanceof Error ? cause.message || cause.name : String(cause))

/** Every driver failure we do not map to a domain error means the server could not do it. */
export const unavailable = (operation: string) => (cause: unknown): EventStoreUnavailable =>
  cause instanceof EventStoreUnavailable
    ? cause
    : new EventStoreUnavailable({ reason: `KurrentDB ${operation}: ${describe(cause)}`, cause })
