/**
 * One processing step, start to end: claim it through the Upload aggregate (the decider is the lock),
 * run it bounded by VIDEO_PROCESSING_TIMEOUT (interruption kills ffmpeg), then complete it or fail it
 * with a reason and whether a retry may help (the decider schedules the retry with backoff, or fails the
 * upload after JOB_MAX_ATTEMPTS). The commands are the Uploads service's; their ids derive from (upload,
 * step, attempt), so nothing is applied twice.
 */
import { Clock, Effect, Exit, type FileSystem, type Path, Result } from "effect"
import type { Digests } from "../digest/Digests.ts"
import type { ProcessingStep } from "../domain/upload/UploadCommands.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import type { Media } from "../media/Media.ts"
import type { ObjectStore } from "../objectstore/ObjectStore.ts"
import type { StepClaim } from "../uploads/ProcessingCommands.ts"
import { isTransient } from "../uploads/SystemActor.ts"
import { Uploads } from "../uploads/Uploads.ts"
import { chunkStep } from "./ChunkStep.ts"
import { ProcessingProgress } from "../uploads/ProcessingProgress.ts"
import { publishStep } from "./PublishStep.ts"
import type { StepContext, StepResult } from "./StepContext.ts"
import { classifyFailure, LeaseLost } from "./StepFailure.ts"
import { transcodeStep } from "./TranscodeStep.ts"
import type { ScratchSpace } from "./ScratchSpace.ts"
import type { WorkerOptions } from "./WorkerOptions.ts"

/** Rejections that mean the claim is no longer ours. */
const LOST = new Set(["LeaseNotHeld", "StepOutOfOrder", "UploadTerminal", "InvalidUploadState"])

const asLeaseLost = <A, E extends { readonly _tag: string; readonly message: string }, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | LeaseLost, R> =>
  Effect.catch(effect, (e): Effect.Effect<never, E | LeaseLost> => (LOST.has(e._tag) ? Effect.fail(new LeaseLost({ detail: e.message })) : Effect.fail(e)))

/** What the steps use: stores, ffmpeg, local scratch files, bulk hashing. */
export type StepServices = EventStore | ObjectStore | Media | ScratchSpace | FileSystem.FileSystem | Path.Path | Digests

const program = (step: ProcessingStep, ctx: StepContext): Effect.Effect<StepResult, unknown, StepServices> =>
  step === "chunk" ? chunkStep(ctx) : step === "transcode" ? transcodeStep(ctx) : publishStep(ctx)

export const runStep = Effect.fn("Workers.runStep")(function*(
  uploadId: string,
  step: ProcessingStep,
  attempt: number,
  options: WorkerOptions
) {
  const { workerId, processingTimeoutSeconds } = options
  const uploads = yield* Uploads
  const claim = yield* Effect.result(uploads.claimStep(uploadId, step, attempt, workerId, processingTimeoutSeconds * 1000))
  if (Result.isFailure(claim)) {
    const e = claim.failure
    if (e._tag === "AttemptsExhausted") return yield* uploads.giveUp(uploadId, step, e.attempts, processingTimeoutSeconds)
    if (isTransient(e)) return yield* Effect.fail(e)
    return yield* Effect.logDebug(`upload ${uploadId}: ${step} not claimed: ${e.message}`)
  }
  const claimed = claim.success.events.find((e) => e._tag === "StepClaimed")
  // Another worker's claim under the same command id comes back deduplicated: not ours.
  if (claimed === undefined || claimed._tag !== "StepClaimed" || claimed.workerId !== workerId) return
  const mine = claimed.attempt
  const { state: upload } = yield* uploads.current(uploadId)
  // A repeated claim (this process's view lagging behind its own finished step) comes back deduplicated
  // with our old claim: run only while that claim is still the current one.
  if (upload.status !== "Processing" || upload.step !== step || upload.lease?.workerId !== workerId || upload.lease.attempt !== mine) {
    return
  }
  const under: StepClaim = { uploadId, step, workerId, attempt: mine }
  const progress = yield* ProcessingProgress
  const ctx: StepContext = {
    uploadId,
    step,
    attempt: mine,
    workerId,
    upload,
    chunkSizeBytes: options.chunkSizeBytes,
    recordChunk: (multipartUploadId, part) => asLeaseLost(uploads.recordChunk(under, multipartUploadId, part)).pipe(Effect.asVoid),
    milestone: (milestone, details) => asLeaseLost(uploads.recordMilestone(under, milestone, details)).pipe(Effect.asVoid),
    progress: (percent, done) => progress.publishUnsafe({ uploadId, step, attempt: mine, percent, done, at: Date.now() })
  }
  yield* Effect.logInfo(`upload ${uploadId}: ${step} attempt ${mine} started by ${workerId}`)
  const started = yield* Clock.currentTimeMillis
  const exit = yield* Effect.exit(program(step, ctx).pipe(Effect.timeout(processingTimeoutSeconds * 1000)))
  const seconds = ((yield* Clock.currentTimeMillis) - started) / 1000
  if (Exit.isSuccess(exit)) {
    const result: StepResult = exit.value
    const completed = yield* asLeaseLost(uploads.completeStep(under, result)).pipe(Effect.result)
    if (Result.isFailure(completed)) {
      return yield* Effect.logWarning(`upload ${uploadId}: ${step} attempt ${mine} finished but was not recorded: ${completed.failure.message}`)
    }
    yield* Effect.logInfo(`upload ${uploadId}: ${step} attempt ${mine} done in ${seconds.toFixed(1)} s`)
    if (step === "publish") {
      const { state } = yield* uploads.current(uploadId)
      if (state.status !== "Initial") yield* uploads.settle(state)
    }
    return
  }
  const failure = classifyFailure(exit.cause, processingTimeoutSeconds)
  if (failure.leaseLost) return yield* Effect.logWarning(`upload ${uploadId}: ${step} attempt ${mine} stopped: ${failure.reason}`)
  yield* Effect.logWarning(
    `upload ${uploadId}: ${step} attempt ${mine} failed after ${seconds.toFixed(1)} s (${failure.retryable ? "retryable" : "final"}): ${failure.reason}`
  )
  yield* uploads.failStep(under, failure.reason, failure.retryable).pipe(
    Effect.catch((e) => (isTransient(e) ? Effect.fail(e) : Effect.logWarning(`upload ${uploadId}: the failure was not recorded: ${e.message}`)))
  )
})
