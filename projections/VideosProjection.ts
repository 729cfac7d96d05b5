/**
 * The video catalog: one document per upload that became (or is becoming) a video, folded from the upload's
 * stream (status, media facts) and the video's (title, category, visibility, publication, takedown, allowed origins; deleted →
 * removed), its engagement counts (views from the `view-…` streams, likes and dislikes from the `rating-…`
 * ones: what the catalog sorts by), plus the category catalog as a second model. Indexes: projections/VideoDocument.ts.
 */
import { CatalogEventCodec } from "../src/domain/catalog/CatalogAggregate.ts"
import { CatalogEvent } from "../src/domain/catalog/CatalogEvents.ts"
import { UploadAggregate } from "../src/domain/upload/UploadAggregate.ts"
import { UploadEvent } from "../src/domain/upload/UploadEvents.ts"
import { RatingEventCodec } from "../src/domain/rating/RatingAggregate.ts"
import { RatingEvent } from "../src/domain/rating/RatingEvents.ts"
import { ViewEventCodec } from "../src/domain/view/ViewAggregate.ts"
import { ViewEvent } from "../src/domain/view/ViewEvents.ts"
import { VideoAggregate } from "../src/domain/video/VideoAggregate.ts"
import { narrowsAccess, VideoEvent } from "../src/domain/video/VideoEvents.ts"
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"
import { type CategoryDoc, evolveCategoryDoc } from "./CategoryDocument.ts"
import { entityIdOf, type EventPlace, eventTypesOf, makeDecoder } from "./DomainEvents.ts"
import { mergeMediaDetails, noMedia, publishedMedia } from "./MediaDetails.ts"
import { defineProjection } from "./Projection.ts"
import { type VideoDoc, videoIndexes } from "./VideoDocument.ts"

export { VideoDocument, type VideoDoc, VideoStatus } from "./VideoDocument.ts"

const absurd = (event: never): never => {
  throw new Error(`unhandled video event ${JSON.stringify(event)}`)
}

const titleOf = (filename: string) => {
  const dot = filename.lastIndexOf(".")
  return dot > 0 ? filename.slice(0, dot) : filename
}

/** Before its Video exists a ready upload is nobody's but its owner's: private, unpublished. */
const catalogDefaults = {
  description: "",
  category: null,
  visibility: "private",
  published: false,
  publishedAt: null,
  takenDown: false,
  takedown: null,
  accessEpoch: 0,
  allowedOrigins: [],
  views: 0,
  likes: 0,
  dislikes: 0
} as const

/** Pure: the catalog entry after an upload event; undefined = no entry (not created yet, or cancelled/expired). */
export const evolveVideoDoc = (current: VideoDoc | undefined, event: UploadEvent, place: EventPlace): VideoDoc | undefined => {
  const at = { position: place.position, revision: place.revision }
  // an upload's entry, and a live stream's original (stored whole: processing from the start)
  const fresh = (source: { readonly uploadId: string; readonly ownerId: string; readonly filename: string; readonly contentType: string; readonly at: number }, status: VideoDoc["status"], sizeBytes: number): VideoDoc => ({
    ...noMedia,
    ...catalogDefaults,
    id: source.uploadId,
    ownerId: source.ownerId,
    title: titleOf(source.filename),
    filename: source.filename,
    contentType: source.contentType,
    status,
    failureReason: null,
    sizeBytes,
    createdAt: source.at,
    readyAt: null,
    failedAt: null,
    updatedAt: source.at,
    ...at
  })
  if (event._tag === "UploadCreated") return fresh(event, "uploading", event.declaredSize)
  if (event._tag === "UploadAdoptedFromStream") return current ?? { ...fresh(event, "processing", event.size), sha256: event.sha256 }
  if (current === undefined) return undefined
  const doc = { ...current, updatedAt: Math.max(current.updatedAt, event.at), ...at }
  switch (event._tag) {
    case "UploadReceived":
      return { ...doc, status: "processing", sizeBytes: event.size }
    case "StepCompleted":
    case "MilestoneReached": {
      const media = mergeMediaDetails(doc, event.details)
      return { ...doc, ...media, sizeBytes: media.sizeBytes ?? doc.sizeBytes }
    }
    case "UploadReady": {
      const media = event.media ? publishedMedia(event.media) : {}
      return { ...doc, ...media, sizeBytes: event.media?.sizeBytes ?? doc.sizeBytes, status: "ready", readyAt: event.at }
    }
    case "UploadFailed":
      return { ...doc, status: "failed", failureReason: event.reason, failedAt: event.at }
    case "UploadCancelled":
    case "UploadExpired":
      return undefined
    default:
      return current
  }
}

/** A video whose source left no upload document (a live stream from before streams were adopted as uploads): the entry starts from the Video alone. */
const bareDoc = (event: Extract<VideoEvent, { _tag: "VideoCreated" }>): VideoDoc => ({
  ...noMedia,
  ...catalogDefaults,
  id: event.videoId,
  ownerId: event.ownerId,
  title: event.title,
  filename: event.title,
  contentType: "video/mp4",
  status: "ready",
  failureReason: null,
  sizeBytes: 0,
  createdAt: event.at,
  readyAt: event.at,
  failedAt: null,
  updatedAt: event.at,
  position: 0,
  revision: 0
})

/**
 * Pure: the catalog entry after a video event; VideoDeleted removes it. The document's `revision` stays the
 * upload stream's (what /uploads and the feeds compare), `position` is the newest event of either stream.
 */
