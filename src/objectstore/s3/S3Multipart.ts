/** Multipart uploads on S3 (a stream's chunks, resumable after a restart through listParts). */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  paginateListParts,
  type S3Client,
  UploadPartCommand
} from "@aws-sdk/client-s3"
import { Readable } from "node:stream"
import type { ReadableStream as NodeReadableStream } from "node:stream/web"
import { Effect } from "effect"
import { checkLength, DEFAULT_CONTENT_TYPE, quoteEtag, toStream, validatePartNumber, validatePutOptions } from "../ObjectBody.ts"
import { validateKey } from "../ObjectKey.ts"
import type { ObjectHead, ObjectStoreShape } from "../ObjectStore.ts"
import { InvalidObjectRequest, type ObjectNotFound, ObjectStoreUnavailable } from "../ObjectStoreError.ts"
import { type ErrorContext, sdkCall } from "./S3Errors.ts"

export interface S3Context {
  readonly client: S3Client
  readonly bucket: string
  readonly ctx: (operation: string, key: string, extra?: Partial<ErrorContext>) => ErrorContext
  readonly headObject: (operation: string, key: string) => Effect.Effect<ObjectHead, ObjectNotFound | ObjectStoreUnavailable>
}

const etagOf = (etag: string | undefined) => quoteEtag(etag ?? "")

/** The SDK's Node HTTP handler sends Node streams or bytes, not web streams. */
const sdkBody = (body: ReadableStream<Uint8Array> | Uint8Array) =>
  body instanceof Uint8Array ? body : Readable.fromWeb(body as NodeReadableStream<Uint8Array>)

export const makeS3Multipart = (
  { bucket, client, ctx, headObject }: S3Context
): Pick<
  ObjectStoreShape,
  "createMultipartUpload" | "uploadPart" | "completeMultipartUpload" | "abortMultipartUpload" | "listParts"
> => ({
  createMultipartUpload: Effect.fn("ObjectStore.createMultipartUpload")(function*(key, uploadOptions) {
    yield* validateKey(key)
    yield* validatePutOptions("createMultipartUpload", key, uploadOptions)
    const out = yield* sdkCall(ctx("createMultipartUpload", key), ["InvalidObjectRequest"], (abortSignal) =>
      client.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ContentType: uploadOptions?.contentType ?? DEFAULT_CONTENT_TYPE,
          CacheControl: uploadOptions?.cacheControl
        }),
        { abortSignal }
      ))
    if (out.UploadId === undefined) {
      return yield* new ObjectStoreUnavailable({ operation: "createMultipartUpload", reason: "the server returned no upload id" })
    }
    return out.UploadId
  }),

  uploadPart: Effect.fn("ObjectStore.uploadPart")(function*(key, uploadId, partNumber, body, contentLength) {
    yield* validateKey(key)
    yield* validatePartNumber(key, partNumber)
    yield* validatePutOptions("uploadPart", key, { contentLength })
    if (body instanceof Uint8Array && body.byteLength !== contentLength) {
      return yield* new InvalidObjectRequest({
        operation: "uploadPart",
        key,
        reason: `the body has ${body.byteLength} bytes, but its declared length is ${contentLength}`
      })
    }
    const payload = body instanceof Uint8Array ? body : checkLength(toStream(body), contentLength)
    const out = yield* sdkCall(
      ctx("uploadPart", key, { uploadId }),
      ["InvalidObjectRequest", "MultipartUploadNotFound"],
      (abortSignal) =>
        client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: sdkBody(payload),
            ContentLength: contentLength
          }),
          { abortSignal }
        )
    )
    return etagOf(out.ETag)
  }),

  completeMultipartUpload: Effect.fn("ObjectStore.completeMultipartUpload")(function*(key, uploadId, parts) {
    yield* validateKey(key)
    const ascending = parts.every((p, i) => i === 0 || p.partNumber > parts[i - 1]!.partNumber)
    if (parts.length === 0 || !ascending) {
      return yield* new InvalidObjectRequest({
        operation: "completeMultipartUpload",
        key,
        reason: parts.length === 0 ? "the part list is empty" : "part numbers must be listed in ascending order, each once"
      })
    }
    yield* sdkCall(
      ctx("completeMultipartUpload", key, { uploadId }),
      ["InvalidObjectRequest", "MultipartUploadNotFound"],
      (abortSignal) =>
        client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: quoteEtag(p.etag) })) }
          }),
          { abortSignal }
        )
    )
    const head = yield* headObject("completeMultipartUpload", key).pipe(
      Effect.catchTag("ObjectNotFound", (e) =>
        Effect.fail(new ObjectStoreUnavailable({ operation: "completeMultipartUpload", reason: e.message })))
    )
    return { key, size: head.size, etag: head.etag }
  }),

  abortMultipartUpload: Effect.fn("ObjectStore.abortMultipartUpload")(function*(key, uploadId) {
    yield* validateKey(key)
    yield* sdkCall(ctx("abortMultipartUpload", key, { uploadId }), ["MultipartUploadNotFound"], (abortSignal) =>
      client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { abortSignal })).pipe(
        Effect.catchTag("MultipartUploadNotFound", () => Effect.void)
      )
  }),

  listParts: Effect.fn("ObjectStore.listParts")(function*(key, uploadId) {
    yield* validateKey(key)
    return yield* sdkCall(ctx("listParts", key, { uploadId }), ["MultipartUploadNotFound"], async () => {
      const parts = []
      for await (const page of paginateListParts({ client }, { Bucket: bucket, Key: key, UploadId: uploadId })) {
        for (const p of page.Parts ?? []) {
          parts.push({ partNumber: p.PartNumber ?? 0, etag: etagOf(p.ETag), size: p.Size ?? 0 })
        }
      }
      return parts.sort((a, b) => a.partNumber - b.partNumber)
    })
  })
})
