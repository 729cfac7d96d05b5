/** Why the quota aggregate rejects a command. */
import { Schema } from "effect"
import { formatBytes } from "../shared/Bytes.ts"
import { formatInstant } from "../shared/FormatInstant.ts"
import type { Forbidden, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"

export class QuotaExceeded extends Schema.TaggedError<QuotaExceeded>()("QuotaExceeded", {
  limitBytes: Schema.Number,
  usedBytes: Schema.Number,
  requestedBytes: Schema.Number,
  remainingBytes: Schema.Number,
  /** Epoch ms at which the current period ends and the allowance is renewed. */
  resetsAt: Schema.Number
}) {
  readonly code = "QUOTA_EXCEEDED" as const
  override get message(): string {
    return `Weekly upload quota exceeded: ${formatBytes(this.requestedBytes)} requested, ` +
      `${formatBytes(this.remainingBytes)} of ${formatBytes(this.limitBytes)} left until ${formatInstant(this.resetsAt)}.`
  }
}

export class ReservationNotFound extends Schema.TaggedError<ReservationNotFound>()("ReservationNotFound", {
  uploadId: Schema.String
}) {
  readonly code = "RESERVATION_NOT_FOUND" as const
  override get message(): string {
    return `Upload "${this.uploadId}" has no quota reservation to commit.`
  }
}

/** Reserving again with another size, or committing a reservation that was released or committed differently. */
export class ReservationConflict extends Schema.TaggedError<ReservationConflict>()("ReservationConflict", {
  uploadId: Schema.String,
  detail: Schema.String
}) {
  readonly code = "RESERVATION_CONFLICT" as const
  override get message(): string {
    return `Quota reservation of upload "${this.uploadId}": ${this.detail}.`
  }
}

export class LimitBelowUsage extends Schema.TaggedError<LimitBelowUsage>()("LimitBelowUsage", {
  limitBytes: Schema.Number,
  usedBytes: Schema.Number
}) {
  readonly code = "LIMIT_BELOW_USAGE" as const
  override get message(): string {
    return `A limit of ${formatBytes(this.limitBytes)} is below the ${formatBytes(this.usedBytes)} already reserved or used this period; ` +
      `set at least that much.`
  }
}

export type QuotaError =
  | QuotaExceeded
  | ReservationNotFound
  | ReservationConflict
  | LimitBelowUsage
  | Forbidden
  | WrongAggregate
  | UnknownCommand
