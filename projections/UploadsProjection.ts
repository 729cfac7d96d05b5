/** The uploads (jobs) read model: per upload its state, offset, current step, attempts, last error and progress milestones. */
import { Schema } from "effect"
import { UploadAggregate, UploadEventCodec } from "../src/domain/upload/UploadAggregate.ts"
import { PROCESSING_STEPS, ProcessingStep, StepDetails } from "../src/domain/upload/UploadCommands.ts"
import { UploadEvent } from "../src/domain/upload/UploadEvents.ts"
import { type ExistingUpload, evolveUpload, progressOf, TERMINAL_STATUSES } from "../src/domain/upload/UploadState.ts"
import { EventPlace, eventTypesOf, makeDecoder } from "./DomainEvents.ts"
import { MediaFacts, mergeMediaDetails, noMedia, publishedMedia } from "./MediaDetails.ts"
import { singleStreamModel } from "./SingleStreamModel.ts"

export const UploadStatus = Schema.Literals(["created", "receiving", "received", "processing", "ready", "failed", "cancelled", "expired"])
export type UploadStatus = typeof UploadStatus.Type

/** The decider's statuses under the document's names. */
const STATUS_NAMES = {
  Created: "created",
  Receiving: "receiving",
  Received: "received",
  Processing: "processing",
  Ready: "ready",
  Failed: "failed",
  Cancelled: "cancelled",
  Expired: "expired"
} as const satisfies Record<ExistingUpload["status"], UploadStatus>

export const TERMINAL_UPLOAD_STATUSES: ReadonlyArray<UploadStatus> = TERMINAL_STATUSES.flatMap((s) => s === "Initial" ? [] : [STATUS_NAMES[s]])

export const Milestone = Schema.Struct({
  name: Schema.String.annotate({
    description: "created (adopted: a stream's original), receiving, 25%, 50%, 75%, received, <step>-started, probed, transcoded, thumbnailed, <step>-failed, <step>-done, ready, failed, cancelled, expired"
  }),
  at: Schema.Finite,
  position: Schema.Finite,
  attempt: Schema.optionalKey(Schema.Finite)
})
export type Milestone = typeof Milestone.Type

export const UploadDocument = Schema.Struct({
  id: Schema.String,
  source: Schema.Literals(["upload", "stream"]).annotate({
    description: "upload: bytes sent over tus; stream: the original of a live stream with the same id, sealed as it grew"
  }),
  ownerId: Schema.String,
  filename: Schema.String,
  container: Schema.String,
  contentType: Schema.String,
  declaredSize: Schema.Finite,
  status: UploadStatus,
  offset: Schema.Finite.annotate({ description: "bytes received so far (the tus offset)" }),
  progress: Schema.Finite.annotate({ description: "offset / declaredSize, 0–1" }),
  step: Schema.NullOr(ProcessingStep).annotate({ description: "the processing step under way or next (null before received and after the end)" }),
  stepState: Schema.NullOr(Schema.Literals(["waiting", "running", "retrying"])).annotate({
    description: "waiting for a worker, running under a lease, retrying after a failed attempt"
  }),
  attempts: Schema.Finite.annotate({ description: "attempts of the current step so far" }),
  lease: Schema.NullOr(Schema.Struct({ workerId: Schema.String, attempt: Schema.Finite, expiresAt: Schema.Finite })),
  retryAt: Schema.NullOr(Schema.Finite),
  lastError: Schema.NullOr(Schema.Struct({ step: ProcessingStep, attempt: Schema.Finite, reason: Schema.String, at: Schema.Finite })),
  reason: Schema.NullOr(Schema.String).annotate({ description: "why it failed, or why it was cancelled, for a person" }),
  stepsDone: Schema.Array(ProcessingStep),
  chunkParts: Schema.Finite.annotate({ description: "the chunk step's progress: parts of the original stored so far" }),
  chunkedBytes: Schema.Finite,
  media: MediaFacts,
  outputs: StepDetails.annotate({ description: "every detail the workers recorded, merged (later steps win)" }),
  milestones: Schema.Array(Milestone),
  createdAt: Schema.Finite,
  lastProgressAt: Schema.Finite,
  receivedAt: Schema.NullOr(Schema.Finite),
  endedAt: Schema.NullOr(Schema.Finite),
  updatedAt: Schema.Finite,
  ...EventPlace.fields
})
export type UploadDoc = typeof UploadDocument.Type

/**
 * The decider's state of the upload a document shows. The document keeps counts of the chunk step's
 * parts, not the parts: `chunks` is left out, which only the decider's chunk bookkeeping reads. The
 * `??` fallbacks only satisfy the types (a document in that status always has the field set).
 */
