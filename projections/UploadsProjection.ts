/** The uploads (jobs) read model: per upload its state, offset, current step, attempts, last error and progress milestones. */
import { UploadEventCodec } from "../src/domain/upload/UploadAggregate.ts"
import type { ProcessingStep } from "../src/domain/upload/UploadCommands.ts"
import type { UploadEvent } from "../src/domain/upload/UploadEvents.ts"
import { entityIdOf, type EventPlace, makeDecoder } from "./DomainEvents.ts"
import { type MediaFacts, mergeMediaDetails, noMedia, publishedMedia, type StepDetails } from "./MediaDetails.ts"
import { defineProjection } from "./Projection.ts"

export type UploadStatus = "created" | "receiving" | "received" | "processing" | "ready" | "failed" | "cancelled" | "expired"
export const UPLOAD_STATUSES: ReadonlyArray<UploadStatus> = ["created", "receiving", "received", "processing", "ready", "failed", "cancelled", "expired"]
export const TERMINAL_UPLOAD_STATUSES: ReadonlyArray<UploadStatus> = ["ready", "failed", "cancelled", "expired"]

export interface Milestone {
  /** created, receiving, 25%, 50%, 75%, received, <step>-started, probed, transcoded, thumbnailed, <step>-failed, <step>-done, ready, failed, cancelled, expired. */
  readonly name: string
  readonly at: number
  readonly position: number
  readonly attempt?: number
}

export interface UploadDoc {
  readonly id: string
  readonly ownerId: string
  readonly filename: string
  readonly container: string
  readonly contentType: string
  readonly declaredSize: number
  readonly status: UploadStatus
  /** Bytes received so far (the tus offset). */
  readonly offset: number
  /** offset / declaredSize, 0–1. */
  readonly progress: number
  /** The processing step under way or next (null before received and after the end). */
  readonly step: ProcessingStep | null
  /** "waiting" for a worker, "running" under a lease, "retrying" after a failed attempt. */
  readonly stepState: "waiting" | "running" | "retrying" | null
  /** Attempts of the current step so far. */
  readonly attempts: number
  readonly lease: { readonly workerId: string; readonly attempt: number; readonly expiresAt: number } | null
  readonly retryAt: number | null
  readonly lastError: { readonly step: ProcessingStep; readonly attempt: number; readonly reason: string; readonly at: number } | null
  /** Why it failed, or why it was cancelled, for a person. */
  readonly reason: string | null
  readonly stepsDone: ReadonlyArray<ProcessingStep>
  /** The chunk step's progress: parts of the original stored so far, and their bytes. */
  readonly chunkParts: number
  readonly chunkedBytes: number
  readonly media: MediaFacts
  /** Every detail the workers recorded, merged (later steps win). */
  readonly outputs: StepDetails
  readonly milestones: ReadonlyArray<Milestone>
  readonly createdAt: number
  readonly lastProgressAt: number
  readonly receivedAt: number | null
  readonly endedAt: number | null
  readonly updatedAt: number
  /** Global position and stream revision of the last event folded in. */
  readonly position: number
  readonly revision: number
}

const PERCENT_MILESTONES = [25, 50, 75] as const

const milestone = (name: string, at: number, place: EventPlace, attempt?: number): Milestone =>
  attempt === undefined ? { name, at, position: place.position } : { name, at, position: place.position, attempt }

const ended = (doc: UploadDoc, status: UploadStatus, at: number, place: EventPlace, reason: string | null): UploadDoc => ({
  ...doc,
  status,
  step: null,
  stepState: null,
  lease: null,
  retryAt: null,
  reason,
  endedAt: at,
  milestones: [...doc.milestones, milestone(status, at, place)]
})

