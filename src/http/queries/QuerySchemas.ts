/** Request (query string) and response schemas of the query API: they validate requests and document both in /openapi.json. */
import { Schema } from "effect"
import { RoomDocument, RoomStatus } from "../../../projections/RoomsProjection.ts"
import { LiveStreamState, StreamDocument } from "../../../projections/StreamsProjection.ts"
import { UploadStatus } from "../../../projections/UploadsProjection.ts"
import { CategoryDocument } from "../../../projections/CategoryDocument.ts"
import { VideoSort } from "../../../projections/VideoDocument.ts"
import { VideoDocument, VideoStatus } from "../../../projections/VideosProjection.ts"
import { CategorySlug } from "../../domain/video/VideoCommands.ts"
import { EntityId } from "../../domain/shared/Primitives.ts"

const Int = (min: number, max: number) => Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: min, maximum: max }))

export const DEFAULT_PAGE_SIZE = 20

const paging = {
  limit: Schema.optional(Int(1, 100).annotate({ description: `page size, 1–100 (default ${DEFAULT_PAGE_SIZE})` })),
  cursor: Schema.optional(Schema.String.check(Schema.isBetweenLength(1, 1500)).annotate({ description: "`next` of the previous page" })),
  minPosition: Schema.optional(
    Int(0, Number.MAX_SAFE_INTEGER).annotate({ description: "read-your-writes: wait until the read model has passed this global position (also header Keyframe-Min-Position)" })
  )
}
const freshness = { minPosition: paging.minPosition }

/** A user id, or `me`. */
const Owner = Schema.String.check(Schema.isPattern(/^(me|[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99})$/)).annotate({ description: "a user id, or `me`" })

export const IdParams = Schema.Struct({ id: EntityId })
export const FreshnessQuery = Schema.Struct(freshness)

export const VideoListQuery = Schema.Struct({
  ...paging,
  owner: Schema.optional(Owner),
  status: Schema.optional(VideoStatus.annotate({ description: "your own (owner=me) or, for admins, anyone's; with owner only, sorted newest" })),
  category: Schema.optional(CategorySlug.annotate({ description: "a category's slug (GET /categories); unknown: 422 UNKNOWN_CATEGORY" })),
  q: Schema.optional(Schema.String.check(Schema.isBetweenLength(1, 100)).annotate({
    description: "title substring, case-insensitive; each page scans at most 500 videos of the listing (fewer items and a `next` may come back)"
  })),
  sort: Schema.optional(VideoSort.annotate({ description: "newest (default), views (most viewed), likes (most liked)" }))
})

export const UploadListQuery = Schema.Struct({
  ...paging,
  /** Admins only: another user's uploads. */
  owner: Schema.optional(Owner),
  status: Schema.optional(UploadStatus)
})

export const QuotaQuery = Schema.Struct({ ...freshness, user: Schema.optional(Owner) })

export const RoomListQuery = Schema.Struct({
  ...paging,
  status: Schema.optional(RoomStatus),
  host: Schema.optional(Owner)
})

export const StreamListQuery = Schema.Struct({
  ...paging,
  owner: Schema.optional(Owner),
  state: Schema.optional(LiveStreamState)
})

// ---- responses: the read models' documents as their projections define them, plus what a route adds ----

export const VideoView = VideoDocument.annotate({ identifier: "Video" })

/** `GET /videos/:id`: the catalog entry with its comment count and the caller's own rating. */
export const VideoDetailView = Schema.Struct({
  ...VideoDocument.fields,
  comments: Schema.Finite.annotate({ description: "comments on it, as the engagement read model counts them" }),
  myRating: Schema.Literals(["like", "dislike", "none"]).annotate({ description: "the caller's rating (PUT /videos/:id/rating)" })
}).annotate({ identifier: "VideoDetail" })

export const CategoryView = CategoryDocument.annotate({ identifier: "Category" })

export const CategoryList = Schema.Struct({ items: Schema.Array(CategoryView) }).annotate({ identifier: "CategoryList" })

export const RoomView = RoomDocument.annotate({ identifier: "Room" })

/** A live stream and how long its source has been idle. */
export const StreamView = Schema.Struct({
  ...StreamDocument.fields,
  idleSeconds: Schema.Finite.annotate({ description: "seconds since the source last grew (computed when answering)" })
}).annotate({ identifier: "LiveStream" })
export type StreamView = typeof StreamView.Type

// The upload's view (tus names, expiry) is in UploadView.ts, beside the function that makes it.

const N = Schema.NullOr(Schema.Number)

export const QuotaView = Schema.Struct({
  userId: Schema.String,
  periodStart: Schema.String.annotate({ description: "ISO-8601" }),
  periodEnd: Schema.String,
  resetsAt: Schema.String,
  unlimited: Schema.Boolean,
  limitBytes: N.annotate({ description: "null when unlimited" }),
  limitOverride: N.annotate({ description: "an admin's override: null = the configured default, -1 = unlimited" }),
  reservedBytes: Schema.Number,
  committedBytes: Schema.Number,
  usedBytes: Schema.Number,
  remainingBytes: N.annotate({ description: "null when unlimited" }),
  openReservations: Schema.Number
}).annotate({ identifier: "Quota" })

/** `{ items, next }`: `next` is the cursor of the following page, null on the last. */
export const pageOf = <S extends Schema.Top>(item: S, name: string) =>
  Schema.Struct({ items: Schema.Array(item), next: Schema.NullOr(Schema.String) }).annotate({ identifier: `${name}Page` })

/** Response headers every query documents. */
export const queryHeaders = {
  ETag: "SHA-256 of the body; send it back in If-None-Match to get 304 when nothing changed",
  "Keyframe-Position": "the global position the read model has folded in"
} as const

/** Request headers every query documents. */
export const queryRequestHeaders = [
  { name: "If-None-Match", description: "an ETag from an earlier answer: 304 Not Modified when still current" },
  { name: "Keyframe-Min-Position", description: "read-your-writes: the Keyframe-Position of your command; waits (bounded) until the read model has passed it, else 503 READ_MODEL_BEHIND" }
] as const
