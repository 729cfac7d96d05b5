/** Why a processing step failed, as a reason a person can read and whether trying again may help. */
import { Cause, Data } from "effect"

/** The bytes tus recorded are not (all) in the staging area: retrying cannot bring them back. */
export class StagedBytesMissing extends Data.TaggedError("StagedBytesMissing")<{
  readonly offset: number
  readonly detail: string
}> {
  override get message() {
    return `the uploaded bytes at offset ${this.offset} are missing from storage (${this.detail})`
  }
}

/** The step's lease was taken over (it ran past its expiry and another worker claimed it): stop quietly. */
export class LeaseLost extends Data.TaggedError("LeaseLost")<{ readonly detail: string }> {
  override get message() {
    return `the lease was lost: ${this.detail}`
  }
}

/** What an earlier step left for this one is missing or unreadable (a bug, or objects deleted by hand). */
export class StepInputMissing extends Data.TaggedError("StepInputMissing")<{ readonly detail: string }> {
  override get message() {
    return this.detail
  }
}

export interface StepFailureReason {
  readonly reason: string
  readonly retryable: boolean
  /** The lease is gone: report nothing, the new holder carries on. */
  readonly leaseLost: boolean
}

/** Failures no retry can fix: the file itself is the problem. */
const PERMANENT = new Set(["NotAVideo", "UnsupportedContainer", "StagedBytesMissing"])

const REASON_MAX = 480

const tagOf = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "_tag" in e && typeof e._tag === "string" ? e._tag : undefined

const messageOf = (e: unknown): string =>
  e instanceof Error && e.message !== "" ? e.message : typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e)

/** Classifies the cause of a failed attempt; `timeoutSeconds` names the bound a timed-out attempt hit. */
export const classifyFailure = (cause: Cause.Cause<unknown>, timeoutSeconds: number): StepFailureReason => {
  const error = Cause.findErrorOption(cause)
  if (error._tag === "None") {
    const defect = cause.reasons.find(Cause.isDieReason)
    const detail = defect === undefined ? "it was interrupted" : `internal error: ${messageOf(defect.defect)}`
    return { reason: detail.slice(0, REASON_MAX), retryable: true, leaseLost: false }
  }
  const e = error.value
  const tag = tagOf(e)
  if (tag === "LeaseLost") return { reason: messageOf(e), retryable: false, leaseLost: true }
  if (Cause.isTimeoutError(e)) {
    return { reason: `it took longer than VIDEO_PROCESSING_TIMEOUT (${timeoutSeconds} s)`, retryable: true, leaseLost: false }
  }
  return { reason: messageOf(e).slice(0, REASON_MAX), retryable: !PERMANENT.has(tag ?? ""), leaseLost: false }
}