/** Pure: the document after `event` (undefined before the upload exists). The SSE feed folds with it too. */
export const evolveUploadDoc = (current: UploadDoc | undefined, event: UploadEvent, place: EventPlace): UploadDoc | undefined => {
  if (event._tag === "UploadCreated") {
    return {
      id: event.uploadId,
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
    }
  }
  if (current === undefined) return undefined
  const doc: UploadDoc = { ...current, updatedAt: Math.max(current.updatedAt, event.at), position: place.position, revision: place.revision }
  switch (event._tag) {
    case "BytesReceived": {
      const progress = doc.declaredSize > 0 ? Math.min(1, event.receivedBytes / doc.declaredSize) : 0
      const reached = PERCENT_MILESTONES.filter((p) => current.progress * 100 < p && progress * 100 >= p)
      return {
        ...doc,
        status: "receiving",
        offset: event.receivedBytes,
        progress,
        lastProgressAt: event.at,
        milestones: [
          ...doc.milestones,
          ...(current.status === "created" ? [milestone("receiving", event.at, place)] : []),
          ...reached.map((p) => milestone(`${p}%`, event.at, place))
        ]
      }
    }
    case "UploadReceived":
      return {
        ...doc,
        status: "received",
        offset: event.size,
        progress: 1,
        step: "chunk",
        stepState: "waiting",
        attempts: 0,
        receivedAt: event.at,
        lastProgressAt: event.at,
        milestones: [...doc.milestones, milestone("received", event.at, place)]
      }
    case "StepClaimed":
      return {
        ...doc,
        status: "processing",
        step: event.step,
        stepState: "running",
        attempts: event.attempt,
        lease: { workerId: event.workerId, attempt: event.attempt, expiresAt: event.leaseExpiresAt },
        retryAt: null,
        milestones: [...doc.milestones, milestone(`${event.step}-started`, event.at, place, event.attempt)]
      }
    case "StepCompleted": {
      const next = ({ chunk: "transcode", transcode: "publish", publish: null } as const)[event.step]
      return {
        ...doc,
        status: "processing",
        step: next ?? event.step,
        stepState: next === null ? null : "waiting",
        attempts: 0,
        lease: null,
        retryAt: null,
        stepsDone: doc.stepsDone.includes(event.step) ? doc.stepsDone : [...doc.stepsDone, event.step],
        media: mergeMediaDetails(doc.media, event.details),
        outputs: event.details ? { ...doc.outputs, ...event.details } : doc.outputs,
        milestones: [...doc.milestones, milestone(`${event.step}-done`, event.at, place, event.attempt)]
      }
    }
    case "StepFailed":
      return {
        ...doc,
        status: "processing",
        step: event.step,
        stepState: event.retryAt === undefined ? null : "retrying",
        lease: null,
        retryAt: event.retryAt ?? null,
        lastError: { step: event.step, attempt: event.attempt, reason: event.reason, at: event.at },
        milestones: [...doc.milestones, milestone(`${event.step}-failed`, event.at, place, event.attempt)]
      }
    case "ChunkUploaded": {
      // Part 1 again means the chunk step started the original over (its multipart upload was lost).
      const restart = event.partNumber === 1
      return {
        ...doc,
        chunkParts: restart ? 1 : Math.max(doc.chunkParts, event.partNumber),
        chunkedBytes: (restart ? 0 : doc.chunkedBytes) + event.size
      }
    }
    case "MilestoneReached":
      return {
        ...doc,
        media: mergeMediaDetails(doc.media, event.details),
        outputs: event.details ? { ...doc.outputs, ...event.details } : doc.outputs,
        milestones: [...doc.milestones, milestone(event.milestone, event.at, place, event.attempt)]
      }
    case "UploadReady":
      return ended({ ...doc, media: event.media ? publishedMedia(event.media) : doc.media }, "ready", event.at, place, null)
    case "UploadFailed":
      return ended(doc, "failed", event.at, place, event.reason)
    case "UploadCancelled":
      return ended(doc, "cancelled", event.at, place, event.reason ?? null)
    case "UploadExpired":
      return ended(doc, "expired", event.at, place, "No bytes arrived for too long; the upload expired.")
  }
}

export const decodeUploadEvent = makeDecoder(UploadEventCodec)

export const UPLOAD_EVENT_TYPES = [
  "UploadCreated",
  "BytesReceived",
  "UploadReceived",
  "StepClaimed",
  "StepCompleted",
  "StepFailed",
  "ChunkUploaded",
  "MilestoneReached",
  "UploadReady",
  "UploadFailed",
  "UploadCancelled",
  "UploadExpired"
] as const satisfies ReadonlyArray<UploadEvent["_tag"]>

export type UploadsModels = { readonly upload: UploadDoc }

export const UploadsProjection = defineProjection<UploadsModels>()({
  name: "uploads",
  version: 1,
  handles: UPLOAD_EVENT_TYPES,
  streamPrefixes: ["upload-"],
  models: {
    upload: {
      indexes: (doc) => [
        { index: "all", score: doc.createdAt },
        { index: "byOwner", value: doc.ownerId, score: doc.createdAt },
        { index: "byStatus", value: doc.status, score: doc.createdAt },
        { index: "byOwnerStatus", value: `${doc.ownerId}/${doc.status}`, score: doc.createdAt }
      ]
    }
  },
  touches: (event) => [{ model: "upload", id: entityIdOf(event.stream) }],
  evolve: (docs, event) => {
    const id = entityIdOf(event.stream)
    const current = docs.get("upload", id)
    const next = evolveUploadDoc(current, decodeUploadEvent(event), event)
    return next === current ? [] : [{ model: "upload", id, doc: next }]
  }
})