const uploadStateOf = (doc: UploadDoc): ExistingUpload => {
  const { id: uploadId, source, ownerId, filename, container, contentType, declaredSize, createdAt } = doc
  const facts = { uploadId, source, ownerId, filename, container, contentType, declaredSize, createdAt }
  const endedAt = doc.endedAt ?? doc.updatedAt
  switch (doc.status) {
    case "created":
      return { ...facts, status: "Created", receivedBytes: doc.offset, lastProgressAt: doc.lastProgressAt }
    case "receiving":
      return { ...facts, status: "Receiving", receivedBytes: doc.offset, lastProgressAt: doc.lastProgressAt }
    case "received":
      return { ...facts, status: "Received", receivedAt: doc.receivedAt ?? doc.lastProgressAt }
    case "processing":
      return { ...facts, status: "Processing", step: doc.step ?? "chunk", attempts: doc.attempts, lease: doc.lease, retryAt: doc.retryAt, chunks: null }
    case "ready":
      return { ...facts, status: "Ready", readyAt: endedAt }
    case "failed":
      return { ...facts, status: "Failed", reason: doc.reason ?? "", failedAt: endedAt }
    case "cancelled":
      return { ...facts, status: "Cancelled", cancelledAt: endedAt }
    case "expired":
      return { ...facts, status: "Expired", expiredAt: endedAt }
  }
}

const PERCENT_MILESTONES = [25, 50, 75] as const
const LAST_STEP = PROCESSING_STEPS[PROCESSING_STEPS.length - 1]

const milestone = (name: string, at: number, place: EventPlace, attempt?: number): Milestone =>
  attempt === undefined ? { name, at, position: place.position } : { name, at, position: place.position, attempt }

const createdDoc = (event: Extract<UploadEvent, { readonly _tag: "UploadCreated" }>, place: EventPlace): UploadDoc => ({
  id: event.uploadId,
  source: "upload",
  ownerId: event.ownerId,
  filename: event.filename,
  container: event.container,
  contentType: event.contentType,
  declaredSize: event.declaredSize,
  status: "created",
  offset: 0,
  progress: 0,
  step: null,
  stepState: null,
  attempts: 0,
  lease: null,
  retryAt: null,
  lastError: null,
  reason: null,
  stepsDone: [],
  chunkParts: 0,
  chunkedBytes: 0,
  media: noMedia,
  outputs: {},
  milestones: [milestone("created", event.at, place)],
  createdAt: event.at,
  lastProgressAt: event.at,
  receivedAt: null,
  endedAt: null,
  updatedAt: event.at,
  position: place.position,
  revision: place.revision
})

/** A stream's original, adopted whole: every byte is there, the chunk step is done (by the stream), transcoding waits. */
const adoptedDoc = (event: Extract<UploadEvent, { readonly _tag: "UploadAdoptedFromStream" }>, place: EventPlace): UploadDoc => ({
  ...createdDoc({ ...event, _tag: "UploadCreated", declaredSize: event.size }, place),
  source: "stream",
  status: "processing",
  offset: event.size,
  progress: 1,
  step: "transcode",
  stepState: "waiting",
  stepsDone: ["chunk"],
  chunkedBytes: event.size,
  media: { ...noMedia, sizeBytes: event.size, sha256: event.sha256 },
  outputs: { sizeBytes: event.size, sha256: event.sha256 },
  milestones: [milestone("adopted", event.at, place), milestone("received", event.at, place)],
  receivedAt: event.at
})

/** What the decider's state says: the status, the bytes received, the step to do, its attempts, lease and retry time. */
const decided = (doc: UploadDoc, state: ExistingUpload) => {
  const progress = progressOf(state)
  return {
    status: STATUS_NAMES[state.status],
    offset: "receivedBytes" in state ? state.receivedBytes : doc.offset,
    step: progress?.step ?? null,
    attempts: progress?.attempts ?? doc.attempts,
    lease: progress?.lease ?? null,
    retryAt: progress?.retryAt ?? null,
    lastProgressAt: "lastProgressAt" in state ? state.lastProgressAt : doc.lastProgressAt,
    receivedAt: state.status === "Received" ? state.receivedAt : doc.receivedAt
  }
}

const ended = (doc: UploadDoc, event: { readonly at: number }, place: EventPlace, status: UploadStatus, reason: string | null) => ({
  stepState: null,
  reason,
  endedAt: event.at,
  milestones: [...doc.milestones, milestone(status, event.at, place)]
})

