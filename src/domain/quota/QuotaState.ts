/** A user's quota as the decider sees it, and how events change it. */
import type { DomainSettings } from "../shared/DomainSettings.ts"
import type { QuotaEvent } from "./QuotaEvents.ts"

export interface PeriodUsage {
  readonly start: number
  readonly end: number
  readonly committedBytes: number
}

export interface Reservation {
  readonly uploadId: string
  readonly bytes: number
  readonly periodStart: number
  /** When it was made (the janitor reconciles only old ones). */
  readonly reservedAt: number
  /** A live stream's, raised as it grows and settled by the stream (never by the janitor). */
  readonly growing: boolean
}

export interface Settlement {
  readonly uploadId: string
  /** "reconciled": released by the janitor because the upload was never created. */
  readonly outcome: "committed" | "released" | "reconciled"
  readonly bytes: number
}

export type QuotaState =
  | { readonly status: "Untracked" }
  | {
    readonly status: "Tracked"
    readonly userId: string
    /** null: the settings' weekly limit; -1: unlimited; otherwise bytes. */
    readonly limitOverride: number | null
    /**
     * The latest period (last element) and older ones that still hold open reservations;
     * older settled periods can no longer change and are dropped.
     */
    readonly periods: ReadonlyArray<PeriodUsage>
    readonly reservations: ReadonlyArray<Reservation>
    /** Uploads whose reservation was committed or released: makes repeats idempotent. */
    readonly settled: ReadonlyArray<Settlement>
  }

export type TrackedQuota = Extract<QuotaState, { status: "Tracked" }>

export const initialQuotaState: QuotaState = { status: "Untracked" }

export const effectiveLimit = (state: TrackedQuota, settings: Pick<DomainSettings, "weeklyUploadLimitBytes">): number => {
  const limit = state.limitOverride ?? settings.weeklyUploadLimitBytes
  return limit < 0 ? Number.POSITIVE_INFINITY : limit
}

/** Reserved plus committed bytes of one period. */
export const usageOf = (state: TrackedQuota, periodStart: number): number =>
  (state.periods.find((p) => p.start === periodStart)?.committedBytes ?? 0) +
  state.reservations.filter((r) => r.periodStart === periodStart).reduce((sum, r) => sum + r.bytes, 0)

export const latestPeriod = (state: TrackedQuota): PeriodUsage | undefined => state.periods.at(-1)

const track = (state: QuotaState, userId: string): TrackedQuota =>
  state.status === "Tracked"
    ? state
    : { status: "Tracked", userId, limitOverride: null, periods: [], reservations: [], settled: [] }

const prune = (state: TrackedQuota): TrackedQuota => {
  const latest = latestPeriod(state)
  const periods = state.periods.filter((p) => p === latest || state.reservations.some((r) => r.periodStart === p.start))
  return periods.length === state.periods.length ? state : { ...state, periods }
}

const addPeriod = (periods: ReadonlyArray<PeriodUsage>, start: number, end: number): ReadonlyArray<PeriodUsage> =>
  periods.some((p) => p.start === start)
    ? periods
    : [...periods, { start, end, committedBytes: 0 }].sort((a, b) => a.start - b.start)

const settle = (state: TrackedQuota, uploadId: string, outcome: Settlement["outcome"], bytes: number): TrackedQuota => ({
  ...state,
  reservations: state.reservations.filter((r) => r.uploadId !== uploadId),
  settled: [...state.settled, { uploadId, outcome, bytes }]
})

export const evolveQuota = (current: QuotaState, event: QuotaEvent): QuotaState => {
  const state = track(current, event.userId)
  switch (event._tag) {
    case "UploadReserved":
      return prune({
        ...state,
        periods: addPeriod(state.periods, event.periodStart, event.periodEnd),
        reservations: [...state.reservations, {
          uploadId: event.uploadId,
          bytes: event.bytes,
          periodStart: event.periodStart,
          reservedAt: event.at,
          growing: event.growing === true
        }]
      })
    case "ReservationGrown":
      return {
        ...state,
        reservations: state.reservations.map((r) => r.uploadId === event.uploadId ? { ...r, bytes: event.bytes } : r)
      }
    case "UploadCommitted": {
      const settled = settle(state, event.uploadId, "committed", event.committedBytes)
      return prune({
        ...settled,
        periods: settled.periods.map((p) =>
          p.start === event.periodStart ? { ...p, committedBytes: p.committedBytes + event.committedBytes } : p
        )
      })
    }
    case "ReservationReleased":
      return prune(settle(state, event.uploadId, "released", event.bytes))
    case "ReservationReconciled":
      return prune(settle(state, event.uploadId, "reconciled", event.bytes))
    case "QuotaLimitSet":
      return { ...state, limitOverride: event.limitBytes }
  }
}
