/**
 * The commands of processing, sent as the system under a worker's claim: claim a step (the decider is the
 * lock), record its parts and milestones, complete or fail it, or give up on a step whose worker went
 * silent. Each id derives from (upload, step, attempt), so a repeat is answered with the first result.
 */
import { Effect } from "effect"
import type { ActorSystemShape } from "../actors/ActorSystem.ts"
import { UploadAggregate } from "../domain/upload/UploadAggregate.ts"
import type { Milestone, ProcessingStep, PublishedMedia, StepDetails } from "../domain/upload/UploadCommands.ts"
import type { ChunkPart } from "../domain/upload/UploadState.ts"
import { systemSender } from "./SystemActor.ts"
import { UploadCommandId } from "./UploadCommandIds.ts"

/** Which claim a command is sent under. */
export interface StepClaim {
  readonly uploadId: string
  readonly step: ProcessingStep
  readonly workerId: string
  readonly attempt: number
}

export interface StepOutcome {
  readonly details?: typeof StepDetails.Type | undefined
  /** The publish step's outcome. */
  readonly media?: typeof PublishedMedia.Type | undefined
}

export const processingCommands = (actors: ActorSystemShape) => {
  const send = systemSender(actors)
  return {
    /** Claims attempt `attempt` of `step` with a lease of `leaseMs`. */
    claimStep: (uploadId: string, step: ProcessingStep, attempt: number, workerId: string, leaseMs: number) =>
      send(UploadAggregate, uploadId, { _tag: "ClaimStep", uploadId, step, workerId, leaseMs }, UploadCommandId.claim(uploadId, step, attempt)),

    recordChunk: ({ uploadId, workerId, attempt }: StepClaim, multipartUploadId: string, part: ChunkPart) =>
      send(
        UploadAggregate,
        uploadId,
        { _tag: "RecordChunk", uploadId, workerId, attempt, multipartUploadId, ...part },
        UploadCommandId.chunk(uploadId, multipartUploadId, part.partNumber)
      ),

    recordMilestone: ({ uploadId, step, workerId, attempt }: StepClaim, milestone: Milestone, details?: typeof StepDetails.Type) =>
      send(
        UploadAggregate,
        uploadId,
        { _tag: "RecordMilestone", uploadId, step, workerId, attempt, milestone, ...(details === undefined ? {} : { details }) },
        UploadCommandId.milestone(uploadId, step, attempt, milestone)
      ),

    completeStep: ({ uploadId, step, workerId, attempt }: StepClaim, outcome: StepOutcome) =>
      send(
        UploadAggregate,
        uploadId,
        {
          _tag: "CompleteStep",
          uploadId,
          step,
          workerId,
          attempt,
          ...(outcome.details === undefined ? {} : { details: outcome.details }),
          ...(outcome.media === undefined ? {} : { media: outcome.media })
        },
        UploadCommandId.complete(uploadId, step, attempt)
      ),

    /** Fails the attempt; the decider schedules a retry with backoff, or fails the upload after JOB_MAX_ATTEMPTS. */
    failStep: ({ uploadId, step, workerId, attempt }: StepClaim, reason: string, retryable: boolean) =>
      send(
        UploadAggregate,
        uploadId,
        { _tag: "FailStep", uploadId, step, workerId, attempt, reason, retryable },
        UploadCommandId.fail(uploadId, step, attempt)
      ),

    /** Gives up on a step whose last attempt's worker stopped answering (its lease ran out): the upload fails. */
    giveUp: (uploadId: string, step: ProcessingStep, attempts: number, timeoutSeconds: number) =>
      send(
        UploadAggregate,
        uploadId,
        {
          _tag: "FailUpload",
          uploadId,
          reason: `Processing failed at the ${step} step after ${attempts} attempts: the last one produced no result within ` +
            `VIDEO_PROCESSING_TIMEOUT (${timeoutSeconds} s); the worker running it may have stopped.`
        },
        UploadCommandId.giveUp(uploadId, step)
      ).pipe(Effect.asVoid)
  }
}
