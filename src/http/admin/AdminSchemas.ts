/** Request and response schemas of the admin endpoints (validation and /openapi.json both use them). */
import { Schema } from "effect"
import { QuotaLimit } from "../../domain/quota/QuotaCommands.ts"
import { Reason, UserId } from "../../domain/shared/Primitives.ts"

export const UserParams = Schema.Struct({ userId: UserId })

export const QuotaLimitBody = Schema.Struct({
  limitBytes: QuotaLimit.annotate({ description: "bytes per week; -1 = unlimited; null = the default limit" }),
  reason: Schema.optional(Reason)
}).annotate({ identifier: "QuotaLimitBody" })

export const SponsorBody = Schema.Struct({
  sponsor: Schema.Boolean,
  reason: Schema.optional(Reason)
}).annotate({ identifier: "SponsorBody" })

export const QuotaLimitResult = Schema.Struct({
  userId: Schema.String,
  limitBytes: Schema.NullOr(Schema.Int),
  sponsor: Schema.Boolean,
  changed: Schema.Boolean.annotate({ description: "false when the limit already was this" }),
  revision: Schema.Int,
  position: Schema.Int.annotate({ description: "global position: pass it to a query to read your write" })
}).annotate({ identifier: "QuotaLimitResult" })

export const QuotaView = Schema.Struct({
  userId: Schema.String,
  limitOverride: Schema.NullOr(Schema.Int),
  sponsor: Schema.Boolean,
  revision: Schema.Int,
  position: Schema.Int
}).annotate({ identifier: "QuotaView" })
