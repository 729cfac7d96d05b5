/** The production object store: S3 or an S3-compatible server (MinIO), through @aws-sdk/client-s3 and lib-storage. */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client
} from "@aws-sdk/client-s3"
import { Upload } from "@aws-sdk/lib-storage"
import { getSignedUrl } from "@aws-sdk/s3-request-presigner"
import { Effect, Layer, Redacted, Stream } from "effect"
import { DEFAULT_CONTENT_TYPE, MIN_PART_SIZE, quoteEtag } from "../ObjectBody.ts"
import { makeObjectStore, type ObjectHead, type ObjectInfo, ObjectStore, type RawObjectStore } from "../ObjectStore.ts"
import { ObjectStoreUnavailable } from "../ObjectStoreError.ts"
import { type ErrorContext, fromSdkError, sdkCall } from "./S3Errors.ts"
import { makeS3Multipart } from "./S3Multipart.ts"

/**
 * The SDK's logger: without one it writes to the console itself. A failed streaming request (an upload body that
 * failed or was aborted on purpose: a growing part abandoned) fails the call, and the caller reports it; the SDK's
 * own line about it is noise. Its other warnings still reach the console.
 */
const sdkLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (...args: Array<unknown>) => {
    if (!(typeof args[0] === "string" && args[0].includes("non-retryable streaming request"))) console.warn(...args)
  },
  // as the SDK's default (NoOpLogger): a failed call fails the effect, which says why
  error: () => {}
}

export type ChecksumSetting = "WHEN_REQUIRED" | "WHEN_SUPPORTED"

export interface S3ObjectStoreOptions {
  /** An S3-compatible server's URL (MinIO, s3rver); unset = AWS S3 for `region`. */
  readonly endpoint?: string | undefined
  readonly region: string
  readonly bucket: string
  /** Unset (with secretAccessKey) = the SDK's default credential chain (env, profile, instance role). */
  readonly accessKeyId?: string | undefined
  readonly secretAccessKey?: string | Redacted.Redacted<string> | undefined
  /** Path-style URLs (`endpoint/bucket/key`): needed by MinIO and s3rver. */
  readonly forcePathStyle: boolean
  /**
   * The SDK's default (WHEN_SUPPORTED) sends streamed bodies with aws-chunked checksum framing, which some
   * S3-compatible servers store verbatim (s3rver does: wrong bytes, 200 OK). WHEN_REQUIRED avoids it.
   */
  readonly requestChecksumCalculation: ChecksumSetting
  /** Defaults to requestChecksumCalculation. */
  readonly responseChecksumValidation?: ChecksumSetting | undefined
  /** Attempts per request, retries included (SDK default 3). */
  readonly maxAttempts?: number | undefined
  /** Fail a connection attempt after this long (default 5000 ms), so an unreachable server fails fast. */
  readonly connectionTimeoutMs?: number | undefined
  /** Part size of streamed puts of unknown length (default 8 MiB; at least 5 MiB). */
  readonly partSize?: number | undefined
}

/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600

const etagOf = (etag: string | undefined) => quoteEtag(etag ?? "")

/** Counts the bytes that flow through, for the size of a streamed put. */
const counted = (stream: ReadableStream<Uint8Array>) => {
  const counter = { bytes: 0 }
  const out = stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        counter.bytes += chunk.byteLength
        controller.enqueue(chunk)
      }
    })
  )
  return { stream: out, counter }
}

