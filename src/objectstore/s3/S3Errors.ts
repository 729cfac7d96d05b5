/** Maps AWS SDK failures to the object store's typed errors, at the adapter boundary. */
import type { Effect } from "effect"
import { abortable } from "../Abortable.ts"
import { BodyLengthMismatch } from "../ObjectBody.ts"
import {
  InvalidObjectRequest,
  MultipartUploadNotFound,
  ObjectNotFound,
  type ObjectStoreError,
  ObjectStoreUnavailable,
  RangeNotSatisfiable
} from "../ObjectStoreError.ts"

interface SdkError {
  readonly name?: string
  readonly code?: string
  readonly message?: string
  readonly cause?: unknown
  readonly $metadata?: { readonly httpStatusCode?: number }
}

const REQUEST_ERRORS = new Set([
  "InvalidPart",
  "InvalidPartOrder",
  "EntityTooSmall",
  "EntityTooLarge",
  "MalformedXML",
  "InvalidArgument",
  "BadDigest",
  "IncompleteBody",
  "InvalidDigest"
])

/** Looks through `cause` chains (lib-storage and the HTTP handler wrap errors) for a body length mismatch. */
const lengthMismatch = (error: unknown): BodyLengthMismatch | undefined => {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as SdkError).cause, depth++) {
    if (e instanceof BodyLengthMismatch) return e
  }
  return undefined
}

/** Why the store could not be reached, in words an operator can act on. */
const describe = (error: SdkError, endpoint: string): string => {
  const code = error.code ?? (error.cause as SdkError | undefined)?.code
  if (code === "ECONNREFUSED") return `connection refused by ${endpoint}`
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `cannot resolve the host of ${endpoint}`
  if (code === "ETIMEDOUT" || error.name === "TimeoutError") return `timed out talking to ${endpoint}`
  if (error.name === "NoSuchBucket") return `the bucket does not exist (${endpoint})`
  const status = error.$metadata?.httpStatusCode
  return `${error.name ?? "Error"}${status === undefined ? "" : ` (HTTP ${status})`}: ${error.message ?? String(error)}`
}

export interface ErrorContext {
  readonly operation: string
  readonly key: string
  readonly endpoint: string
  readonly uploadId?: string | undefined
  readonly range?: { readonly start: number; readonly end: number | undefined } | undefined
}

/** The typed error for an SDK failure. */
export const fromSdkError = (error: unknown, context: ErrorContext): ObjectStoreError => {
  const { key, operation } = context
  const mismatch = lengthMismatch(error)
  if (mismatch !== undefined) return new InvalidObjectRequest({ operation, key, reason: mismatch.message })
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SdkError
  const status = e.$metadata?.httpStatusCode
  if (e.name === "NoSuchUpload" && context.uploadId !== undefined) {
    return new MultipartUploadNotFound({ key, uploadId: context.uploadId })
  }
  if (e.name === "NoSuchKey" || (e.name === "NotFound" && status === 404)) return new ObjectNotFound({ key })
  if ((e.name === "InvalidRange" || status === 416) && context.range !== undefined) {
    return new RangeNotSatisfiable({ key, start: context.range.start, end: context.range.end, size: undefined })
  }
  if (e.name !== undefined && REQUEST_ERRORS.has(e.name)) {
    return new InvalidObjectRequest({ operation, key, reason: `${e.name}: ${e.message ?? ""}` })
  }
  return new ObjectStoreUnavailable({ operation, reason: describe(e, context.endpoint), cause: error })
}

type Tag = ObjectStoreError["_tag"]

/**
 * Runs one SDK call (it gets an AbortSignal that interruption fires), mapping failures to typed errors;
 * an error whose tag the operation does not declare becomes ObjectStoreUnavailable.
 */
export const sdkCall = <A, T extends Tag = never>(
  context: ErrorContext,
  allowed: ReadonlyArray<T>,
  f: (signal: AbortSignal) => Promise<A>
): Effect.Effect<A, Extract<ObjectStoreError, { readonly _tag: T }> | ObjectStoreUnavailable> =>
  abortable(f, (error) => {
    const mapped = fromSdkError(error, context)
    if (mapped._tag === "ObjectStoreUnavailable" || (allowed as ReadonlyArray<Tag>).includes(mapped._tag)) {
      return mapped as Extract<ObjectStoreError, { readonly _tag: T }> | ObjectStoreUnavailable
    }
    return new ObjectStoreUnavailable({ operation: context.operation, reason: mapped.message, cause: error })
  })
