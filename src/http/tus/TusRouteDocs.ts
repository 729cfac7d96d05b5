/** How the tus routes appear in /openapi.json (tus is a header protocol: bodies are bytes, answers are headers). */
import { ErrorResponse } from "../openapi/ErrorSchema.ts"
import type { HeaderDoc, ResponseDoc, RouteDoc } from "../openapi/RouteDoc.ts"
import { CHECKSUM_ALGORITHMS, OFFSET_OCTET_STREAM, TUS_EXTENSIONS, TUS_VERSION } from "./TusProtocol.ts"

const tags = ["uploads"]
const signedIn = { roles: [] }

const resumable: HeaderDoc = {
  name: "Tus-Resumable",
  description: `the tus version; must be ${TUS_VERSION} (412 with Tus-Version otherwise)`,
  required: true,
  example: TUS_VERSION
}

const error = (description: string, headers?: Record<string, string>): ResponseDoc => ({
  description,
  schema: ErrorResponse,
  ...(headers ? { headers } : {})
})

const common: Record<number, ResponseDoc> = {
  404: error("UPLOAD_NOT_FOUND: no such upload, or it is someone else's"),
  412: error("TUS_VERSION_UNSUPPORTED: Tus-Resumable missing or not 1.0.0", { "Tus-Version": "the versions this server speaks" }),
  423: error("UPLOAD_LOCKED: another request is still writing to this upload", { "Retry-After": "seconds" }),
  503: error("STORAGE_UNAVAILABLE / EVENT_STORE_UNAVAILABLE: nothing was recorded; retry", { "Retry-After": "seconds" })
}

export const optionsDoc: RouteDoc = {
  summary: "tus discovery (no token needed; also answers CORS preflights)",
  tags,
  responses: {
    204: {
      description: "the server's tus capabilities",
      headers: {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": TUS_EXTENSIONS.join(","),
        "Tus-Max-Size": "MAX_FILE_SIZE_BYTES",
        "Tus-Checksum-Algorithm": CHECKSUM_ALGORITHMS.join(",")
      }
    }
  }
}

export const createDoc: RouteDoc = {
  summary: "Create an upload (tus creation, creation-with-upload)",
  description: "Reserves Upload-Length on the caller's weekly quota, then creates the upload. `Upload-Metadata` " +
    "must carry `filename` (its extension must be an accepted video format) and may carry `filetype`. " +
    `With Content-Type ${OFFSET_OCTET_STREAM}, the body holds the first bytes. Upload-Defer-Length is refused ` +
    "(the quota needs the size up front).",
  tags,
  security: signedIn,
  body: { contentType: OFFSET_OCTET_STREAM, required: false },
  headers: [
    resumable,
    { name: "Upload-Length", description: "the file's size in bytes (1 … Tus-Max-Size)", required: true, example: "52428800" },
    {
      name: "Upload-Metadata",
      description: "comma-separated `key base64value`; `filename` required, `filetype` optional",
      required: true,
      example: "filename Y2xpcC5tcDQ=,filetype dmlkZW8vbXA0"
    },
    { name: "Upload-Checksum", description: "creation-with-upload only: `sha1|sha256 <base64 digest>` of the body" }
  ],
  responses: {
    201: {
      description: "created",
      headers: {
        Location: "the upload's URL (/files/{id})",
        "Upload-Offset": "bytes stored so far (creation-with-upload)",
        "Upload-Expires": "when the upload expires without progress"
      }
    },
    400: error("INVALID_HEADER, MISSING_HEADER, INVALID_METADATA, EMPTY_UPLOAD, DEFER_LENGTH_UNSUPPORTED, …: nothing created"),
    413: error("FILE_TOO_LARGE or QUOTA_EXCEEDED: `remainingBytes`, `limitBytes` and `resetsAt` say what is left and when it renews"),
    415: error("UNSUPPORTED_MEDIA_TYPE: a body that is not application/offset+octet-stream"),
    422: error("UNSUPPORTED_FORMAT or INVALID_FILENAME: the name's extension is not an accepted video format"),
    460: error("CHECKSUM_MISMATCH (creation-with-upload): the upload exists (Location) but the bytes were discarded"),
    412: common[412]!,
    503: common[503]!
  }
}

export const headDoc: RouteDoc = {
  summary: "An upload's offset (tus HEAD; GET answers the same, without a body)",
  tags,
  security: signedIn,
  headers: [resumable],
  responses: {
    200: {
      description: "the upload (owner or admin)",
      headers: {
        "Upload-Offset": "bytes received",
        "Upload-Length": "declared size",
        "Upload-Metadata": "filename and filetype, base64",
        "Upload-Expires": "while bytes are due",
        "Cache-Control": "no-store"
      }
    },
    410: error("UPLOAD_GONE / UPLOAD_EXPIRED: cancelled, expired or failed"),
    404: common[404]!,
    412: common[412]!
  }
}

export const patchDoc: RouteDoc = {
  summary: "Append bytes at the upload's offset (tus PATCH, checksum)",
  description: "Streams the body into the object store; once it is durable the Upload records it and the answer " +
    "carries the new offset. A body cut short keeps what arrived (resume from HEAD's offset), unless it carried " +
    "Upload-Checksum. The last byte makes the upload received.",
  tags,
  security: signedIn,
  body: { contentType: OFFSET_OCTET_STREAM, required: true },
  headers: [
    resumable,
    { name: "Upload-Offset", description: "where these bytes start: must equal the upload's offset", required: true, example: "0" },
    { name: "Upload-Checksum", description: `\`${CHECKSUM_ALGORITHMS.join("|")} <base64 digest>\` of this body` }
  ],
  responses: {
    204: { description: "stored and recorded", headers: { "Upload-Offset": "the new offset", "Upload-Expires": "while bytes are due" } },
    400: error("INVALID_HEADER, MISSING_HEADER, CHECKSUM_ALGORITHM_UNSUPPORTED, INVALID_CHECKSUM"),
    409: error("OFFSET_MISMATCH: Upload-Offset is not the upload's offset (HEAD, then resume)"),
    410: error("UPLOAD_GONE / UPLOAD_EXPIRED: the upload takes no more bytes"),
    413: error("UPLOAD_SIZE_EXCEEDED: the body is longer than what the upload has left; nothing stored"),
    415: error(`UNSUPPORTED_MEDIA_TYPE: the body must be ${OFFSET_OCTET_STREAM}`),
    460: error("CHECKSUM_MISMATCH: the bytes were discarded, the offset is unchanged"),
    ...common
  }
}

export const deleteDoc: RouteDoc = {
  summary: "Cancel an upload (tus termination)",
  description: "Owner or admin. Cancels the upload, releases its quota reservation and deletes its bytes; repeating it answers 204 again.",
  tags,
  security: signedIn,
  headers: [resumable],
  responses: {
    204: { description: "cancelled" },
    410: error("UPLOAD_GONE: the upload already ended otherwise (ready, expired, failed)"),
    ...common
  }
}

export const overrideDoc: RouteDoc = {
  summary: "PATCH or DELETE through POST (X-HTTP-Method-Override)",
  tags,
  security: signedIn,
  headers: [resumable, { name: "X-HTTP-Method-Override", description: "PATCH or DELETE", required: true, example: "PATCH" }],
  responses: { 204: { description: "as PATCH or DELETE" }, ...common }
}
