/**
 * The quota decider: weekly allowance, reservations, commits, releases and limit overrides.
 *
 * Rules: an upload reserves its declared size in the current period (QUOTA_EXCEEDED when
 * reserved + committed + bytes would pass the limit); a commit turns the reservation into the
 * bytes really received and counts in the period the reservation was made in, even when it
 * lands in the next one (so a period's usage never grows after its own checks); releasing is
 * idempotent; the janitor (the system only) reconciles a reservation whose upload was never created,
 * once (never a live stream's growing reservation, which its stream settles); a growing reservation is
 * raised chunk by chunk under the same limit check; a limit override is an admin's (or the system's) event and may not go below what
 * a tracked period already holds. Hence reserved + committed <= limit in every period.
 */
import { Result } from "effect"
import type { Principal, DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { Forbidden, tagOf, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { hasRole, isSystem } from "../shared/ActorRoles.ts"
import type { QuotaCommand } from "./QuotaCommands.ts"
import { LimitBelowUsage, QuotaExceeded, type QuotaError, ReservationConflict, ReservationNotFound } from "./QuotaErrors.ts"
import type { QuotaEvent } from "./QuotaEvents.ts"
import { type QuotaPeriod, quotaPeriodAt, WEEK_MS } from "./QuotaPeriod.ts"
import { effectiveLimit, evolveQuota, initialQuotaState, latestPeriod, type QuotaState, type TrackedQuota, usageOf } from "./QuotaState.ts"

type Context = DecideContext<DomainSettings>
type QuotaDecision = Decision<QuotaEvent, QuotaError>

const emptyQuota = (userId: string): TrackedQuota => ({
  status: "Tracked",
  userId,
  limitOverride: null,
  periods: [],
  reservations: [],
  settled: []
})

const actsFor = (actor: Principal, userId: string) => actor.userId === userId || hasRole(actor, "admin", "system")

/**
 * Reservations go to the period of `now`, or to the latest period already used if the clock
 * reads earlier than that: a period that was left behind never takes new reservations.
 */
const targetPeriod = (state: TrackedQuota, context: Context): QuotaPeriod => {
  const period = quotaPeriodAt(context.now, context.settings)
  const latest = latestPeriod(state)
  return latest !== undefined && latest.start > period.start ? latest : period
}

const exceeded = (state: TrackedQuota, period: QuotaPeriod, requested: number, context: Context) => {
  const limit = effectiveLimit(state, context.settings)
  const used = usageOf(state, period.start)
  return new QuotaExceeded({
    limitBytes: limit,
    usedBytes: used,
    requestedBytes: requested,
    remainingBytes: Math.max(0, limit - used),
    resetsAt: period.end
  })
}

const reserve = (state: TrackedQuota, command: Extract<QuotaCommand, { _tag: "ReserveUpload" }>, context: Context): QuotaDecision => {
  const existing = state.reservations.find((r) => r.uploadId === command.uploadId)
  if (existing !== undefined) {
    return existing.bytes === command.bytes
      ? unchanged
      : reject(new ReservationConflict({ uploadId: command.uploadId, detail: `already reserved with ${existing.bytes} bytes` }))
  }
  const settled = state.settled.find((s) => s.uploadId === command.uploadId)
  if (settled !== undefined) {
    return reject(new ReservationConflict({ uploadId: command.uploadId, detail: `already ${settled.outcome}` }))
  }
  const period = targetPeriod(state, context)
  if (usageOf(state, period.start) + command.bytes > effectiveLimit(state, context.settings)) {
    return reject(exceeded(state, period, command.bytes, context))
  }
  return accept({
    _tag: "UploadReserved",
    userId: command.userId,
    uploadId: command.uploadId,
    bytes: command.bytes,
    periodStart: period.start,
    periodEnd: period.end,
    at: context.now
  })
}

/** Opens a growing reservation on the first chunk, raises it on the next ones; the limit is checked on what is added. */
const grow = (state: TrackedQuota, command: Extract<QuotaCommand, { _tag: "GrowReservation" }>, context: Context): QuotaDecision => {
  const existing = state.reservations.find((r) => r.uploadId === command.uploadId)
  if (existing === undefined) {
    const settled = state.settled.find((s) => s.uploadId === command.uploadId)
    if (settled !== undefined) return reject(new ReservationConflict({ uploadId: command.uploadId, detail: `already ${settled.outcome}` }))
    const opened = reserve(state, { _tag: "ReserveUpload", userId: command.userId, uploadId: command.uploadId, bytes: command.bytes }, context)
    return Result.map(opened, (events) => events.map((e) => e._tag === "UploadReserved" ? { ...e, growing: true } : e))
  }
  if (!existing.growing) {
    return reject(new ReservationConflict({ uploadId: command.uploadId, detail: "it is an upload's fixed reservation, not a stream's growing one" }))
  }
  if (command.bytes <= existing.bytes) return unchanged
  const added = command.bytes - existing.bytes
  if (usageOf(state, existing.periodStart) + added > effectiveLimit(state, context.settings)) {
    return reject(exceeded(state, { start: existing.periodStart, end: existing.periodStart + WEEK_MS }, added, context))
  }
  return accept({
    _tag: "ReservationGrown",
    userId: command.userId,
    uploadId: command.uploadId,
    periodStart: existing.periodStart,
    bytes: command.bytes,
    addedBytes: added,
    at: context.now
  })
}

const commit = (state: TrackedQuota, command: Extract<QuotaCommand, { _tag: "CommitUpload" }>, context: Context): QuotaDecision => {
  const reservation = state.reservations.find((r) => r.uploadId === command.uploadId)
  if (reservation === undefined) {
    const settled = state.settled.find((s) => s.uploadId === command.uploadId)
    if (settled === undefined) return reject(new ReservationNotFound({ uploadId: command.uploadId }))
    if (settled.outcome === "committed" && settled.bytes === command.receivedBytes) return unchanged
    return reject(new ReservationConflict({ uploadId: command.uploadId, detail: `already ${settled.outcome} with ${settled.bytes} bytes` }))
  }
  // An upload that received more than it reserved may commit the difference only if the period has room for it.
  const extra = command.receivedBytes - reservation.bytes
  if (extra > 0 && usageOf(state, reservation.periodStart) + extra > effectiveLimit(state, context.settings)) {
    const period = { start: reservation.periodStart, end: reservation.periodStart + WEEK_MS }
    return reject(exceeded(state, period, extra, context))
  }
  return accept({
    _tag: "UploadCommitted",
    userId: command.userId,
    uploadId: command.uploadId,
    periodStart: reservation.periodStart,
    reservedBytes: reservation.bytes,
    committedBytes: command.receivedBytes,
    at: context.now
  })
}

const release = (state: TrackedQuota, command: Extract<QuotaCommand, { _tag: "ReleaseUpload" }>, context: Context): QuotaDecision => {
  const reservation = state.reservations.find((r) => r.uploadId === command.uploadId)
  if (reservation === undefined) return unchanged
  return accept({
    _tag: "ReservationReleased",
    userId: command.userId,
    uploadId: command.uploadId,
    periodStart: reservation.periodStart,
    bytes: reservation.bytes,
    reason: command.reason,
    at: context.now
  })
}

const reconcile = (
  state: TrackedQuota,
  command: Extract<QuotaCommand, { _tag: "ReconcileReservation" }>,
  context: Context
): QuotaDecision => {
  if (!isSystem(context.actor)) return reject(new Forbidden({ action: "reconcile a quota reservation", allowed: "the system" }))
  const reservation = state.reservations.find((r) => r.uploadId === command.uploadId)
  // A stream's growing reservation has no upload until the stream is finalized: the stream settles it.
  if (reservation === undefined || reservation.growing) return unchanged
  return accept({
    _tag: "ReservationReconciled",
    userId: command.userId,
    uploadId: command.uploadId,
    periodStart: reservation.periodStart,
    bytes: reservation.bytes,
    reservedAt: reservation.reservedAt,
    at: context.now
  })
}

const setLimit = (state: TrackedQuota, command: Extract<QuotaCommand, { _tag: "SetQuotaLimit" }>, context: Context): QuotaDecision => {
  if (!hasRole(context.actor, "admin", "system")) {
    return reject(new Forbidden({ action: "change a quota limit", allowed: "admins" }))
  }
  if (command.limitBytes === state.limitOverride) return unchanged
  const next = effectiveLimit({ ...state, limitOverride: command.limitBytes }, context.settings)
  const used = Math.max(0, ...state.periods.map((p) => usageOf(state, p.start)))
  if (next < used) return reject(new LimitBelowUsage({ limitBytes: next, usedBytes: used }))
  return accept({
    _tag: "QuotaLimitSet",
    userId: command.userId,
    limitBytes: command.limitBytes,
    setBy: context.actor.userId,
    reason: command.reason,
    at: context.now
  })
}

export const decideQuota = (command: QuotaCommand, current: QuotaState, context: Context): QuotaDecision => {
  if (current.status === "Tracked" && current.userId !== command.userId) {
    return reject(new WrongAggregate({ category: "quota", expectedId: current.userId, commandId: command.userId }))
  }
  const state = current.status === "Tracked" ? current : emptyQuota(command.userId)
  if (command._tag !== "SetQuotaLimit" && !actsFor(context.actor, command.userId)) {
    return reject(new Forbidden({ action: "use another user's quota", allowed: "the user, admins and the system" }))
  }
  switch (command._tag) {
    case "ReserveUpload":
      return reserve(state, command, context)
    case "GrowReservation":
      return grow(state, command, context)
    case "CommitUpload":
      return commit(state, command, context)
    case "ReleaseUpload":
      return release(state, command, context)
    case "ReconcileReservation":
      return reconcile(state, command, context)
    case "SetQuotaLimit":
      return setLimit(state, command, context)
    default:
      return reject(new UnknownCommand({ category: "quota", command: tagOf(command) }))
  }
}

export const QuotaDecider: Decider<QuotaState, QuotaCommand, QuotaEvent, QuotaError, DomainSettings> = {
  initialState: initialQuotaState,
  decide: decideQuota,
  evolve: evolveQuota
}
