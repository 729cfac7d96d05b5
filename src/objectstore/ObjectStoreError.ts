/** Typed failures of the object store port; every adapter maps its driver's errors onto these. */
import { Data } from "effect"

/** No object under this key (get, head, and the parts of a finished upload). */
export class ObjectNotFound extends Data.TaggedError("ObjectNotFound")<{ readonly key: string }> {
  override get message() {
    return `object not found: ${this.key}`
  }
}

/** A key or prefix that the store refuses: empty, too long, `..` segments, a leading `/`, control characters. */
export class InvalidObjectKey extends Data.TaggedError("InvalidObjectKey")<{
  readonly key: string
  readonly reason: string
}> {
  override get message() {
    return `invalid object key ${JSON.stringify(this.key)}: ${this.reason}`
  }
}

/** A byte range that starts past the object's end (HTTP 416). */
export class RangeNotSatisfiable extends Data.TaggedError("RangeNotSatisfiable")<{
  readonly key: string
  readonly start: number
  readonly end: number | undefined
  readonly size: number | undefined
}> {
  override get message() {
    const size = this.size === undefined ? "" : ` of a ${this.size}-byte object`
    return `range ${this.start}-${this.end ?? ""}${size} cannot be satisfied (${this.key})`
  }
}

/** The multipart upload does not exist (never created, completed or aborted). */
export class MultipartUploadNotFound extends Data.TaggedError("MultipartUploadNotFound")<{
  readonly key: string
  readonly uploadId: string
}> {
  override get message() {
    return `multipart upload ${this.uploadId} for ${this.key} does not exist (completed, aborted or never created)`
  }
}

/**
 * A request the store rejects as malformed: a body whose length differs from `contentLength`, a part
 * number outside 1–10000, a part list that does not match the uploaded parts, a part below the minimum size.
 */
export class InvalidObjectRequest extends Data.TaggedError("InvalidObjectRequest")<{
  readonly operation: string
  readonly key: string
  readonly reason: string
}> {
  override get message() {
    return `${this.operation} ${this.key}: ${this.reason}`
  }
}

/** The backing store could not be reached or failed (network, permissions, disk). A put that failed did not happen. */
export class ObjectStoreUnavailable extends Data.TaggedError("ObjectStoreUnavailable")<{
  readonly operation: string
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message() {
    return `object store unavailable (${this.operation}): ${this.reason}`
  }
}

export type ObjectStoreError =
  | ObjectNotFound
  | InvalidObjectKey
  | RangeNotSatisfiable
  | MultipartUploadNotFound
  | InvalidObjectRequest
  | ObjectStoreUnavailable
