/** The aggregates an auditor can rebuild, by stream category, and the replay of one up to a revision or an instant. */
import { Effect } from "effect"
import { CommentAggregate } from "../../domain/comment/CommentAggregate.ts"
import { QuotaAggregate } from "../../domain/quota/QuotaAggregate.ts"
import { RatingAggregate } from "../../domain/rating/RatingAggregate.ts"
import { RoomAggregate } from "../../domain/room/RoomAggregate.ts"
import type { Aggregate } from "../../domain/shared/Decider.ts"
import { StreamAggregate } from "../../domain/stream/StreamAggregate.ts"
import { SubscriptionAggregate } from "../../domain/subscription/SubscriptionAggregate.ts"
import { UploadAggregate } from "../../domain/upload/UploadAggregate.ts"
import { ViewAggregate } from "../../domain/view/ViewAggregate.ts"
import { EventStore } from "../../eventstore/EventStore.ts"
import type { RecordedEvent } from "../../eventstore/EventStoreTypes.ts"
import { HttpError, notFound } from "../HttpError.ts"

type AnyAggregate = Aggregate<any, any, any, any, any>

export const AUDITED_AGGREGATES: Readonly<Record<string, AnyAggregate>> = {
  upload: UploadAggregate,
  quota: QuotaAggregate,
  room: RoomAggregate,
  stream: StreamAggregate,
  view: ViewAggregate,
  rating: RatingAggregate,
  comment: CommentAggregate,
  subscription: SubscriptionAggregate
}

/** A point in a stream's history: after the event of that revision, or after the last event recorded at or before that instant. */
export type AuditPoint = { readonly revision: number } | { readonly time: number; readonly text: string } | undefined

/** `at` as given: an integer is a revision, anything else must be an ISO-8601 instant. */
export const parseAuditPoint = (at: string | undefined): AuditPoint | HttpError => {
  if (at === undefined || at === "") return undefined
  if (/^\d{1,15}$/.test(at)) return { revision: Number(at) }
  const time = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(at) ? Date.parse(at) : Number.NaN
  if (Number.isNaN(time)) {
    return new HttpError({ status: 422, code: "VALIDATION_FAILED", message: `query.at: expected a revision (integer) or an ISO-8601 time, got ${JSON.stringify(at)}`, details: { path: "query.at" } })
  }
  return { time, text: at }
}

const PAGE = 1000

const include = (point: AuditPoint, event: RecordedEvent): boolean =>
  point === undefined ? true : "revision" in point ? event.revision <= point.revision : Date.parse(event.recordedAt) <= point.time

/**
 * Replays the aggregate's decider (`evolve`) over its stream up to the point. Reads in pages,
 * so a long stream is never held whole. 404 when the stream has no events at all.
 */
export const aggregateAt = (category: string, id: string, point: AuditPoint) =>
  Effect.gen(function*() {
    const aggregate = AUDITED_AGGREGATES[category]
    if (aggregate === undefined) return yield* notFound(`no aggregate type "${category}" (known: ${Object.keys(AUDITED_AGGREGATES).join(", ")})`)
    const store = yield* EventStore
    const stream = `${category}-${id}`
    let state: unknown = aggregate.decider.initialState
    let applied: RecordedEvent | undefined
    let head: RecordedEvent | undefined
    let eventsApplied = 0
    let from = 0
    for (;;) {
      const page = yield* store.readStream(stream, { fromRevision: from, maxCount: PAGE })
      for (const event of page) {
        head = event
        if (!include(point, event)) continue
        const decoded = aggregate.events.decode({ type: event.type, data: event.data, schemaVersion: event.metadata.schemaVersion ?? 1 })
        if (decoded._tag === "Failure") {
          return yield* new HttpError({
            status: 422,
            code: "EVENT_UNDECODABLE",
            message: `${stream}@${event.revision} (${event.type}) does not decode: ${decoded.failure.message}`
          })
        }
        state = aggregate.decider.evolve(state, decoded.success)
        applied = event
        eventsApplied++
      }
      // Past the point there is nothing more to fold (revisions and recorded times only grow).
      const last = page[page.length - 1]
      if (page.length < PAGE || last === undefined || !include(point, last)) break
      from = last.revision + 1
    }
    if (head === undefined) return yield* notFound(`stream ${stream} has no events`)
    return {
      type: category,
      id,
      stream,
      at: point === undefined ? "head" : "revision" in point ? point.revision : point.text,
      revision: applied?.revision ?? -1,
      position: applied?.position ?? null,
      recordedAt: applied?.recordedAt ?? null,
      eventsApplied,
      state,
      /** The stream's newest event seen while reading (the head when the point is the head). */
      latest: { revision: head.revision, position: head.position, recordedAt: head.recordedAt }
    }
  })
