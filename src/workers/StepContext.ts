/** What a running step knows and may do under its claim: which attempt it is, and how it records chunks, milestones and progress. */
import type { Effect } from "effect"
import type { Milestone, ProcessingStep, PublishedMedia, StepDetails } from "../domain/upload/UploadCommands.ts"
import type { ChunkPart, ExistingUpload } from "../domain/upload/UploadState.ts"
import type { LeaseLost } from "./StepFailure.ts"

export type Details = typeof StepDetails.Type

export interface StepContext {
  readonly uploadId: string
  readonly step: ProcessingStep
  readonly attempt: number
  readonly workerId: string
  /** The upload as it was when the step was claimed. */
  readonly upload: ExistingUpload
  /** CHUNK_SIZE_MB in bytes. */
  readonly chunkSizeBytes: number
  /** Records a stored part of the original (chunk step). */
  recordChunk(multipartUploadId: string, part: ChunkPart): Effect.Effect<void, LeaseLost | SendFailure>
  /** Records a milestone of this step as an event. */
  milestone(milestone: Milestone, details?: Details): Effect.Effect<void, LeaseLost | SendFailure>
  /** Publishes ephemeral progress; safe to call from a callback (fire and forget). */
  progress(percent: number | undefined, done: number): void
}

/** A command could not be delivered (actor or event store trouble that outlasted the retries, or a rejection). */
export interface SendFailure {
  readonly _tag: string
  readonly message: string
}

export interface StepResult {
  readonly details?: Details | undefined
  /** The publish step's outcome. */
  readonly media?: typeof PublishedMedia.Type | undefined
}
