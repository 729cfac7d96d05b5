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

export const QuotaLimitSet = Schema.TaggedStruct("QuotaLimitSet", {
  userId: UserId,
  limitBytes: QuotaLimit,
  setBy: UserId,
  reason: Reason,
  at: EpochMillis
})

export const QuotaEvent = Schema.Union([UploadReserved, UploadCommitted, ReservationReleased, QuotaLimitSet])
export type QuotaEvent = typeof QuotaEvent.Type