export const evolveVideoDocByVideo = (current: VideoDoc | undefined, event: VideoEvent, place: EventPlace): VideoDoc | undefined => {
  const base = current ?? (event._tag === "VideoCreated" ? bareDoc(event) : undefined)
  if (base === undefined) return undefined
  const doc: VideoDoc = {
    ...base,
    updatedAt: Math.max(base.updatedAt, event.at),
    position: place.position,
    ...(narrowsAccess(event) ? { accessEpoch: place.position } : {})
  }
  switch (event._tag) {
    case "VideoCreated":
      return { ...doc, title: event.title, visibility: event.visibility, published: event.published, publishedAt: event.published ? event.at : null }
    case "VideoDetailsEdited":
      return { ...doc, title: event.title ?? doc.title, description: event.description ?? doc.description }
    case "VideoCategorySet":
      return { ...doc, category: event.category }
    case "VideoVisibilitySet":
      return { ...doc, visibility: event.visibility }
    case "VideoPublished":
      return { ...doc, published: true, publishedAt: event.at }
    case "VideoUnpublished":
      return { ...doc, published: false }
    case "VideoTakenDown":
      return { ...doc, takenDown: true, takedown: { reason: event.reason, at: event.at } }
    case "VideoRestored":
      return { ...doc, takenDown: false, takedown: null }
    case "VideoAllowedOriginsSet":
      return { ...doc, allowedOrigins: event.origins }
    case "VideoDeleted":
      return undefined
    default:
      // a new video event without a case here would fall through to undefined, silently removing the entry
      return absurd(event)
  }
}

const decodeUpload = makeDecoder(UploadAggregate.events)
const decodeVideo = makeDecoder(VideoAggregate.events)
const decodeCatalog = makeDecoder(CatalogEventCodec)

// Byte progress, claims, stored parts and failed attempts do not change the catalog: not subscribed to.
const IGNORED_UPLOAD_EVENTS: ReadonlySet<string> = new Set(["BytesReceived", "StepClaimed", "StepFailed", "ChunkUploaded"])

export type VideosModels = { readonly video: VideoDoc; readonly category: CategoryDoc }

const decodeViewEvent = makeDecoder(ViewEventCodec)
const decodeRatingEvent = makeDecoder(RatingEventCodec)
const isEngagement = (stream: string) => stream.startsWith("view-") || stream.startsWith("rating-")

/** A view or a rating changes the counts of a video that has an entry (a view needs a ready video's token). */
const evolveCounts = (current: VideoDoc | undefined, event: RecordedEvent): VideoDoc | undefined => {
  if (current === undefined) return current
  const at = { position: Math.max(current.position, event.position) }
  if (event.stream.startsWith("view-")) return { ...current, views: current.views + 1, ...at }
  const rated = decodeRatingEvent(event)
  const delta = (value: string) => (rated.rating === value ? 1 : 0) - (rated.previous === value ? 1 : 0)
  return { ...current, likes: current.likes + delta("like"), dislikes: current.dislikes + delta("dislike"), ...at }
}

const videoIdOfEngagement = (event: RecordedEvent) =>
  event.stream.startsWith("view-") ? decodeViewEvent(event).videoId : decodeRatingEvent(event).videoId

const refOf = (stream: string) =>
  stream.startsWith("catalog-")
    ? null
    : { model: "video" as const, id: entityIdOf(stream) }

export const VideosProjection = defineProjection<VideosModels>()({
  name: "videos",
  // 2: catalog facts from the Video aggregate, engagement counts, the category model, new indexes; 3: views and ratings counted;
  // 4: live streams' originals (UploadAdoptedFromStream); 5: allowed origins (hotlink protection)
  version: 5,
  handles: [
    ...eventTypesOf(UploadEvent).filter((type) => !IGNORED_UPLOAD_EVENTS.has(type)),
    ...eventTypesOf(VideoEvent),
    ...eventTypesOf(CatalogEvent).filter((type) => type !== "CatalogSeeded"),
    ...eventTypesOf(ViewEvent),
    ...eventTypesOf(RatingEvent)
  ],
  streamPrefixes: ["upload-", "video-", "catalog-", "view-", "rating-"],
  models: {
    video: { indexes: videoIndexes },
    category: { indexes: (doc) => [{ index: "all", score: doc.createdPosition }] }
  },
  touches: (event) => {
    if (event.stream.startsWith("catalog-")) {
      const decoded = decodeCatalog(event)
      return decoded._tag === "CatalogSeeded" ? [] : [{ model: "category", id: decoded.slug }]
    }
    if (isEngagement(event.stream)) return [{ model: "video", id: videoIdOfEngagement(event) }]
    return [refOf(event.stream)!]
  },
  evolve: (docs, event) => {
    if (event.stream.startsWith("catalog-")) {
      const decoded = decodeCatalog(event)
      if (decoded._tag === "CatalogSeeded") return []
      const current = docs.get("category", decoded.slug)
      const next = evolveCategoryDoc(current, decoded, event)
      return next === current ? [] : [{ model: "category", id: decoded.slug, doc: next }]
    }
    if (isEngagement(event.stream)) {
      const id = videoIdOfEngagement(event)
      const current = docs.get("video", id)
      const next = evolveCounts(current, event)
      return next === current ? [] : [{ model: "video", id, doc: next! }]
    }
    const id = entityIdOf(event.stream)
    const current = docs.get("video", id)
    if (event.stream.startsWith("video-")) {
      const next = evolveVideoDocByVideo(current, decodeVideo(event), event)
      return next === current ? [] : [{ model: "video", id, doc: next }]
    }
    if (IGNORED_UPLOAD_EVENTS.has(event.type)) return []
    const next = evolveVideoDoc(current, decodeUpload(event), event)
    return next === current ? [] : [{ model: "video", id, doc: next }]
  }
})
