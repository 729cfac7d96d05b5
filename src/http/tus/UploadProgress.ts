/** What the HTTP side reads off an Upload's state: who may see it, its offset, whether it can take bytes, when it expires. */
import type { Principal } from "../../domain/shared/Decider.ts"
import { isAdmin } from "../../domain/shared/ActorRoles.ts"
import type { DomainSettings } from "../../domain/shared/DomainSettings.ts"
import type { ExistingUpload, UploadState } from "../../domain/upload/UploadState.ts"

const HOUR = 3_600_000

/** Ids that can name an upload (the stream-name rule); anything else is simply not found. */
export const UPLOAD_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/

/** The upload when `actor` may see it: its owner, or an admin when `adminToo`. Others get nothing (404, no leak). */
export const visibleUpload = (state: UploadState, actor: Principal, adminToo: boolean): ExistingUpload | undefined =>
  state.status !== "Initial" && (state.ownerId === actor.userId || (adminToo && isAdmin(actor))) ? state : undefined

/** Still taking bytes (created or receiving). */
export const isReceiving = (state: ExistingUpload): state is Extract<ExistingUpload, { status: "Created" | "Receiving" }> =>
  state.status === "Created" || state.status === "Receiving"

/** All bytes are in (received, processing, ready). */
export const hasAllBytes = (state: ExistingUpload): boolean =>
  state.status === "Received" || state.status === "Processing" || state.status === "Ready"

/** Bytes acknowledged so far; undefined when the upload ended without them (cancelled, expired, failed). */
export const offsetOf = (state: ExistingUpload): number | undefined =>
  isReceiving(state) ? state.receivedBytes : hasAllBytes(state) ? state.declaredSize : undefined

/** When a receiving upload expires without progress (UPLOAD_EXPIRY_HOURS after its last bytes, or its creation). */
export const expiresAt = (state: ExistingUpload, settings: Pick<DomainSettings, "uploadExpiryHours">): number | undefined =>
  isReceiving(state) ? state.lastProgressAt + settings.uploadExpiryHours * HOUR : undefined

export const isExpired = (state: ExistingUpload, now: number, settings: Pick<DomainSettings, "uploadExpiryHours">): boolean => {
  const at = expiresAt(state, settings)
  return at !== undefined && now >= at
}

/** RFC 9110 HTTP-date, as `Upload-Expires` wants it. */
export const httpDate = (epochMillis: number): string => new Date(epochMillis).toUTCString()
