/** tus 1.0 as Keyframe speaks it: version, extensions, the headers it reads and exposes, and its errors (JSON model). */
import { HttpError } from "../HttpError.ts"

export const TUS_VERSION = "1.0.0"
export const TUS_EXTENSIONS = ["creation", "creation-with-upload", "expiration", "checksum", "termination"] as const
export const CHECKSUM_ALGORITHMS = ["sha1", "sha256"] as const
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number]

/** The only body type a PATCH (and a creation-with-upload POST) may carry. */
export const OFFSET_OCTET_STREAM = "application/offset+octet-stream"

/** Request headers a browser client may send cross-origin (answer to a CORS preflight). */
export const ALLOWED_HEADERS: ReadonlyArray<string> = [
  "Authorization",
  "Content-Type",
  "Tus-Resumable",
  "Upload-Length",
  "Upload-Metadata",
  "Upload-Offset",
  "Upload-Checksum",
  "Upload-Defer-Length",
  "Upload-Concat",
  "X-HTTP-Method-Override",
  "X-Request-Id",
  "X-Requested-With"
]

/** Response headers a browser client must be able to read (tus-js-client and Uppy read these). */
export const EXPOSED_HEADERS: ReadonlyArray<string> = [
  "Location",
  "Tus-Resumable",
  "Tus-Version",
  "Tus-Extension",
  "Tus-Max-Size",
  "Tus-Checksum-Algorithm",
  "Upload-Offset",
  "Upload-Length",
  "Upload-Metadata",
  "Upload-Expires",
  "X-Request-Id",
  "Retry-After"
]

export const TUS_METHODS: ReadonlyArray<string> = ["OPTIONS", "HEAD", "GET", "POST", "PATCH", "DELETE"]
/** For `Allow:` headers. */
export const ALLOWED_METHODS = TUS_METHODS.join(", ")

/** What OPTIONS answers (the server's capabilities). */
export const discoveryHeaders = (maxSize: number): Record<string, string> => ({
  "Tus-Version": TUS_VERSION,
  "Tus-Extension": TUS_EXTENSIONS.join(","),
  "Tus-Max-Size": String(maxSize),
  "Tus-Checksum-Algorithm": CHECKSUM_ALGORITHMS.join(",")
})

/** A tus error in the JSON error model. */
export const tusError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  new HttpError({ status, code, message, headers })

export const unsupportedVersion = (given: string | undefined) =>
  tusError(
    412,
    "TUS_VERSION_UNSUPPORTED",
    given === undefined
      ? `the Tus-Resumable header is required; this server speaks tus ${TUS_VERSION}`
      : `tus ${given.slice(0, 20)} is not supported; this server speaks tus ${TUS_VERSION}`,
    { "Tus-Version": TUS_VERSION }
  )

export const wrongContentType = (given: string | undefined) =>
  tusError(
    415,
    "UNSUPPORTED_MEDIA_TYPE",
    `upload bytes must be sent as Content-Type: ${OFFSET_OCTET_STREAM}${given === undefined ? "" : `, not ${given.slice(0, 80)}`}`
  )

export const badHeader = (code: string, message: string) => tusError(400, code, message)

/** Same answer for "no such upload" and "someone else's upload": existence is not revealed. */
export const uploadNotFound = (id: string) => tusError(404, "UPLOAD_NOT_FOUND", `there is no upload "${id.slice(0, 100)}"`)

export const uploadGone = (id: string, status: string) =>
  tusError(410, "UPLOAD_GONE", `upload "${id}" is ${status.toLowerCase()}: it accepts no more bytes (start a new upload)`)

export const checksumMismatch = (algorithm: string) =>
  tusError(460, "CHECKSUM_MISMATCH", `the body's ${algorithm} does not match Upload-Checksum; its bytes were discarded`)

export const uploadLocked = (id: string) =>
  tusError(423, "UPLOAD_LOCKED", `another request is still writing to upload "${id}"; retry shortly`, { "Retry-After": "1" })