const make = (options: S3ObjectStoreOptions) =>
  Effect.gen(function*() {
    const bucket = options.bucket
    const endpoint = options.endpoint ?? `s3.${options.region}.amazonaws.com`
    const secret = options.secretAccessKey
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new S3Client({
          region: options.region,
          endpoint: options.endpoint,
          forcePathStyle: options.forcePathStyle,
          credentials: options.accessKeyId !== undefined && secret !== undefined
            ? { accessKeyId: options.accessKeyId, secretAccessKey: Redacted.isRedacted(secret) ? Redacted.value(secret) : secret }
            : undefined,
          requestChecksumCalculation: options.requestChecksumCalculation,
          responseChecksumValidation: options.responseChecksumValidation ?? options.requestChecksumCalculation,
          maxAttempts: options.maxAttempts ?? 3,
          logger: sdkLogger,
          requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 5000 }
        })
      ),
      (c) => Effect.sync(() => c.destroy())
    )
    const ctx = (operation: string, key: string, extra?: Partial<ErrorContext>): ErrorContext => ({
      operation,
      key,
      endpoint,
      ...extra
    })

    const headObject = (operation: string, key: string) =>
      sdkCall(ctx(operation, key), ["ObjectNotFound"], (abortSignal) =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal })).pipe(
          Effect.map((out): ObjectHead => ({
            key,
            size: out.ContentLength ?? 0,
            etag: etagOf(out.ETag),
            lastModified: out.LastModified ?? new Date(0),
            contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
            cacheControl: out.CacheControl
          }))
        )

    /** Streams a body of unknown (or large) length with lib-storage: single PUT when small, multipart otherwise. */
    const uploadStream = (key: string, body: ReadableStream<Uint8Array>, contentType: string, cacheControl: string | undefined) =>
      Effect.gen(function*() {
        const { counter, stream } = counted(body)
        const out = yield* sdkCall(ctx("put", key), ["InvalidObjectRequest"], (signal) => {
          const upload = new Upload({
            client,
            params: { Bucket: bucket, Key: key, Body: stream, ContentType: contentType, CacheControl: cacheControl },
            partSize: Math.max(MIN_PART_SIZE, options.partSize ?? 8 * 1024 * 1024),
            queueSize: 2,
            leavePartsOnError: false
          })
          signal.addEventListener("abort", () => void upload.abort().catch(() => {}), { once: true })
          return upload.done()
        })
        return { key, size: counter.bytes, etag: etagOf(out.ETag) }
      })

    const list = (prefix: string): Stream.Stream<ObjectInfo, ObjectStoreUnavailable> =>
      Stream.fromAsyncIterable(
        paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix === "" ? undefined : prefix }),
        (e) => {
          const mapped = fromSdkError(e, ctx("list", prefix))
          return mapped._tag === "ObjectStoreUnavailable"
            ? mapped
            : new ObjectStoreUnavailable({ operation: "list", reason: mapped.message, cause: e })
        }
      ).pipe(
        Stream.flatMap((page) =>
          Stream.fromIterable(
            (page.Contents ?? []).map((o): ObjectInfo => ({
              key: o.Key ?? "",
              size: o.Size ?? 0,
              etag: etagOf(o.ETag),
              lastModified: o.LastModified ?? new Date(0)
            }))
          )
        )
      )

    // Inputs arrive checked, defaults filled in (makeObjectStore).
    const store: RawObjectStore = {
      kind: "s3",
      minPartSize: MIN_PART_SIZE,

      put: (key, body, { cacheControl, contentType }) =>
        body instanceof Uint8Array
          ? sdkCall(ctx("put", key), ["InvalidObjectRequest"], (abortSignal) =>
            client.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: key,
                Body: body,
                ContentLength: body.byteLength,
                ContentType: contentType,
                CacheControl: cacheControl
              }),
              { abortSignal }
            )).pipe(Effect.map((out) => ({ key, size: body.byteLength, etag: etagOf(out.ETag) })))
          : uploadStream(key, body, contentType, cacheControl),

      get: (key, range) =>
        Effect.gen(function*() {
          const out = yield* sdkCall(
            ctx("get", key, { range: range && { start: range.start, end: range.end } }),
            ["ObjectNotFound", "RangeNotSatisfiable"],
            (abortSignal) =>
              client.send(
                new GetObjectCommand({
                  Bucket: bucket,
                  Key: key,
                  Range: range === undefined ? undefined : `bytes=${range.start}-${range.end ?? ""}`
                }),
                { abortSignal }
              )
          )
          // "bytes 0-9/100": the served range and the whole size.
          const served = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(out.ContentRange ?? "")
          const contentLength = out.ContentLength ?? 0
          const size = served?.[3] !== undefined && served[3] !== "*" ? Number(served[3]) : contentLength
          const body = out.Body === undefined
            ? new ReadableStream<Uint8Array>({ start: (c) => c.close() })
            : (out.Body.transformToWebStream() as ReadableStream<Uint8Array>)
          return {
            key,
            size,
            etag: etagOf(out.ETag),
            lastModified: out.LastModified ?? new Date(0),
            contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
            cacheControl: out.CacheControl,
            body,
            contentLength,
            range: range === undefined
              ? undefined
              : served
              ? { start: Number(served[1]), end: Number(served[2]) }
              : { start: 0, end: contentLength - 1 }
          }
        }),

      head: (key) => headObject("head", key),

      delete: (key) =>
        sdkCall(ctx("delete", key), [], (abortSignal) =>
          client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal })).pipe(Effect.asVoid),

      deletePrefix: (prefix) =>
        Effect.gen(function*() {
          const keys = (yield* Stream.runCollect(list(prefix))).map((o) => o.key)
          for (let i = 0; i < keys.length; i += 1000) {
            const batch = keys.slice(i, i + 1000)
            const out = yield* sdkCall(ctx("deletePrefix", prefix), [], (abortSignal) =>
              client.send(
                new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
                { abortSignal }
              ))
            const failed = out.Errors ?? []
            if (failed.length > 0) {
              return yield* new ObjectStoreUnavailable({
                operation: "deletePrefix",
                reason: `${failed.length} objects were not deleted, e.g. ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`
              })
            }
          }
          return keys.length
        }),

      list,

      ...makeS3Multipart({ client, bucket, ctx, headObject }),
      presignGet: (key, expiresSeconds) => {
        const expiresIn = Math.max(1, Math.min(MAX_PRESIGN_SECONDS, Math.floor(expiresSeconds)))
        return sdkCall(ctx("presignGet", key), [], () =>
          getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn }))
      },

      ping: sdkCall(ctx("ping", ""), [], (abortSignal) =>
        client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal })).pipe(Effect.asVoid)
    }
    return makeObjectStore(store)
  })

export const S3ObjectStore = {
  /** The S3 adapter as the ObjectStore service; the client is closed when the layer is released. */
  layer: (options: S3ObjectStoreOptions): Layer.Layer<ObjectStore> => Layer.effect(ObjectStore, make(options))
} as const
