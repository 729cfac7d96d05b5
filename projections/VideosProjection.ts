/** The video catalog: one document per upload that became (or is becoming) a video, listed by owner, by status, newest first. */
import { Schema } from "effect"
import { UploadAggregate } from "../src/domain/upload/UploadAggregate.ts"
import { UploadEvent } from "../src/domain/upload/UploadEvents.ts"
import { EventPlace } from "./DomainEvents.ts"
import { MediaFacts, mergeMediaDetails, noMedia, publishedMedia } from "./MediaDetails.ts"
import { singleStreamModel } from "./SingleStreamModel.ts"

/** "uploading": bytes still arriving; cancelled and expired uploads never become videos (their documents are removed). */
export const VideoStatus = Schema.Literals(["uploading", "processing", "ready", "failed"])
export type VideoStatus = typeof VideoStatus.Type

export const VideoDocument = Schema.Struct({
  ...MediaFacts.fields,
  id: Schema.String.annotate({ description: "the id of the upload (or stream) it came from" }),
  ownerId: Schema.String,
  title: Schema.String.annotate({ description: "the filename without its extension" }),
  filename: Schema.String,
  contentType: Schema.String,
  status: VideoStatus,
  failureReason: Schema.NullOr(Schema.String).annotate({ description: "why processing failed, for a person" }),
  sizeBytes: Schema.Finite.annotate({
    description: "declared size until the bytes are in, then the received size (or the size the workers measured)"
  }),
  createdAt: Schema.Finite,
  readyAt: Schema.NullOr(Schema.Finite),
  failedAt: Schema.NullOr(Schema.Finite),
  updatedAt: Schema.Finite,
  ...EventPlace.fields
})
export type VideoDoc = typeof VideoDocument.Type

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

export const VideosProjection = singleStreamModel({
  name: "videos",
  version: 1,
  model: "video",
  aggregate: UploadAggregate,
  events: UploadEvent,
  // Byte progress, claims, stored parts and failed attempts do not change the catalog: not subscribed to.
  ignores: ["BytesReceived", "StepClaimed", "StepFailed", "ChunkUploaded"],
  evolve: evolveVideoDoc,
  indexes: (doc) => [
    { index: "all", score: doc.createdAt },
    { index: "byOwner", value: doc.ownerId, score: doc.createdAt },
    { index: "byStatus", value: doc.status, score: doc.createdAt },
    { index: "byOwnerStatus", value: `${doc.ownerId}/${doc.status}`, score: doc.createdAt }
  ]
})
