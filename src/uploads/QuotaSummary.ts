/**
 * How much of a user's allowance is left and when it renews, asked of the Quota decider itself: a dry-run
 * reservation of more bytes than anyone has is refused with exactly these figures.
 */
import { Result } from "effect"
import { QuotaAggregate } from "../domain/quota/QuotaAggregate.ts"
import type { QuotaExceeded } from "../domain/quota/QuotaErrors.ts"
import type { QuotaState } from "../domain/quota/QuotaState.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import type { DomainSettings } from "../domain/shared/DomainSettings.ts"

export interface QuotaSummary {
  /** null: unlimited. */
  readonly limitBytes: number | null
  readonly remainingBytes: number | null
  readonly resetsAt: string | null
}

export const summaryOf = (e: QuotaExceeded): QuotaSummary => ({
  limitBytes: Number.isFinite(e.limitBytes) ? e.limitBytes : null,
  remainingBytes: Number.isFinite(e.remainingBytes) ? e.remainingBytes : null,
  resetsAt: new Date(e.resetsAt).toISOString()
})

/** The summary of `state` at `now` (pure). */
export const quotaSummaryOf = (state: QuotaState, actor: Principal, settings: DomainSettings, now: number): QuotaSummary => {
  const probe = QuotaAggregate.decider.decide(
    { _tag: "ReserveUpload", userId: actor.userId, uploadId: "quota-probe", bytes: Number.MAX_SAFE_INTEGER },
    state,
    { now, actor, settings }
  )
  if (Result.isSuccess(probe) || probe.failure._tag !== "QuotaExceeded") {
    return { limitBytes: null, remainingBytes: null, resetsAt: null }
  }
  return summaryOf(probe.failure)
}
