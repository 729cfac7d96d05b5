/**
 * PATCH (tus core + checksum): bytes at the upload's offset, streamed into a staging object, then
 * recorded on the Upload aggregate. Decisions (README "Uploads (tus)"):
 * - a body longer than what the upload has left is refused with 413 and nothing is kept (checked on
 *   Content-Length before reading, and while streaming when the length is not announced);
 * - a body cut short (client gone, or a newer request for the upload took over) keeps and records the
 *   bytes that arrived, as tus intends, so the client resumes from there; unless it carried
 *   Upload-Checksum: then the bytes cannot be verified and are discarded;
 * - a checksum mismatch discards the bytes (460) and leaves the offset as it was.
 */
import { POSITION_HEADER } from "../queries/ReadModel.ts"
import { Effect } from "effect"
import type { Context } from "hono"
import { Digests } from "../../digest/Digests.ts"
import { sameDigest } from "../../digest/Hashes.ts"
import type { Principal } from "../../domain/shared/Decider.ts"
import { Uploads } from "../../uploads/Uploads.ts"
import { errorResponse } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { lockVisibleUpload, openUpload, type OpenUpload, type TusContext } from "./TusContext.ts"
import { type ChecksumHeader, parseByteCount, parseChecksum, requireOffsetOctetStream } from "./TusHeaders.ts"
import { checksumMismatch, tusError } from "./TusProtocol.ts"
import type { UploadLease } from "./UploadLocks.ts"
import { expiresAt as expiryOf, httpDate } from "./UploadProgress.ts"

const HOUR = 3_600_000

const tooLong = (left: number) =>
  tusError(413, "UPLOAD_SIZE_EXCEEDED", `the body is longer than the ${left} bytes this upload has left; nothing was stored`)

export interface IncomingBytes {
  readonly body: ReadableStream<Uint8Array> | null
  /** Content-Length, when announced. */
  readonly contentLength: number | undefined
  readonly checksum: ChecksumHeader | undefined
}

/** The request announces no body: Content-Length 0, or neither a length nor chunked encoding. */
export const announcesNoBody = (c: Context<AppEnv>, contentLength: number | undefined): boolean =>
  contentLength === 0 || (contentLength === undefined && c.req.header("Transfer-Encoding") === undefined)

/** What a successful write leaves: the new offset and, while bytes are still due, when the upload expires. */
export interface Received {
  readonly offset: number
  readonly expiresAt: number | undefined
  /** Global position of the write, for read-your-writes (`Keyframe-Position`); absent when nothing was written. */
  readonly position?: number | undefined
}

/** Stores and records the bytes of one request at `open.offset` (the caller holds the upload's lock). */
export const receiveBytes = Effect.fn("Tus.receiveBytes")(function*(
  context: TusContext,
  open: OpenUpload,
  incoming: IncomingBytes,
  who: { readonly actor: Principal; readonly requestId: string; readonly lease: UploadLease }
) {
  const { upload, offset } = open
  const left = upload.declaredSize - offset
  const unchanged: Received = { offset, expiresAt: expiryOf(upload, context.settings) }
  if (incoming.contentLength !== undefined && incoming.contentLength > left) return yield* Effect.fail(tooLong(left))
  if (incoming.body === null || incoming.contentLength === 0) return unchanged
  const { checksum } = incoming
  const digests = yield* Digests
  const uploads = yield* Uploads
  const received = yield* uploads.receiveBytes({
    upload,
    offset,
    body: incoming.body,
    checksum: checksum && {
      algorithm: checksum.algorithm,
      value: checksum.value,
      digest: digests.incremental(checksum.algorithm),
      matches: (digest) => sameDigest(digest, checksum.expected)
    },
    stop: who.lease.stopRequested,
    actor: who.actor,
    requestId: who.requestId
  }).pipe(
    Effect.catchTags({
      BodyTooLong: (e) => Effect.fail(tooLong(e.left)),
      ChecksumMismatch: (e) => Effect.fail(checksumMismatch(e.algorithm))
    })
  )
  const result = received.recorded
  if (result === undefined) return unchanged
  const complete = result.events.some((e) => e._tag === "UploadReceived")
  const last = result.events.find((e) => e._tag === "BytesReceived")
  return {
    offset: offset + received.length,
    expiresAt: complete || last === undefined ? undefined : last.at + context.settings.uploadExpiryHours * HOUR,
    position: result.position
  } satisfies Received
})

export const expiresHeader = (at: number | undefined): Record<string, string> =>
  at === undefined ? {} : { "Upload-Expires": httpDate(at) }

/** Read-your-writes: the global position a later query can wait for (README "Read side"). */
export const positionHeader = (position: number | undefined): Record<string, string> =>
  position === undefined ? {} : { [POSITION_HEADER]: String(position) }

export const patchUpload = (context: TusContext) => (c: Context<AppEnv>): Promise<Response> | Response => {
  const id = c.req.param("id") ?? ""
  const wrongType = requireOffsetOctetStream(c.req.header("Content-Type"))
  if (wrongType !== undefined) return errorResponse(wrongType)
  const offset = parseByteCount("Upload-Offset", c.req.header("Upload-Offset"), true)
  if (!offset.ok) return errorResponse(offset.error)
  const length = parseByteCount("Content-Length", c.req.header("Content-Length"), false)
  if (!length.ok) return errorResponse(length.error)
  const checksum = parseChecksum(c.req.header("Upload-Checksum"))
  if (!checksum.ok) return errorResponse(checksum.error)
  const actor = c.get("actor")
  const requestId = c.get("requestId")
  const incoming: IncomingBytes = {
    body: length.value === 0 ? null : context.requestBody(c),
    contentLength: length.value,
    checksum: checksum.value
  }
  return context.run(
    c,
    Effect.scoped(Effect.gen(function*() {
      // Only the owner's own newer request takes the lock over (and stops the PATCH in flight).
      const lease = yield* lockVisibleUpload(context, id, actor, { adminToo: false })
      const open = yield* openUpload(id, actor, { adminToo: false, settings: context.settings, requestId })
      if (offset.value !== open.offset) {
        return yield* Effect.fail(
          tusError(409, "OFFSET_MISMATCH", `Upload-Offset is ${offset.value}, but the upload continues at ${open.offset}`)
        )
      }
      const received = yield* receiveBytes(context, open, incoming, { actor, requestId, lease })
      return c.body(null, 204, {
        "Upload-Offset": String(received.offset),
        ...expiresHeader(received.expiresAt),
        ...positionHeader(received.position)
      })
    }))
  )
}
