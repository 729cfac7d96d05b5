/** Commands of the quota aggregate (`quota-<userId>`). */
import { Schema } from "effect"
import { EntityId, NonNegativeInt, PositiveInt, Reason, UserId } from "../shared/Primitives.ts"

/** Holds an upload's declared size against the user's weekly allowance. */
export const ReserveUpload = Schema.TaggedStruct("ReserveUpload", {
  userId: UserId,
  uploadId: EntityId,
  bytes: PositiveInt
})

/**
 * A live stream's growing reservation: holds `bytes` in total for `uploadId` (the stream's id), made on the
 * first chunk and raised chunk by chunk; asking for no more than is held is a no-op (a retry). QUOTA_EXCEEDED
 * when the raise would pass the limit. The stream settles it (its adopted upload commits, a failure releases);
 * the janitor does not reconcile it.
 */
export const GrowReservation = Schema.TaggedStruct("GrowReservation", {
  userId: UserId,
  uploadId: EntityId,
  bytes: PositiveInt
})

/** Turns a reservation into usage: the bytes the upload really received. */
export const CommitUpload = Schema.TaggedStruct("CommitUpload", {
  userId: UserId,
  uploadId: EntityId,
  receivedBytes: NonNegativeInt
})

export const ReleaseReason = Schema.Literals(["cancelled", "failed", "expired"])

/** Gives a reservation back (cancel, failure, expiry). Idempotent. */
export const ReleaseUpload = Schema.TaggedStruct("ReleaseUpload", {
  userId: UserId,
  uploadId: EntityId,
  reason: ReleaseReason
})

/**
 * The janitor's command for a reservation whose upload was never created (its stream is still missing
 * QUOTA_RECONCILE_GRACE_SECONDS after the reservation): gives it back. The system's only; idempotent.
 */
export const ReconcileReservation = Schema.TaggedStruct("ReconcileReservation", {
  userId: UserId,
  uploadId: EntityId
})

/** An override of the weekly limit: bytes, -1 for unlimited, null to go back to the default. */
export const QuotaLimit = Schema.NullOr(Schema.Int.check(Schema.isGreaterThanOrEqualTo(-1)))

export const SetQuotaLimit = Schema.TaggedStruct("SetQuotaLimit", {
  userId: UserId,
  limitBytes: QuotaLimit,
  reason: Reason
})

export const QuotaCommand = Schema.Union([ReserveUpload, GrowReservation, CommitUpload, ReleaseUpload, ReconcileReservation, SetQuotaLimit])
export type QuotaCommand = typeof QuotaCommand.Type
