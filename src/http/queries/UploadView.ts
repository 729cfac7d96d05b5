/**
 * An upload as clients read it (GET /uploads/:id, /me/uploads, the upload SSE feed): the read
 * model's document plus what depends on settings or on how the tus API names things
 * (`size`, `expiresAt`, and `offset: null` once an upload ended without all its bytes).
 */
import { Schema } from "effect"
import { type UploadDoc, UploadDocument } from "../../../projections/UploadsProjection.ts"

const HOUR = 3_600_000

export const UploadView = Schema.Struct({
  ...UploadDocument.fields,
  size: Schema.Finite.annotate({ description: "the declared size (tus Upload-Length)" }),
  offset: Schema.NullOr(Schema.Finite).annotate({ description: "bytes acknowledged; null once the upload ended without all of them" }),
  expiresAt: Schema.NullOr(Schema.Finite).annotate({ description: "while bytes are due: when the upload expires without progress" })
}).annotate({ identifier: "Upload" })
export type UploadView = typeof UploadView.Type

export const uploadView = (doc: UploadDoc, uploadExpiryHours: number): UploadView => {
  const due = doc.status === "created" || doc.status === "receiving"
  const endedShort = (doc.status === "cancelled" || doc.status === "expired" || doc.status === "failed") && doc.receivedAt === null
  return {
    ...doc,
    size: doc.declaredSize,
    offset: endedShort ? null : doc.offset,
    expiresAt: due ? doc.lastProgressAt + uploadExpiryHours * HOUR : null
  }
}
