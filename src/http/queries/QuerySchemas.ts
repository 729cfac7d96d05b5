/** Request (query string) and response schemas of the query API: they validate requests and document both in /openapi.json. */
import { Schema } from "effect"
import { LIVE_STREAM_STATES } from "../../../projections/StreamsProjection.ts"
import { ROOM_STATUSES } from "../../../projections/RoomsProjection.ts"
import { UPLOAD_STATUSES } from "../../../projections/UploadsProjection.ts"
import { VIDEO_STATUSES } from "../../../projections/VideosProjection.ts"
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
  status: Schema.optional(Schema.Literals(VIDEO_STATUSES))
})

export const UploadListQuery = Schema.Struct({
  ...paging,
  /** Admins only: another user's uploads. */
  owner: Schema.optional(Owner),
  status: Schema.optional(Schema.Literals(UPLOAD_STATUSES))
})

export const QuotaQuery = Schema.Struct({ ...freshness, user: Schema.optional(Owner) })

export const RoomListQuery = Schema.Struct({
  ...paging,
  status: Schema.optional(Schema.Literals(ROOM_STATUSES)),
  host: Schema.optional(Owner)
})

export const StreamListQuery = Schema.Struct({
  ...paging,
  owner: Schema.optional(Owner),
  state: Schema.optional(Schema.Literals(LIVE_STREAM_STATES))
})

// ---- responses (documentation; the documents themselves are the projections' types) ----

const N = Schema.NullOr(Schema.Number)
const S = Schema.NullOr(Schema.String)

const Rendition = Schema.Struct({
  name: Schema.String,
  width: Schema.Number,
  height: Schema.Number,
  bandwidth: Schema.Number,
  averageBandwidth: Schema.Number,
  codecs: Schema.String,
  frameRate: Schema.Number,
  playlistUrl: Schema.String
})

const media = {
  durationSeconds: N,
  width: N,
  height: N,
  renditions: Schema.Array(Rendition),
  masterPlaylistUrl: S,
  thumbnailUrl: S,
  thumbnailWidth: N,
  thumbnailHeight: N,
  sha256: S
}

export const VideoView = Schema.Struct({
  id: Schema.String,
  ownerId: Schema.String,
  title: Schema.String,
  filename: Schema.String,
  contentType: Schema.String,
  status: Schema.Literals(VIDEO_STATUSES),
  failureReason: S,
  ...media,
  sizeBytes: Schema.Number,
  createdAt: Schema.Number,
  readyAt: N,
  failedAt: N,
  updatedAt: Schema.Number,
  position: Schema.Number,
  revision: Schema.Number
}).annotate({ identifier: "Video" })

export const UploadView = Schema.Struct({
  id: Schema.String,
  ownerId: Schema.String,
  filename: Schema.String,
  container: Schema.String,
  contentType: Schema.String,
  declaredSize: Schema.Number,
  status: Schema.Literals(UPLOAD_STATUSES),
  size: Schema.Number.annotate({ description: "the declared size (tus Upload-Length)" }),
  offset: N.annotate({ description: "bytes acknowledged; null once the upload ended without all of them" }),
  expiresAt: N.annotate({ description: "while bytes are due: when the upload expires without progress" }),
  progress: Schema.Number,
  step: Schema.NullOr(Schema.Literals(["chunk", "transcode", "publish"])),
  stepState: Schema.NullOr(Schema.Literals(["waiting", "running", "retrying"])),
  attempts: Schema.Number,
  lease: Schema.NullOr(Schema.Struct({ workerId: Schema.String, attempt: Schema.Number, expiresAt: Schema.Number })),
  retryAt: N,
  lastError: Schema.NullOr(Schema.Struct({ step: Schema.String, attempt: Schema.Number, reason: Schema.String, at: Schema.Number })),
  reason: S,
  stepsDone: Schema.Array(Schema.String),
  chunkParts: Schema.Number,
  chunkedBytes: Schema.Number,
  media: Schema.Struct({ ...media, sizeBytes: N }),
  outputs: Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Number, Schema.Boolean])),
  milestones: Schema.Array(Schema.Struct({ name: Schema.String, at: Schema.Number, position: Schema.Number, attempt: Schema.optional(Schema.Number) })),
  createdAt: Schema.Number,
  lastProgressAt: Schema.Number,
  receivedAt: N,
  endedAt: N,
  updatedAt: Schema.Number,
  position: Schema.Number,
  revision: Schema.Number
}).annotate({ identifier: "Upload" })

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

export const RoomView = Schema.Struct({
  id: Schema.String,
  hostId: Schema.String,
  title: S,
  videoId: S,
  tier: Schema.Literals(["sponsor", "standard"]),
  capacity: Schema.Number,
  status: Schema.Literals(ROOM_STATUSES),
  memberCount: Schema.Number,
  members: Schema.Array(Schema.Struct({ userId: Schema.String, joinedAt: Schema.Number })),
  controllers: Schema.Array(Schema.String),
  playback: Schema.Struct({ playing: Schema.Boolean, positionMs: Schema.Number, updatedAt: Schema.Number, by: S }),
  chatMessages: Schema.Number,
  openedAt: Schema.Number,
  lastActivityAt: Schema.Number,
  closedAt: N,
  closeReason: Schema.NullOr(Schema.Literals(["host", "admin", "inactive"])),
  position: Schema.Number,
  revision: Schema.Number
}).annotate({ identifier: "Room" })

export const StreamView = Schema.Struct({
  id: Schema.String,
  ownerId: Schema.String,
  source: Schema.Literals(["watch", "push"]),
  sourceRef: S,
  state: Schema.Literals(LIVE_STREAM_STATES),
  chunkSizeBytes: Schema.Number,
  chunksSealed: Schema.Number,
  bytesSealed: Schema.Number,
  chunksUploaded: Schema.Number,
  bytesUploaded: Schema.Number,
  pendingChunks: Schema.Number,
  pendingBytes: Schema.Number,
  lastGrowthAt: Schema.Number,
  idleSeconds: Schema.Number.annotate({ description: "seconds since the source last grew (computed when answering)" }),
  startedAt: Schema.Number,
  endedAt: N,
  endReason: Schema.NullOr(Schema.Literals(["timeout", "explicit"])),
  finalizedAt: N,
  totalSize: N,
  updatedAt: Schema.Number,
  position: Schema.Number,
  revision: Schema.Number
}).annotate({ identifier: "LiveStream" })

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
