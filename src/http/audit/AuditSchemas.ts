/** Request schemas of the audit endpoints (validation and /openapi.json). */
import { Schema } from "effect"
import { EntityId } from "../../domain/shared/Primitives.ts"

const Int = (min: number, max: number) => Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: min, maximum: max }))

/** `<category>-<id>`, as the event store names streams. */
export const StreamName = Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9_]*-[A-Za-z0-9][A-Za-z0-9_.:@-]{0,190}$/))

export const StreamParams = Schema.Struct({ stream: StreamName })

export const StreamEventsQuery = Schema.Struct({
  from: Schema.optional(Int(0, Number.MAX_SAFE_INTEGER).annotate({ description: "first revision (default: the start, or the end when backwards)" })),
  limit: Schema.optional(Int(1, 1000).annotate({ description: "events per page, 1–1000 (default 100)" })),
  direction: Schema.optional(Schema.Literals(["forwards", "backwards"]))
})

export const AggregateParams = Schema.Struct({
  type: Schema.Literals(["upload", "quota", "room", "stream", "view", "rating", "comment", "subscription"]),
  id: EntityId
})

export const AggregateQuery = Schema.Struct({
  at: Schema.optional(Schema.String.check(Schema.isBetweenLength(1, 40)).annotate({ description: "a revision (integer) or an ISO-8601 time; default: now" }))
})

export const ExportQuery = Schema.Struct({
  from: Schema.optional(Int(0, Number.MAX_SAFE_INTEGER).annotate({ description: "first global position (default 1)" })),
  category: Schema.optional(Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9_]*$/)).annotate({ description: "only streams of this category" })),
  types: Schema.optional(Schema.String.check(Schema.isPattern(/^[A-Za-z][A-Za-z0-9_.:-]*(,[A-Za-z][A-Za-z0-9_.:-]*)*$/)).annotate({ description: "comma-separated event types" }))
})

/** The event as stored, for the docs. */
export const RecordedEventView = Schema.Struct({
  id: Schema.String,
  stream: Schema.String,
  revision: Schema.Number,
  position: Schema.Number,
  type: Schema.String,
  data: Schema.Unknown,
  metadata: Schema.Struct({
    correlationId: Schema.optional(Schema.String),
    causationId: Schema.optional(Schema.String),
    userId: Schema.optional(Schema.String),
    occurredAt: Schema.String,
    schemaVersion: Schema.Number,
    prevHash: Schema.String,
    hash: Schema.String
  }),
  recordedAt: Schema.String
}).annotate({ identifier: "RecordedEvent" })

export const StreamPage = Schema.Struct({
  stream: Schema.String,
  direction: Schema.Literals(["forwards", "backwards"]),
  events: Schema.Array(RecordedEventView),
  next: Schema.NullOr(Schema.Number).annotate({ description: "`from` of the next page; null at the end" })
}).annotate({ identifier: "StreamPage" })

const BrokenLink = Schema.Struct({
  stream: Schema.String,
  revision: Schema.Number,
  position: Schema.Number,
  eventId: Schema.String,
  reason: Schema.Literals(["hash_mismatch", "prev_hash_mismatch", "revision_gap"]),
  expected: Schema.String,
  actual: Schema.String
})

export const ChainReportView = Schema.Struct({
  ok: Schema.Boolean,
  scope: Schema.String,
  checked: Schema.Number,
  streams: Schema.Number,
  broken: Schema.optional(BrokenLink),
  seconds: Schema.Number
}).annotate({ identifier: "ChainReport" })

export const AggregateAtView = Schema.Struct({
  type: Schema.String,
  id: Schema.String,
  stream: Schema.String,
  at: Schema.Union([Schema.String, Schema.Number]),
  revision: Schema.Number.annotate({ description: "last revision folded in; -1 when the point is before the first event" }),
  position: Schema.NullOr(Schema.Number),
  recordedAt: Schema.NullOr(Schema.String),
  eventsApplied: Schema.Number,
  state: Schema.Unknown.annotate({ description: "the decider's state, as its evolve built it" }),
  latest: Schema.Struct({ revision: Schema.Number, position: Schema.Number, recordedAt: Schema.String })
}).annotate({ identifier: "AggregateAt" })
