/** Reads from KurrentDB in the port's terms: one stream, all streams (inclusive cursors both ways), the head. */
import {
  BACKWARDS,
  END,
  excludeSystemEvents,
  FORWARDS,
  type KurrentDBClient,
  type ReadPosition,
  type ReadRevision,
  START
} from "@kurrent/kurrentdb-client"
import { Effect } from "effect"
import type { EventStoreUnavailable } from "../EventStoreError.ts"
import type { AllRead, Direction, EventFilter, ReadCursor, RecordedEvent } from "../EventStoreTypes.ts"
import { isStreamNotFound, numberToPosition, planFilter, positionToNumber, toRecordedEvent, unavailable } from "./KurrentMapping.ts"

export interface StreamRead {
  readonly direction: Direction
  readonly fromRevision: ReadRevision
  readonly maxCount?: number | undefined
}

/** Reads one stream; a missing stream reads as empty. */
export const readStreamEvents = (
  client: KurrentDBClient,
  stream: string,
  read: StreamRead
): Effect.Effect<Array<RecordedEvent>, EventStoreUnavailable> =>
  Effect.tryPromise({
    try: async () => {
      const out: Array<RecordedEvent> = []
      try {
        const events = client.readStream(stream, {
          direction: read.direction === "forwards" ? FORWARDS : BACKWARDS,
          fromRevision: read.fromRevision,
          maxCount: read.maxCount ?? Number.MAX_SAFE_INTEGER
        })
        for await (const resolved of events) {
          const event = toRecordedEvent(resolved)
          if (event !== undefined) out.push(event)
        }
      } catch (e) {
        if (isStreamNotFound(e)) return []
        throw e
      }
      return out
    },
    catch: unavailable("readStream")
  })

export const revisionCursor = (from: ReadCursor): ReadRevision => (from === "start" ? START : from === "end" ? END : BigInt(from))

/** Reads $all from a KurrentDB cursor, applying the filter plan and counting `maxCount` after it. */
const readAllFrom = async (
  client: KurrentDBClient,
  fromPosition: ReadPosition,
  direction: Direction,
  maxCount: number | undefined,
  filter: EventFilter | undefined
): Promise<Array<RecordedEvent>> => {
  const plan = planFilter(filter)
  const out: Array<RecordedEvent> = []
  if (maxCount === 0) return out
  const events = client.readAll({
    direction: direction === "forwards" ? FORWARDS : BACKWARDS,
    fromPosition,
    filter: plan.server,
    // with a client-side part the server's count would include events dropped here
    maxCount: plan.clientSide || maxCount === undefined ? Number.MAX_SAFE_INTEGER : maxCount
  })
  for await (const resolved of events) {
    const event = toRecordedEvent(resolved)
    if (event === undefined || !plan.keep(event)) continue
    out.push(event)
    if (maxCount !== undefined && out.length >= maxCount) break
  }
  return out
}

/**
 * The first log position strictly after `position` (a KurrentDB record boundary), or END. Reading
 * $all backwards from a position excludes the event there; the port's cursor is inclusive, so a
 * backwards read starts from the next event's position instead.
 */
const boundaryAfter = async (client: KurrentDBClient, position: number): Promise<ReadPosition> => {
  for await (const resolved of client.readAll({ fromPosition: numberToPosition(position), maxCount: 2 })) {
    const commit = resolved.event?.position?.commit ?? resolved.commitPosition
    if (commit !== undefined && positionToNumber(commit) > position) return numberToPosition(positionToNumber(commit))
  }
  return END
}

export const readAllEvents = (client: KurrentDBClient, read: AllRead): Effect.Effect<Array<RecordedEvent>, EventStoreUnavailable> =>
  Effect.tryPromise({
    try: async () => {
      const { direction, filter, from, maxCount } = read
      if (direction === "forwards") {
        const cursor: ReadPosition = from === "start" || from === 0 ? START : from === "end" ? END : numberToPosition(from)
        return readAllFrom(client, cursor, direction, maxCount, filter)
      }
      const cursor: ReadPosition = from === "end"
        ? END
        : from === "start" || from === 0
        ? START
        : await boundaryAfter(client, from)
      return readAllFrom(client, cursor, direction, maxCount, filter)
    },
    catch: unavailable("readAll")
  })

/** Position of the newest non-system event, 0 for an empty store. */
export const newestPosition = (client: KurrentDBClient): Effect.Effect<number, EventStoreUnavailable> =>
  Effect.tryPromise({
    try: async () => {
      // unbounded but lazy: the server streams on demand and the loop stops at the first event of ours
      const events = client.readAll({ direction: BACKWARDS, fromPosition: END, filter: excludeSystemEvents() })
      for await (const resolved of events) {
        const event = toRecordedEvent(resolved)
        if (event !== undefined) return event.position
      }
      return 0
    },
    catch: unavailable("headPosition")
  })

/** The cheapest call that needs the server: one record from the end of $all. */
export const pingServer = (client: KurrentDBClient): Effect.Effect<void, EventStoreUnavailable> =>
  Effect.tryPromise({
    try: async () => {
      for await (const _ of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break
    },
    catch: unavailable("ping")
  })
