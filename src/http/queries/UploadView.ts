/**
 * An upload as clients read it (GET /uploads/:id, /me/uploads, the upload SSE feed): the read
 * model's document plus what depends on settings or on how the tus API names things
 * (`size`, `expiresAt`, and `offset: null` once an upload ended without all its bytes).
 */
import type { UploadDoc } from "../../../projections/UploadsProjection.ts"

const HOUR = 3_600_000

export type UploadView = Omit<UploadDoc, "offset"> & {
  /** The declared size (the tus Upload-Length). */
  readonly size: number
  /** Bytes acknowledged; null once the upload ended (cancelled, expired, failed) without all of them. */
  readonly offset: number | null
  /** While bytes are due: when the upload expires without progress (epoch ms). */
  readonly expiresAt: number | null
}

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
