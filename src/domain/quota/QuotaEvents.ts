/** Events of the quota aggregate. All at schema version 1. */
import { Schema } from "effect"
import { EntityId, EpochMillis, NonNegativeInt, PositiveInt, Reason, UserId } from "../shared/Primitives.ts"
import { QuotaLimit, ReleaseReason } from "./QuotaCommands.ts"

export const UploadReserved = Schema.TaggedStruct("UploadReserved", {
  userId: UserId,
  uploadId: EntityId,
  bytes: PositiveInt,
  periodStart: Schema.Int,
  periodEnd: Schema.Int,
  /** A live stream's reservation, raised by ReservationGrown as the stream grows. */
  growing: Schema.optional(Schema.Boolean),
  at: EpochMillis
})

/** A growing reservation now holds `bytes` (`addedBytes` more than before). */
export const ReservationGrown = Schema.TaggedStruct("ReservationGrown", {
  userId: UserId,
  uploadId: EntityId,
  periodStart: Schema.Int,
  bytes: PositiveInt,
  addedBytes: PositiveInt,
  at: EpochMillis
})

export const UploadCommitted = Schema.TaggedStruct("UploadCommitted", {
  userId: UserId,
  uploadId: EntityId,
  periodStart: Schema.Int,
  reservedBytes: PositiveInt,
  committedBytes: NonNegativeInt,
  at: EpochMillis
})

export const ReservationReleased = Schema.TaggedStruct("ReservationReleased", {
  userId: UserId,
  uploadId: EntityId,
  periodStart: Schema.Int,
  bytes: PositiveInt,
  reason: ReleaseReason,
  at: EpochMillis
})

/** A reservation the janitor gave back because its upload was never created; `reservedAt` is when it was made. */
export const ReservationReconciled = Schema.TaggedStruct("ReservationReconciled", {
  userId: UserId,
  uploadId: EntityId,
  periodStart: Schema.Int,
  bytes: PositiveInt,
  reservedAt: EpochMillis,
  at: EpochMillis
})

export const QuotaLimitSet = Schema.TaggedStruct("QuotaLimitSet", {
  userId: UserId,
  limitBytes: QuotaLimit,
  setBy: UserId,
  reason: Reason,
  at: EpochMillis
})

export const QuotaEvent = Schema.Union([UploadReserved, ReservationGrown, UploadCommitted, ReservationReleased, ReservationReconciled, QuotaLimitSet])
export type QuotaEvent = typeof QuotaEvent.Type
