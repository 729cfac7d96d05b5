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
import { Effect, Exit } from "effect"
import { quoteEtag } from "../ObjectBody.ts"
import type { ObjectHead, RawObjectStore } from "../ObjectStore.ts"
import { type ObjectNotFound, ObjectStoreUnavailable } from "../ObjectStoreError.ts"
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

/** Inputs arrive checked, defaults filled in (makeObjectStore). */
export const makeS3Multipart = (
  { bucket, client, ctx, headObject }: S3Context
): Pick<
  RawObjectStore,
  "createMultipartUpload" | "uploadPart" | "completeMultipartUpload" | "abortMultipartUpload" | "listParts"
> => ({
  createMultipartUpload: (key, { cacheControl, contentType }) =>
    sdkCall(ctx("createMultipartUpload", key), ["InvalidObjectRequest"], (abortSignal) =>
      client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, CacheControl: cacheControl }),
        { abortSignal }
      )).pipe(
        Effect.flatMap((out) =>
          out.UploadId === undefined
            ? Effect.fail(new ObjectStoreUnavailable({ operation: "createMultipartUpload", reason: "the server returned no upload id" }))
            : Effect.succeed(out.UploadId)
        )
      ),

  // A streamed body outlives a call that was aborted or failed (the SDK stops reading it): it is destroyed then, so
  // it stops pulling its source, and whatever it fails with afterwards has a listener instead of crashing the process.
  uploadPart: (key, uploadId, partNumber, body, contentLength) => {
    const sent = sdkBody(body)
    const release = Effect.sync(() => {
      if (sent instanceof Readable && !sent.destroyed) sent.on("error", () => {}).destroy()
    })
    return sdkCall(
      ctx("uploadPart", key, { uploadId }),
      ["InvalidObjectRequest", "MultipartUploadNotFound"],
      (abortSignal) =>
        client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: sent,
            ContentLength: contentLength
          }),
          { abortSignal }
        )
    ).pipe(Effect.map((out) => etagOf(out.ETag)), Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : release)))
  },

  completeMultipartUpload: (key, uploadId, parts) =>
    Effect.gen(function*() {
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

  abortMultipartUpload: (key, uploadId) =>
    sdkCall(ctx("abortMultipartUpload", key, { uploadId }), ["MultipartUploadNotFound"], (abortSignal) =>
      client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { abortSignal })).pipe(
        Effect.asVoid,
        Effect.catchTag("MultipartUploadNotFound", () => Effect.void)
      ),

  listParts: (key, uploadId) =>
    sdkCall(ctx("listParts", key, { uploadId }), ["MultipartUploadNotFound"], async () => {
      const parts = []
      for await (const page of paginateListParts({ client }, { Bucket: bucket, Key: key, UploadId: uploadId })) {
        for (const p of page.Parts ?? []) {
          parts.push({ partNumber: p.PartNumber ?? 0, etag: etagOf(p.ETag), size: p.Size ?? 0 })
        }
      }
      return parts.sort((a, b) => a.partNumber - b.partNumber)
    })
})
