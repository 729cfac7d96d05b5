/** Runtime-neutral checks and helpers on object bodies, ranges and options: the port's, and the adapters'. */
import { Effect } from "effect"
import type { ByteRange, ObjectBody, PutOptions } from "./ObjectStore.ts"
import { InvalidObjectRequest, RangeNotSatisfiable } from "./ObjectStoreError.ts"

/** Thrown inside a body stream when it is longer or shorter than announced; adapters map it to InvalidObjectRequest. */
export class BodyLengthMismatch extends Error {
  readonly expected: number
  readonly actual: number
  readonly atLeast: boolean
  constructor(expected: number, actual: number, atLeast: boolean) {
    super(`the body has ${atLeast ? "more than " : ""}${actual} bytes, but its declared length is ${expected}`)
    this.expected = expected
    this.actual = actual
    this.atLeast = atLeast
  }
}

/** The body as a web stream (bytes in memory become a one-chunk stream). */
export const toStream = (body: ObjectBody): ReadableStream<Uint8Array> =>
  body instanceof Uint8Array
    ? new ReadableStream<Uint8Array>({
      start(controller) {
        if (body.byteLength > 0) controller.enqueue(body)
        controller.close()
      }
    })
    : body

/** Passes the stream through, failing it with BodyLengthMismatch as soon as it is known not to be `expected` bytes long. */
export const checkLength = (stream: ReadableStream<Uint8Array>, expected: number): ReadableStream<Uint8Array> => {
  let seen = 0
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > expected) controller.error(new BodyLengthMismatch(expected, seen, true))
        else controller.enqueue(chunk)
      },
      flush(controller) {
        if (seen !== expected) controller.error(new BodyLengthMismatch(expected, seen, false))
      }
    })
  )
}

/**
 * Holds the body to its declared length: bytes in memory are compared at once; a stream is passed
 * through checkLength, so reading it fails with BodyLengthMismatch (the adapter maps it).
 */
export const checkBodyLength = (
  operation: string,
  key: string,
  body: ObjectBody,
  length: number | undefined
): Effect.Effect<ObjectBody, InvalidObjectRequest> =>
  length === undefined
    ? Effect.succeed(body)
    : !(body instanceof Uint8Array)
    ? Effect.succeed(checkLength(body, length))
    : body.byteLength === length
    ? Effect.succeed(body)
    : Effect.fail(
      new InvalidObjectRequest({ operation, key, reason: new BodyLengthMismatch(length, body.byteLength, false).message })
    )

/** A range no object can satisfy (negative, fractional, or ending before it starts): refused like one past the end. */
export const validateRange = (key: string, range: ByteRange | undefined): Effect.Effect<ByteRange | undefined, RangeNotSatisfiable> =>
  range === undefined ||
    (Number.isSafeInteger(range.start) && range.start >= 0 &&
      (range.end === undefined || (Number.isSafeInteger(range.end) && range.end >= range.start)))
    ? Effect.succeed(range)
    : Effect.fail(new RangeNotSatisfiable({ key, start: range.start, end: range.end, size: undefined }))

/** The parts a completion joins: at least one, in ascending part number order, each once. */
export const validatePartList = (
  key: string,
  parts: ReadonlyArray<{ readonly partNumber: number }>
): Effect.Effect<void, InvalidObjectRequest> => {
  const reason = parts.length === 0
    ? "the part list is empty"
    : parts.every((p, i) => i === 0 || p.partNumber > parts[i - 1]!.partNumber)
    ? undefined
    : "part numbers must be listed in ascending order, each once"
  return reason === undefined ? Effect.void : Effect.fail(new InvalidObjectRequest({ operation: "completeMultipartUpload", key, reason }))
}

const HEADER_VALUE = /^[\x20-\x7e]*$/
const MAX_HEADER_VALUE = 1024

/** Checks the options a put or a multipart upload stores: header-safe, bounded metadata and a sane length. */
export const validatePutOptions = (
  operation: string,
  key: string,
  options: PutOptions | undefined
): Effect.Effect<void, InvalidObjectRequest> => {
  const fail = (reason: string) => Effect.fail(new InvalidObjectRequest({ operation, key, reason }))
  for (const [name, value] of [["contentType", options?.contentType], ["cacheControl", options?.cacheControl]] as const) {
    if (value === undefined) continue
    if (value.length > MAX_HEADER_VALUE || !HEADER_VALUE.test(value)) {
      return fail(`${name} must be printable ASCII of at most ${MAX_HEADER_VALUE} characters`)
    }
  }
  const length = options?.contentLength
  if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
    return fail(`contentLength must be a non-negative integer, got ${length}`)
  }
  return Effect.void
}

/** Part numbers are 1–10000, as on S3. */
export const validatePartNumber = (key: string, partNumber: number): Effect.Effect<void, InvalidObjectRequest> =>
  Number.isInteger(partNumber) && partNumber >= 1 && partNumber <= 10_000
    ? Effect.void
    : Effect.fail(new InvalidObjectRequest({ operation: "uploadPart", key, reason: `part number must be 1–10000, got ${partNumber}` }))

/** `"abc"` for `abc` or `"abc"`: etags compare without their quotes. */
export const quoteEtag = (etag: string): string => `"${etag.replace(/"/g, "")}"`

export const DEFAULT_CONTENT_TYPE = "application/octet-stream"
export const MIN_PART_SIZE = 5 * 1024 * 1024
