/** The video catalog: one document per upload that became (or is becoming) a video, listed by owner, by status, newest first. */
import type { UploadEvent } from "../src/domain/upload/UploadEvents.ts"
import { entityIdOf, type EventPlace } from "./DomainEvents.ts"
import { type MediaFacts, mergeMediaDetails, noMedia, publishedMedia } from "./MediaDetails.ts"
import { defineProjection } from "./Projection.ts"
import { decodeUploadEvent } from "./UploadsProjection.ts"

/** "uploading": bytes still arriving; cancelled and expired uploads never become videos (their documents are removed). */
export type VideoStatus = "uploading" | "processing" | "ready" | "failed"
export const VIDEO_STATUSES: ReadonlyArray<VideoStatus> = ["uploading", "processing", "ready", "failed"]

export interface VideoDoc extends MediaFacts {
  /** The id of the upload (or stream) it came from. */
  readonly id: string
  readonly ownerId: string
  /** The filename without its extension. */
  readonly title: string
  readonly filename: string
  readonly contentType: string
  readonly status: VideoStatus
  /** Why processing failed, for a person. */
  readonly failureReason: string | null
  /** Declared size until the bytes are in, then the received size (or the size the workers measured). */
  readonly sizeBytes: number
  readonly createdAt: number
  readonly readyAt: number | null
  readonly failedAt: number | null
  readonly updatedAt: number
  readonly position: number
  readonly revision: number
}

const titleOf = (filename: string) => {
  const dot = filename.lastIndexOf(".")
  return dot > 0 ? filename.slice(0, dot) : filename
}

/** Pure: the catalog entry after `event`; undefined = no entry (not created yet, or cancelled/expired). */
export const evolveVideoDoc = (current: VideoDoc | undefined, event: UploadEvent, place: EventPlace): VideoDoc | undefined => {
  const at = { position: place.position, revision: place.revision }
  if (event._tag === "UploadCreated") {
    return {
      ...noMedia,
      id: event.uploadId,
      ownerId: event.ownerId,
      title: titleOf(event.filename),
      filename: event.filename,
      contentType: event.contentType,
      status: "uploading",
      failureReason: null,
      sizeBytes: event.declaredSize,
      createdAt: event.at,
      readyAt: null,
      failedAt: null,
      updatedAt: event.at,
      ...at
    }
  }
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

export type VideosModels = { readonly video: VideoDoc }

export const VideosProjection = defineProjection<VideosModels>()({
  name: "videos",
  version: 1,
  // Byte progress, claims and failed attempts do not change the catalog: not subscribed to.
  handles: ["UploadCreated", "UploadReceived", "StepCompleted", "MilestoneReached", "UploadReady", "UploadFailed", "UploadCancelled", "UploadExpired"],
  streamPrefixes: ["upload-"],
  models: {
    video: {
      indexes: (doc) => [
        { index: "all", score: doc.createdAt },
        { index: "byOwner", value: doc.ownerId, score: doc.createdAt },
        { index: "byStatus", value: doc.status, score: doc.createdAt },
        { index: "byOwnerStatus", value: `${doc.ownerId}/${doc.status}`, score: doc.createdAt }
      ]
    }
  },
  touches: (event) => [{ model: "video", id: entityIdOf(event.stream) }],
  evolve: (docs, event) => {
    const id = entityIdOf(event.stream)
    const current = docs.get("video", id)
    const next = evolveVideoDoc(current, decodeUploadEvent(event), event)
    return next === current ? [] : [{ model: "video", id, doc: next }]
  }
})
