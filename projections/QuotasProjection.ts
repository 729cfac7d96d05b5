/**
 * Quotas per user and weekly period: reserved and committed bytes, plus the user's limit
 * override. The effective limit, remaining bytes and reset time of the current period are
 * completed at query time from the settings (the default limit is configuration, not history).
 */
import { QuotaEventCodec } from "../src/domain/quota/QuotaAggregate.ts"
import { QuotaEvent } from "../src/domain/quota/QuotaEvents.ts"
import { WEEK_MS } from "../src/domain/quota/QuotaPeriod.ts"
import { type EventPlace, eventTypesOf, makeDecoder } from "./DomainEvents.ts"
import { defineProjection } from "./Projection.ts"

export interface QuotaPeriodDoc {
  readonly userId: string
  /** Epoch ms; the period is [periodStart, periodEnd). */
  readonly periodStart: number
  readonly periodEnd: number
  /** Bytes held by uploads still in flight. */
  readonly reservedBytes: number
  /** Bytes of uploads that completed. */
  readonly committedBytes: number
  /** Uploads holding a reservation now. */
  readonly openReservations: number
  /** Uploads that reserved in this period, ever. */
  readonly uploads: number
  readonly updatedAt: number
  readonly position: number
}

export interface QuotaUserDoc {
  readonly userId: string
  /** null: the configured weekly limit; -1: unlimited; otherwise bytes. */
  readonly limitOverride: number | null
  readonly limitSetBy: string | null
  readonly limitReason: string | null
  readonly limitSetAt: number | null
  /** Start of the newest period the user reserved in. */
  readonly latestPeriodStart: number | null
  readonly firstSeenAt: number
  readonly updatedAt: number
  readonly position: number
}

export type QuotasModels = { readonly period: QuotaPeriodDoc; readonly user: QuotaUserDoc }

export const periodId = (userId: string, periodStart: number): string => `${userId}:${periodStart}`

export const decodeQuotaEvent = makeDecoder(QuotaEventCodec)

const emptyPeriod = (userId: string, periodStart: number, periodEnd: number, at: number, position: number): QuotaPeriodDoc => ({
  userId,
  periodStart,
  periodEnd,
  reservedBytes: 0,
  committedBytes: 0,
  openReservations: 0,
  uploads: 0,
  updatedAt: at,
  position
})

const emptyUser = (userId: string, at: number, position: number): QuotaUserDoc => ({
  userId,
  limitOverride: null,
  limitSetBy: null,
  limitReason: null,
  limitSetAt: null,
  latestPeriodStart: null,
  firstSeenAt: at,
  updatedAt: at,
  position
})

/** Pure: the period document after a reservation event. */
export const evolvePeriod = (current: QuotaPeriodDoc | undefined, event: Exclude<QuotaEvent, { _tag: "QuotaLimitSet" }>, place: EventPlace): QuotaPeriodDoc => {
  const end = event._tag === "UploadReserved" ? event.periodEnd : event.periodStart + WEEK_MS
  const doc = { ...(current ?? emptyPeriod(event.userId, event.periodStart, end, event.at, place.position)), updatedAt: event.at, position: place.position }
  switch (event._tag) {
    case "UploadReserved":
      return { ...doc, reservedBytes: doc.reservedBytes + event.bytes, openReservations: doc.openReservations + 1, uploads: doc.uploads + 1 }
    case "ReservationGrown":
      return { ...doc, reservedBytes: doc.reservedBytes + event.addedBytes }
    case "UploadCommitted":
      return {
        ...doc,
        reservedBytes: Math.max(0, doc.reservedBytes - event.reservedBytes),
        committedBytes: doc.committedBytes + event.committedBytes,
        openReservations: Math.max(0, doc.openReservations - 1)
      }
    case "ReservationReleased":
    case "ReservationReconciled":
      return { ...doc, reservedBytes: Math.max(0, doc.reservedBytes - event.bytes), openReservations: Math.max(0, doc.openReservations - 1) }
  }
}

export const QuotasProjection = defineProjection<QuotasModels>()({
  name: "quotas",
  version: 1,
  handles: eventTypesOf(QuotaEvent),
  streamPrefixes: ["quota-"],
  models: {
    period: {
      indexes: (doc) => [
        { index: "all", score: doc.periodStart },
        { index: "byUser", value: doc.userId, score: doc.periodStart }
      ]
    },
    user: { indexes: (doc) => [{ index: "all", score: doc.firstSeenAt }] }
  },
  touches: (event) => {
    const e = decodeQuotaEvent(event)
    return e._tag === "QuotaLimitSet"
      ? [{ model: "user", id: e.userId }]
      : [{ model: "period", id: periodId(e.userId, e.periodStart) }, { model: "user", id: e.userId }]
  },
  evolve: (docs, event) => {
    const e = decodeQuotaEvent(event)
    const user = docs.get("user", e.userId) ?? emptyUser(e.userId, e.at, event.position)
    if (e._tag === "QuotaLimitSet") {
      return [{
        model: "user",
        id: e.userId,
        doc: {
          ...user,
          limitOverride: e.limitBytes,
          limitSetBy: e.setBy,
          limitReason: e.reason,
          limitSetAt: e.at,
          updatedAt: e.at,
          position: event.position
        }
      }]
    }
    const id = periodId(e.userId, e.periodStart)
    const period = evolvePeriod(docs.get("period", id), e, event)
    const latest = Math.max(user.latestPeriodStart ?? Number.NEGATIVE_INFINITY, e.periodStart)
    return [
      { model: "period", id, doc: period },
      { model: "user", id: e.userId, doc: { ...user, latestPeriodStart: latest, updatedAt: e.at, position: event.position } }
    ]
  }
})
