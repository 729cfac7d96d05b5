/** Processing steps of an upload (chunk → transcode → publish), each claimed by a worker under a lease. */
import type { DecideContext } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import type { ProcessingStep, UploadCommand } from "./UploadCommands.ts"
import {
  AttemptsExhausted,
  ChunkOutOfOrder,
  InvalidUploadState,
  LeaseHeld,
  LeaseNotHeld,
  RetryNotDue,
  StepOutOfOrder,
  type UploadError
} from "./UploadErrors.ts"
import type { UploadEvent } from "./UploadEvents.ts"
import { type ExistingUpload, type ProcessingProgress, progressOf } from "./UploadState.ts"

type Context = DecideContext<DomainSettings>
type UploadDecision = Decision<UploadEvent, UploadError>
type Command<Tag extends UploadCommand["_tag"]> = Extract<UploadCommand, { _tag: Tag }>

const processing = (state: ExistingUpload, action: string): ProcessingProgress | InvalidUploadState =>
  progressOf(state) ?? new InvalidUploadState({ uploadId: state.uploadId, status: state.status, action })

/** Backoff before attempt `attempt + 1`: the retry delay doubled per failed attempt. */
export const retryDelayMs = (attempt: number, settings: DomainSettings): number =>
  settings.jobRetryDelaySeconds * 1000 * 2 ** (attempt - 1)

export const claimStep = (state: ExistingUpload, command: Command<"ClaimStep">, context: Context): UploadDecision => {
  const progress = processing(state, `claim step "${command.step}"`)
  if (progress instanceof InvalidUploadState) return reject(progress)
  if (command.step !== progress.step) return reject(new StepOutOfOrder({ step: command.step, expectedStep: progress.step }))
  const lease = progress.lease
  if (lease !== null && lease.expiresAt > context.now) {
    return reject(new LeaseHeld({ step: progress.step, heldBy: lease.workerId, expiresAt: lease.expiresAt }))
  }
  if (progress.retryAt !== null && context.now < progress.retryAt) {
    return reject(new RetryNotDue({ step: progress.step, retryAt: progress.retryAt }))
  }
  if (progress.attempts >= context.settings.jobMaxAttempts) {
    return reject(new AttemptsExhausted({ step: progress.step, attempts: progress.attempts }))
  }
  // One attempt may not outlive the processing timeout, whatever lease the worker asks for.
  const leaseMs = Math.min(
    command.leaseMs ?? context.settings.stepLeaseSeconds * 1000,
    context.settings.videoProcessingTimeoutSeconds * 1000
  )
  return accept({
    _tag: "StepClaimed",
    uploadId: state.uploadId,
    step: command.step,
    workerId: command.workerId,
    attempt: progress.attempts + 1,
    leaseExpiresAt: context.now + leaseMs,
    at: context.now
  })
}

/** The current claim of `step`, if `workerId`'s `attempt` is it (even past its expiry, as long as nobody re-claimed). */
const heldLease = (
  state: ExistingUpload,
  command: { readonly step: ProcessingStep; readonly workerId: string; readonly attempt: number },
  action: string
): ProcessingProgress | UploadError => {
  const progress = processing(state, action)
  if (progress instanceof InvalidUploadState) return progress
  if (command.step !== progress.step) return new StepOutOfOrder({ step: command.step, expectedStep: progress.step })
  const lease = progress.lease
  if (lease === null || lease.workerId !== command.workerId || lease.attempt !== command.attempt) {
    return new LeaseNotHeld({ step: command.step, workerId: command.workerId, attempt: command.attempt })
  }
  return progress
}

const isProgress = (u: ProcessingProgress | UploadError): u is ProcessingProgress => !("_tag" in u)

export const completeStep = (state: ExistingUpload, command: Command<"CompleteStep">, context: Context): UploadDecision => {
  const held = heldLease(state, command, `complete step "${command.step}"`)
  if (!isProgress(held)) return reject(held)
  const completed: UploadEvent = {
    _tag: "StepCompleted",
    uploadId: state.uploadId,
    step: command.step,
    workerId: command.workerId,
    attempt: command.attempt,
    ...(command.details === undefined ? {} : { details: command.details }),
    at: context.now
  }
  const ready: UploadEvent = {
    _tag: "UploadReady",
    uploadId: state.uploadId,
    ...(command.media === undefined ? {} : { media: command.media }),
    at: context.now
  }
  return command.step === "publish" ? accept<UploadEvent>(completed, ready) : accept(completed)
}

/** A stored part of the original, from the chunk step's lease holder: the next part, or part 1 of a new multipart upload. */
export const recordChunk = (state: ExistingUpload, command: Command<"RecordChunk">, context: Context): UploadDecision => {
  const held = heldLease(state, { ...command, step: "chunk" }, "record a chunk")
  if (!isProgress(held)) return reject(held)
  const chunks = held.chunks !== null && held.chunks.multipartUploadId === command.multipartUploadId ? held.chunks : null
  const parts = chunks?.parts ?? []
  const recorded = parts.find((p) => p.partNumber === command.partNumber)
  if (recorded !== undefined && recorded.etag === command.etag && recorded.size === command.size) return unchanged
  const expected = chunks === null ? 1 : parts.length + 1
  if (command.partNumber !== expected) {
    return reject(new ChunkOutOfOrder({ partNumber: command.partNumber, expectedPartNumber: expected }))
  }
  return accept({
    _tag: "ChunkUploaded",
    uploadId: state.uploadId,
    workerId: command.workerId,
    attempt: command.attempt,
    multipartUploadId: command.multipartUploadId,
    partNumber: command.partNumber,
    etag: command.etag,
    size: command.size,
    at: context.now
  })
}

export const recordMilestone = (state: ExistingUpload, command: Command<"RecordMilestone">, context: Context): UploadDecision => {
  const held = heldLease(state, command, `record the milestone "${command.milestone}"`)
  if (!isProgress(held)) return reject(held)
  return accept({
    _tag: "MilestoneReached",
    uploadId: state.uploadId,
    step: command.step,
    workerId: command.workerId,
    attempt: command.attempt,
    milestone: command.milestone,
    ...(command.details === undefined ? {} : { details: command.details }),
    at: context.now
  })
}

export const failStep = (state: ExistingUpload, command: Command<"FailStep">, context: Context): UploadDecision => {
  const held = heldLease(state, command, `fail step "${command.step}"`)
  if (!isProgress(held)) return reject(held)
  const retry = command.retryable && command.attempt < context.settings.jobMaxAttempts
  const failed: UploadEvent = {
    _tag: "StepFailed",
    uploadId: state.uploadId,
    step: command.step,
    workerId: command.workerId,
    attempt: command.attempt,
    reason: command.reason,
    ...(retry ? { retryAt: context.now + retryDelayMs(command.attempt, context.settings) } : {}),
    at: context.now
  }
  if (retry) return accept(failed)
  const tries = command.attempt === 1 ? "1 attempt" : `${command.attempt} attempts`
  return accept<UploadEvent>(failed, {
    _tag: "UploadFailed",
    uploadId: state.uploadId,
    reason: `Processing failed at the ${command.step} step after ${tries}: ${command.reason}`.slice(0, 1000),
    at: context.now
  })
}