/** What only the read model keeps: byte progress and milestones, the step's state, the last error, media and outputs. */
const observed = (doc: UploadDoc, event: UploadEvent, place: EventPlace): Partial<UploadDoc> => {
  switch (event._tag) {
    case "UploadCreated":
    case "UploadAdoptedFromStream":
      return {}
    case "BytesReceived": {
      const progress = doc.declaredSize > 0 ? Math.min(1, event.receivedBytes / doc.declaredSize) : 0
      const reached = PERCENT_MILESTONES.filter((p) => doc.progress * 100 < p && progress * 100 >= p)
      return {
        progress,
        milestones: [
          ...doc.milestones,
          ...(doc.status === "created" ? [milestone("receiving", event.at, place)] : []),
          ...reached.map((p) => milestone(`${p}%`, event.at, place))
        ]
      }
    }
    case "UploadReceived":
      return { offset: event.size, progress: 1, stepState: "waiting", lastProgressAt: event.at, milestones: [...doc.milestones, milestone("received", event.at, place)] }
    case "StepClaimed":
      return { stepState: "running", milestones: [...doc.milestones, milestone(`${event.step}-started`, event.at, place, event.attempt)] }
    case "StepCompleted":
      return {
        stepState: event.step === LAST_STEP ? null : "waiting",
        // No attempt of a next step yet (after the last one, none at all).
        attempts: 0,
        stepsDone: doc.stepsDone.includes(event.step) ? doc.stepsDone : [...doc.stepsDone, event.step],
        media: mergeMediaDetails(doc.media, event.details),
        outputs: event.details ? { ...doc.outputs, ...event.details } : doc.outputs,
        milestones: [...doc.milestones, milestone(`${event.step}-done`, event.at, place, event.attempt)]
      }
    case "StepFailed":
      return {
        stepState: event.retryAt === undefined ? null : "retrying",
        lastError: { step: event.step, attempt: event.attempt, reason: event.reason, at: event.at },
        milestones: [...doc.milestones, milestone(`${event.step}-failed`, event.at, place, event.attempt)]
      }
    case "ChunkUploaded": {
      // Part 1 again means the chunk step started the original over (its multipart upload was lost).
      const restart = event.partNumber === 1
      return {
        chunkParts: restart ? 1 : Math.max(doc.chunkParts, event.partNumber),
        chunkedBytes: (restart ? 0 : doc.chunkedBytes) + event.size
      }
    }
    case "MilestoneReached":
      return {
        media: mergeMediaDetails(doc.media, event.details),
        outputs: event.details ? { ...doc.outputs, ...event.details } : doc.outputs,
        milestones: [...doc.milestones, milestone(event.milestone, event.at, place, event.attempt)]
      }
    case "UploadReady":
      return { media: event.media ? publishedMedia(event.media) : doc.media, ...ended(doc, event, place, "ready", null) }
    case "UploadFailed":
      return ended(doc, event, place, "failed", event.reason)
    case "UploadCancelled":
      return ended(doc, event, place, "cancelled", event.reason ?? null)
    case "UploadExpired":
      return ended(doc, event, place, "expired", "No bytes arrived for too long; the upload expired.")
  }
}

/** Pure: the document after `event` (undefined before the upload exists), its lifecycle as the decider evolves it. The SSE feed folds with it too. */
export const evolveUploadDoc = (current: UploadDoc | undefined, event: UploadEvent, place: EventPlace): UploadDoc | undefined => {
  if (event._tag === "UploadCreated") return createdDoc(event, place)
  if (event._tag === "UploadAdoptedFromStream") return current ?? adoptedDoc(event, place)
  if (current === undefined) return undefined
  const state = evolveUpload(uploadStateOf(current), event)
  if (state.status === "Initial") return undefined
  return {
    ...current,
    ...decided(current, state),
    updatedAt: Math.max(current.updatedAt, event.at),
    position: place.position,
    revision: place.revision,
    ...observed(current, event, place)
  }
}

export const decodeUploadEvent = makeDecoder(UploadEventCodec)

export const UPLOAD_EVENT_TYPES = eventTypesOf(UploadEvent)

export const UploadsProjection = singleStreamModel({
  name: "uploads",
  // 2: `source` (uploads adopted from live streams)
  version: 2,
  model: "upload",
  aggregate: UploadAggregate,
  events: UploadEvent,
  evolve: evolveUploadDoc,
  indexes: (doc) => [
    { index: "all", score: doc.createdAt },
    { index: "byOwner", value: doc.ownerId, score: doc.createdAt },
    { index: "byStatus", value: doc.status, score: doc.createdAt },
    { index: "byOwnerStatus", value: `${doc.ownerId}/${doc.status}`, score: doc.createdAt }
  ]
})
