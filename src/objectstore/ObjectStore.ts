/** The object store port (DESIGN.md §4): media and upload bytes by key. Adapters: FsObjectStore, S3ObjectStore. */
import { Context, Effect, Stream } from "effect"
import { checkBodyLength, DEFAULT_CONTENT_TYPE, validatePartList, validatePartNumber, validatePutOptions, validateRange } from "./ObjectBody.ts"
import { validateDeletePrefix, validateKey, validatePrefix } from "./ObjectKey.ts"
import type {
  InvalidObjectKey,
  InvalidObjectRequest,
  MultipartUploadNotFound,
  ObjectNotFound,
  ObjectStoreUnavailable,
  RangeNotSatisfiable
} from "./ObjectStoreError.ts"

/** Object bytes: a web stream (read once, never buffered whole by the store) or bytes already in memory. */
export type ObjectBody = ReadableStream<Uint8Array> | Uint8Array

export interface PutOptions {
  /** Stored and returned by get/head; default `application/octet-stream`. */
  readonly contentType?: string | undefined
  /** Stored and returned by get/head (and by S3 to HTTP clients), e.g. `public, max-age=31536000, immutable`. */
  readonly cacheControl?: string | undefined
  /** The body's exact length when known; a body of another length fails with InvalidObjectRequest and stores nothing. */
  readonly contentLength?: number | undefined
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`; `end` defaults to the last byte and is clamped to it. */
export interface ByteRange {
  readonly start: number
  readonly end?: number | undefined
}

/**
 * One object as listed. `etag` is quoted, as S3 returns it, and opaque: it changes when the object
 * is written again. S3 happens to give the md5 of the bytes (`"<md5>"` or `"<md5>-<parts>"`); the fs
 * store gives a random id per write (hashing every byte cost too much for what it proves).
 */
export interface ObjectInfo {
  readonly key: string
  readonly size: number
  readonly etag: string
  readonly lastModified: Date
}

export interface ObjectHead extends ObjectInfo {
  readonly contentType: string
  readonly cacheControl: string | undefined
}

export interface GetResult extends ObjectHead {
  /** The bytes (the requested range, or the whole object). Read it to the end or cancel it: it holds a file or a connection. */
  readonly body: ReadableStream<Uint8Array>
  /**
   * The same bytes already in memory, when the adapter read them all anyway (fs: an object within its
   * first read); `body` is then a stream over them, holding nothing open. An HTTP answer can send them in one write.
   */
  readonly bytes?: Uint8Array<ArrayBuffer> | undefined
  /** Bytes in `body`. `size` stays the whole object's size. */
  readonly contentLength: number
  /** The range actually served (inclusive, `end` clamped), when a range was asked for. */
  readonly range: { readonly start: number; readonly end: number } | undefined
}

export interface PutResult {
  readonly key: string
  readonly size: number
  readonly etag: string
}

/** A part of a multipart upload, as `uploadPart` acknowledged it and `listParts` reports it. */
export interface UploadedPart {
  readonly partNumber: number
  readonly etag: string
  readonly size: number
}

export interface ObjectStoreShape {
  /** Which adapter this is ("fs", "s3"), for logs and readiness. */
  readonly kind: string
  /** The smallest size of a multipart part other than the last (5 MiB, as S3 requires; the fs adapter enforces the same). */
  readonly minPartSize: number
  /**
   * Stores `body` under `key`, replacing any object there, streaming it (a body of unknown length is fine).
   * When the effect succeeds the object is durable and visible whole; when it fails nothing was stored
   * (the previous object, if any, is unchanged). An interrupted put stored the object whole or not at all.
   */
  put(
    key: string,
    body: ObjectBody,
    options?: PutOptions
  ): Effect.Effect<PutResult, InvalidObjectKey | InvalidObjectRequest | ObjectStoreUnavailable>
  /** Opens an object, or one byte range of it, for reading. A range that starts at or past the end is RangeNotSatisfiable. */
  get(
    key: string,
    options?: { readonly range?: ByteRange | undefined }
  ): Effect.Effect<GetResult, InvalidObjectKey | ObjectNotFound | RangeNotSatisfiable | ObjectStoreUnavailable>
  /** An object's size, type, cache policy and etag, without its bytes. */
  head(key: string): Effect.Effect<ObjectHead, InvalidObjectKey | ObjectNotFound | ObjectStoreUnavailable>
  /** Removes an object; removing a missing object succeeds (idempotent). */
  delete(key: string): Effect.Effect<void, InvalidObjectKey | ObjectStoreUnavailable>
  /**
   * Removes every object whose key starts with `prefix` (a plain string prefix, as in S3: `media/ab`
   * also matches `media/abc/…`; end it with `/` to mean a folder). The prefix must not be empty.
   * Returns how many objects were removed.
   */
  deletePrefix(prefix: string): Effect.Effect<number, InvalidObjectKey | ObjectStoreUnavailable>
  /** Every object whose key starts with `prefix` (empty = all), in ascending key order, fetched page by page. */
  list(prefix: string): Stream.Stream<ObjectInfo, InvalidObjectKey | ObjectStoreUnavailable>
  /** Starts a multipart upload of `key`; the options apply to the completed object. Returns the upload id. */
  createMultipartUpload(
    key: string,
    options?: Omit<PutOptions, "contentLength">
  ): Effect.Effect<string, InvalidObjectKey | InvalidObjectRequest | ObjectStoreUnavailable>
  /**
   * Stores part `partNumber` (1–10000) of an upload; uploading the same number again replaces the part.
   * When the effect succeeds the part is durable. Returns the part's etag (needed by complete).
   */
  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: ObjectBody,
    contentLength: number
  ): Effect.Effect<string, InvalidObjectKey | InvalidObjectRequest | MultipartUploadNotFound | ObjectStoreUnavailable>
  /**
   * Joins the listed parts, in ascending part number order, into the object `key`. Every part but the
   * last must be at least `minPartSize`; each etag must match the uploaded part.
   */
  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: ReadonlyArray<{ readonly partNumber: number; readonly etag: string }>
  ): Effect.Effect<PutResult, InvalidObjectKey | InvalidObjectRequest | MultipartUploadNotFound | ObjectStoreUnavailable>
  /** Discards an upload and its parts; aborting an upload that no longer exists succeeds. */
  abortMultipartUpload(key: string, uploadId: string): Effect.Effect<void, InvalidObjectKey | ObjectStoreUnavailable>
  /** The parts uploaded so far, by ascending part number: how a restarted worker finds where to continue. */
  listParts(
    key: string,
    uploadId: string
  ): Effect.Effect<ReadonlyArray<UploadedPart>, InvalidObjectKey | MultipartUploadNotFound | ObjectStoreUnavailable>
  /**
   * A URL that lets anyone GET the object until it expires, or undefined when the adapter cannot make
   * one (fs: Keyframe serves the bytes itself). The object need not exist yet.
   */
  presignGet(key: string, expiresSeconds: number): Effect.Effect<string | undefined, InvalidObjectKey | ObjectStoreUnavailable>
  /** Succeeds when the backing store answers (the bucket or the root directory is reachable); for /readyz. */
  readonly ping: Effect.Effect<void, ObjectStoreUnavailable>
}

export class ObjectStore extends Context.Service<ObjectStore, ObjectStoreShape>()("keyframe/ObjectStore") {}

/** What an object is stored with beside its bytes, defaults filled in. */
export interface ObjectMetadata {
  readonly contentType: string
  readonly cacheControl: string | undefined
}

/**
 * What an adapter implements: the port's operations on arguments makeObjectStore already checked
 * (keys, prefixes, options, declared lengths, ranges, part numbers, part lists), with defaults
 * filled in. A body with a declared length comes held to it: bytes of that length, or a stream
 * that fails with BodyLengthMismatch (ObjectBody.ts) when read, which the adapter maps to
 * InvalidObjectRequest. What only the store knows (an object's size, an upload id) stays its to check.
 */
export interface RawObjectStore {
  readonly kind: string
  readonly minPartSize: number
  put(key: string, body: ObjectBody, metadata: ObjectMetadata): Effect.Effect<PutResult, InvalidObjectRequest | ObjectStoreUnavailable>
  get(key: string, range: ByteRange | undefined): Effect.Effect<GetResult, ObjectNotFound | RangeNotSatisfiable | ObjectStoreUnavailable>
  head(key: string): Effect.Effect<ObjectHead, ObjectNotFound | ObjectStoreUnavailable>
  delete(key: string): Effect.Effect<void, ObjectStoreUnavailable>
  deletePrefix(prefix: string): Effect.Effect<number, ObjectStoreUnavailable>
  list(prefix: string): Stream.Stream<ObjectInfo, ObjectStoreUnavailable>
  createMultipartUpload(key: string, metadata: ObjectMetadata): Effect.Effect<string, InvalidObjectRequest | ObjectStoreUnavailable>
  /** The port's arguments; a body with the declared length, as for put. */
  uploadPart(
    ...args: Parameters<ObjectStoreShape["uploadPart"]>
  ): Effect.Effect<string, InvalidObjectRequest | MultipartUploadNotFound | ObjectStoreUnavailable>
  /** The port's arguments; at least one part, in ascending part number order. */
  completeMultipartUpload(
    ...args: Parameters<ObjectStoreShape["completeMultipartUpload"]>
  ): Effect.Effect<PutResult, InvalidObjectRequest | MultipartUploadNotFound | ObjectStoreUnavailable>
  abortMultipartUpload(key: string, uploadId: string): Effect.Effect<void, ObjectStoreUnavailable>
  listParts(key: string, uploadId: string): Effect.Effect<ReadonlyArray<UploadedPart>, MultipartUploadNotFound | ObjectStoreUnavailable>
  presignGet(key: string, expiresSeconds: number): Effect.Effect<string | undefined, ObjectStoreUnavailable>
  readonly ping: Effect.Effect<void, ObjectStoreUnavailable>
}

const metadataOf = (options: Omit<PutOptions, "contentLength"> | undefined): ObjectMetadata => ({
  contentType: options?.contentType ?? DEFAULT_CONTENT_TYPE,
  cacheControl: options?.cacheControl
})

/** The port over an adapter's raw store: every input check runs here, once, before the raw method. */
export const makeObjectStore = (raw: RawObjectStore): ObjectStoreShape => ({
  kind: raw.kind,
  minPartSize: raw.minPartSize,
  put: Effect.fn("ObjectStore.put")(function*(key, body, options) {
    yield* validateKey(key)
    yield* validatePutOptions("put", key, options)
    return yield* raw.put(key, yield* checkBodyLength("put", key, body, options?.contentLength), metadataOf(options))
  }),
  get: Effect.fn("ObjectStore.get")(function*(key, options) {
    yield* validateKey(key)
    return yield* raw.get(key, yield* validateRange(key, options?.range))
  }),
  head: Effect.fn("ObjectStore.head")(function*(key) {
    return yield* raw.head(yield* validateKey(key))
  }),
  delete: Effect.fn("ObjectStore.delete")(function*(key) {
    return yield* raw.delete(yield* validateKey(key))
  }),
  deletePrefix: Effect.fn("ObjectStore.deletePrefix")(function*(prefix) {
    return yield* raw.deletePrefix(yield* validateDeletePrefix(prefix))
  }),
  list: (prefix) => Stream.unwrap(Effect.map(validatePrefix(prefix), (valid) => raw.list(valid))),
  createMultipartUpload: Effect.fn("ObjectStore.createMultipartUpload")(function*(key, options) {
    yield* validateKey(key)
    yield* validatePutOptions("createMultipartUpload", key, options)
    return yield* raw.createMultipartUpload(key, metadataOf(options))
  }),
  uploadPart: Effect.fn("ObjectStore.uploadPart")(function*(key, uploadId, partNumber, body, contentLength) {
    yield* validateKey(key)
    yield* validatePartNumber(key, partNumber)
    yield* validatePutOptions("uploadPart", key, { contentLength })
    const checked = yield* checkBodyLength("uploadPart", key, body, contentLength)
    return yield* raw.uploadPart(key, uploadId, partNumber, checked, contentLength)
  }),
  completeMultipartUpload: Effect.fn("ObjectStore.completeMultipartUpload")(function*(key, uploadId, parts) {
    yield* validateKey(key)
    yield* validatePartList(key, parts)
    return yield* raw.completeMultipartUpload(key, uploadId, parts)
  }),
  abortMultipartUpload: Effect.fn("ObjectStore.abortMultipartUpload")(function*(key, uploadId) {
    return yield* raw.abortMultipartUpload(yield* validateKey(key), uploadId)
  }),
  listParts: Effect.fn("ObjectStore.listParts")(function*(key, uploadId) {
    return yield* raw.listParts(yield* validateKey(key), uploadId)
  }),
  presignGet: Effect.fn("ObjectStore.presignGet")(function*(key, expiresSeconds) {
    return yield* raw.presignGet(yield* validateKey(key), expiresSeconds)
  }),
  ping: raw.ping.pipe(Effect.withSpan("ObjectStore.ping"))
})
