/** The JSON error model (DESIGN.md §7) as a Schema: what /openapi.json lists for every error response. */
import { Schema } from "effect"

export const ValidationIssue = Schema.Struct({
  path: Schema.String.annotate({ description: "where the value is: body.x, path.id, query.limit, …" }),
  message: Schema.String
}).annotate({ identifier: "ValidationIssue" })

export const ErrorResponse = Schema.Struct({
  error: Schema.Struct({
    code: Schema.String.annotate({ description: "UPPER_SNAKE, stable: clients branch on it" }),
    message: Schema.String.annotate({ description: "for people; never a stack trace" }),
    path: Schema.optional(Schema.String).annotate({ description: "VALIDATION_FAILED only: the first failing value" }),
    issues: Schema.optional(Schema.Array(ValidationIssue)).annotate({ description: "VALIDATION_FAILED only: every failure" })
  })
}).annotate({ identifier: "Error", description: "Every error answer, whatever the status" })
