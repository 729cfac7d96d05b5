/** An upload as the decider sees it (a status-tagged union), and how events change it. */
import type { ProcessingStep } from "./UploadCommands.ts"
import { PROCESSING_STEPS } from "./UploadCommands.ts"
import type { UploadEvent } from "./UploadEvents.ts"

/** Where the original came from: tus bytes, or a live stream whose original was sealed as it grew. */
export type UploadSource = "upload" | "stream"

export interface UploadFacts {
  readonly uploadId: string
  readonly source: UploadSource
  readonly ownerId: string
  readonly filename: string
  readonly container: string
  readonly contentType: string
  readonly declaredSize: number
  readonly createdAt: number
}

export interface Lease {
  readonly workerId: string
  readonly attempt: number
  readonly expiresAt: number
}

/** A part of the original's multipart upload, as the chunk step recorded it. */
export interface ChunkPart {
  readonly partNumber: number
  readonly etag: string
  readonly size: number
}

/** The chunk step's multipart upload of the original and its parts so far (in part order, from 1). */
export interface ChunkProgress {
  readonly multipartUploadId: string
  readonly parts: ReadonlyArray<ChunkPart>
}

/** Where processing stands: the step to do next, its attempts so far, its lease if claimed. */
export interface ProcessingProgress {
  readonly step: ProcessingStep
  readonly attempts: number
  readonly lease: Lease | null
  /** After a failed attempt: no claim before this instant. */
  readonly retryAt: number | null
  /** During the chunk step: the parts stored so far (they survive a retry of the step). */
  readonly chunks: ChunkProgress | null
}

export type UploadState =
  | { readonly status: "Initial" }
  | (UploadFacts & { readonly status: "Created" | "Receiving"; readonly receivedBytes: number; readonly lastProgressAt: number })
  | (UploadFacts & { readonly status: "Received"; readonly receivedAt: number })
  | (UploadFacts & ProcessingProgress & { readonly status: "Processing" })
  | (UploadFacts & { readonly status: "Ready"; readonly readyAt: number })
  | (UploadFacts & { readonly status: "Failed"; readonly reason: string; readonly failedAt: number })
  | (UploadFacts & { readonly status: "Cancelled"; readonly cancelledAt: number })
  | (UploadFacts & { readonly status: "Expired"; readonly expiredAt: number })

export type UploadStatus = UploadState["status"]
export type ExistingUpload = Exclude<UploadState, { status: "Initial" }>

export const TERMINAL_STATUSES: ReadonlyArray<UploadStatus> = ["Ready", "Failed", "Cancelled", "Expired"]

export const isTerminal = (state: UploadState): boolean => TERMINAL_STATUSES.includes(state.status)

export const initialUploadState: UploadState = { status: "Initial" }

const factsOf = (state: ExistingUpload): UploadFacts => ({
  uploadId: state.uploadId,
  source: state.source,
  ownerId: state.ownerId,
  filename: state.filename,
  container: state.container,
  contentType: state.contentType,
  declaredSize: state.declaredSize,
  createdAt: state.createdAt
})

/** Progress of an upload that is Received (nothing claimed yet) or Processing. */
export const progressOf = (state: UploadState): ProcessingProgress | undefined =>
  state.status === "Processing"
    ? { step: state.step, attempts: state.attempts, lease: state.lease, retryAt: state.retryAt, chunks: state.chunks }
    : state.status === "Received"
    ? { step: "chunk", attempts: 0, lease: null, retryAt: null, chunks: null }
    : undefined

const nextStep = (step: ProcessingStep): ProcessingStep | undefined => PROCESSING_STEPS[PROCESSING_STEPS.indexOf(step) + 1]

export const evolveUpload = (state: UploadState, event: UploadEvent): UploadState => {
  if (event._tag === "UploadCreated") {
    return {
      status: "Created",
      uploadId: event.uploadId,
      source: "upload",
      ownerId: event.ownerId,
      filename: event.filename,
      container: event.container,
      contentType: event.contentType,
      declaredSize: event.declaredSize,
      createdAt: event.at,
      receivedBytes: 0,
      lastProgressAt: event.at
    }
  }
  if (event._tag === "UploadAdoptedFromStream") {
    if (state.status !== "Initial") return state
    // The stream sealed the original: the chunk step is behind it, transcoding is next.
    return {
      status: "Processing",
      uploadId: event.uploadId,
      source: "stream",
      ownerId: event.ownerId,
      filename: event.filename,
      container: event.container,
      contentType: event.contentType,
      declaredSize: event.size,
      createdAt: event.at,
      step: "transcode",
      attempts: 0,
      lease: null,
      retryAt: null,
      chunks: null
    }
  }
  // Every other event follows an UploadCreated (or UploadAdoptedFromStream) in a well-formed stream.
  if (state.status === "Initial") return state
  const facts = factsOf(state)
  switch (event._tag) {
    case "BytesReceived":
      return { ...facts, status: "Receiving", receivedBytes: event.receivedBytes, lastProgressAt: event.at }
    case "UploadReceived":
      return { ...facts, status: "Received", receivedAt: event.at }
    case "StepClaimed":
      return {
        ...facts,
        status: "Processing",
        step: event.step,
        attempts: event.attempt,
        lease: { workerId: event.workerId, attempt: event.attempt, expiresAt: event.leaseExpiresAt },
        retryAt: null,
        chunks: progressOf(state)?.chunks ?? null
      }
    case "StepCompleted": {
      const progress = progressOf(state)
      const next = nextStep(event.step)
      if (progress === undefined) return state
      return next === undefined
        ? { ...facts, ...progress, status: "Processing", lease: null }
        : { ...facts, status: "Processing", step: next, attempts: 0, lease: null, retryAt: null, chunks: null }
    }
    case "StepFailed": {
      const progress = progressOf(state)
      if (progress === undefined) return state
      return { ...facts, ...progress, status: "Processing", lease: null, retryAt: event.retryAt ?? null }
    }
    case "ChunkUploaded": {
      if (state.status !== "Processing") return state
      const part = { partNumber: event.partNumber, etag: event.etag, size: event.size }
      const same = state.chunks !== null && state.chunks.multipartUploadId === event.multipartUploadId
      const parts = same ? state.chunks!.parts.filter((p) => p.partNumber < event.partNumber) : []
      return { ...state, chunks: { multipartUploadId: event.multipartUploadId, parts: [...parts, part] } }
    }
    case "MilestoneReached":
      return state
    case "UploadReady":
      return { ...facts, status: "Ready", readyAt: event.at }
    case "UploadFailed":
      return { ...facts, status: "Failed", reason: event.reason, failedAt: event.at }
    case "UploadCancelled":
      return { ...facts, status: "Cancelled", cancelledAt: event.at }
    case "UploadExpired":
      return { ...facts, status: "Expired", expiredAt: event.at }
  }
}
