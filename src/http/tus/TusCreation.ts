/**
 * POST /files (tus creation, creation-with-upload, expiration): validates the headers (nothing is
 * written when they are wrong), reserves the quota, creates the Upload, and stores the body when
 * the request carries one.
 */
import { Clock, Effect, Schema } from "effect"
import type { Context } from "hono"
import { ContentType } from "../../domain/upload/UploadCommands.ts"
import { Uploads } from "../../uploads/Uploads.ts"
import { errorResponse, HttpError } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { lockUpload, openUpload, type TusContext } from "./TusContext.ts"
import { type ChecksumHeader, isOffsetOctetStream, type Parsed, parseByteCount, parseChecksum } from "./TusHeaders.ts"
import { parseMetadata } from "./TusMetadata.ts"
import { announcesNoBody, expiresHeader, positionHeader, type Received, receiveBytes } from "./TusPatch.ts"
import { badHeader, wrongContentType } from "./TusProtocol.ts"
import { tusHttpError } from "./TusRunner.ts"

const HOUR = 3_600_000
const MAX_FILENAME = 4096
const DEFAULT_TYPE = "application/octet-stream"
const isContentType: (u: string) => boolean = Schema.is(ContentType)

interface Creation {
  readonly length: number
  readonly filename: string
  readonly filetype: string
  /** creation-with-upload: the body holds the first bytes. */
  readonly withUpload: boolean
  readonly contentLength: number | undefined
  readonly checksum: ChecksumHeader | undefined
}

const invalidMetadata = (message: string) => badHeader("INVALID_METADATA", message)

/** Every header check of a creation request, in the order a client can fix them. */
const parseCreation = (c: Context<AppEnv>): Parsed<Creation> => {
  const fail = (error: HttpError) => ({ ok: false, error }) as const
  if (c.req.header("Upload-Defer-Length") !== undefined) {
    return fail(
      badHeader(
        "DEFER_LENGTH_UNSUPPORTED",
        "Upload-Defer-Length is not supported: an upload reserves its size on your weekly quota when it is created, " +
          "so send Upload-Length with the file's size"
      )
    )
  }
  if (c.req.header("Upload-Concat") !== undefined) {
    return fail(badHeader("CONCATENATION_UNSUPPORTED", "the concatenation extension is not supported; send one upload per file"))
  }
  const length = parseByteCount("Upload-Length", c.req.header("Upload-Length"), true)
  if (!length.ok) return length
  if (length.value === 0 || length.value === undefined) return fail(badHeader("EMPTY_UPLOAD", "Upload-Length is 0: an empty file is not a video"))
  const metadata = parseMetadata(c.req.header("Upload-Metadata"))
  if (!metadata.ok) return fail(invalidMetadata(metadata.reason))
  // tus-js-client examples send filename/filetype; Uppy sends name/type as well.
  const filename = metadata.metadata.get("filename") ?? metadata.metadata.get("name")
  if (filename === undefined || filename.trim() === "") {
    return fail(invalidMetadata("Upload-Metadata must carry the file's name: filename <base64 of the name>"))
  }
  if (filename.length > MAX_FILENAME) return fail(invalidMetadata(`the filename is longer than ${MAX_FILENAME} characters`))
  const filetype = metadata.metadata.get("filetype") || metadata.metadata.get("type") || DEFAULT_TYPE
  if (!isContentType(filetype)) {
    return fail(invalidMetadata(`filetype must be a media type such as video/mp4, not "${filetype.slice(0, 80)}"`))
  }
  const contentLength = parseByteCount("Content-Length", c.req.header("Content-Length"), false)
  if (!contentLength.ok) return contentLength
  const withUpload = isOffsetOctetStream(c.req.header("Content-Type"))
  if (!withUpload && !announcesNoBody(c, contentLength.value)) return fail(wrongContentType(c.req.header("Content-Type")))
  const checksum = withUpload ? parseChecksum(c.req.header("Upload-Checksum")) : { ok: true, value: undefined } as const
  if (!checksum.ok) return checksum
  return {
    ok: true,
    value: { length: length.value, filename, filetype, withUpload, contentLength: contentLength.value, checksum: checksum.value }
  }
}

export const createUploadRoute = (context: TusContext) => (c: Context<AppEnv>): Promise<Response> | Response => {
  const parsed = parseCreation(c)
  if (!parsed.ok) return errorResponse(parsed.error)
  const creation = parsed.value
  const actor = c.get("actor")
  const requestId = c.get("requestId")
  const { settings } = context

  if (creation.length > settings.maxFileSizeBytes) {
    return context.run(
      c,
      Effect.flatMap(Uploads.use((uploads) => uploads.quotaSummary(actor, settings)), (quota) =>
        Effect.fail(
          new HttpError({
            status: 413,
            code: "FILE_TOO_LARGE",
            message: `Upload-Length is ${creation.length} bytes; the largest accepted file is ${settings.maxFileSizeBytes} bytes` +
              (quota.remainingBytes === null ? "" : `; ${quota.remainingBytes} bytes of your weekly quota are left until ${quota.resetsAt}`),
            details: { ...quota, maxFileSizeBytes: settings.maxFileSizeBytes }
          })
        ))
    )
  }

  return context.run(
    c,
    Effect.scoped(Effect.gen(function*() {
      const uploadId = crypto.randomUUID()
      const location = `${new URL(c.req.url).origin}${context.basePath}/${uploadId}`
      const created = yield* (yield* Uploads).create({
        uploadId,
        actor,
        filename: creation.filename,
        declaredSize: creation.length,
        contentType: creation.filetype,
        requestId,
        settings
      })
      const createdAt = created.events.find((e) => e._tag === "UploadCreated")?.at ?? (yield* Clock.currentTimeMillis)
      let received: Received = { offset: 0, expiresAt: createdAt + settings.uploadExpiryHours * HOUR, position: created.position }
      if (creation.withUpload) {
        const incoming = { body: context.requestBody(c), contentLength: creation.contentLength, checksum: creation.checksum }
        received = yield* Effect.gen(function*() {
          const lease = yield* lockUpload(context, uploadId)
          const open = yield* openUpload(uploadId, actor, { adminToo: false, settings, requestId })
          return yield* receiveBytes(context, open, incoming, { actor, requestId, lease })
        }).pipe(Effect.mapError((e) => withLocation(e, location)))
      }
      return c.body(null, 201, {
        Location: location,
        "Upload-Offset": String(received.offset),
        ...expiresHeader(received.expiresAt),
        ...positionHeader(received.position ?? created.position)
      })
    }))
  )
}

/** A failure after the upload exists still tells the client where it is, so it can resume. */
const withLocation = (error: unknown, location: string): unknown => {
  const mapped = tusHttpError(error)
  return mapped === undefined ? error : new HttpError({
    status: mapped.status,
    code: mapped.code,
    message: mapped.message,
    headers: { ...mapped.headers, Location: location },
    details: mapped.details
  })
}
