/** How the stream push routes appear in /openapi.json (README "Live streams" → "HTTP push"). */
import { ErrorResponse } from "../openapi/ErrorSchema.ts"
import type { ResponseDoc, RouteDoc } from "../openapi/RouteDoc.ts"
import { OFFSET_OCTET_STREAM } from "../tus/TusProtocol.ts"
import { OFFSET_HEADER, TUS_OFFSET_HEADER } from "./StreamProtocol.ts"
import { StreamCreated, StreamEndAccepted } from "./StreamSchemas.ts"

const tags = ["streams"]

const error = (description: string, headers?: Record<string, string>): ResponseDoc => ({
  description,
  schema: ErrorResponse,
  ...(headers ? { headers } : {})
})

const notYours = error("STREAM_NOT_FOUND: no such stream, or it is someone else's")
const unavailable = error("STORAGE_UNAVAILABLE / EVENT_STORE_UNAVAILABLE: nothing was acknowledged; retry", { "Retry-After": "seconds" })

export const createStreamDoc: RouteDoc = {
  summary: "Start a pushed live stream",
  description: "The caller owns it. Append its bytes with `PATCH /streams/:id`, end it with `POST /streams/:id/end` (or stop " +
    "sending: STREAM_TIMEOUT_SECONDS without a body ends it). As it grows, every CHUNK_SIZE_MB is sealed as the next part " +
    "of its original; once finalized it becomes an upload and a video of the same id.",
  tags,
  responses: {
    201: { description: "the stream is live", schema: StreamCreated, headers: { Location: "the stream (`/streams/<id>`)", "Keyframe-Position": "global position of the start" } }
  }
}

export const patchStreamDoc: RouteDoc = {
  summary: "Append bytes to a pushed stream (owner)",
  description: `The body continues the stream at \`${OFFSET_HEADER}\` (tus's \`${TUS_OFFSET_HEADER}\` is accepted too), ` +
    `as \`Content-Type: ${OFFSET_OCTET_STREAM}\`. It is stored before it is acknowledged: a 204 means the bytes are durable. ` +
    "Requests for one stream are taken one at a time: a second one waits for the first, then its offset is checked.",
  tags,
  body: { contentType: OFFSET_OCTET_STREAM, required: true },
  headers: [
    { name: OFFSET_HEADER, description: "the offset the body starts at: the stream's current end", required: true, example: "0" },
    { name: TUS_OFFSET_HEADER, description: `the same, by its tus name (when ${OFFSET_HEADER} is absent)` }
  ],
  responses: {
    204: { description: "stored and acknowledged", headers: { [OFFSET_HEADER]: "the stream's new end", "Keyframe-Position": "global position of the write" } },
    400: error("MISSING_HEADER / INVALID_HEADER: no offset, or a header that is not a byte count"),
    404: notYours,
    409: error("OFFSET_MISMATCH (nothing was stored; continue at the offset given) or STREAM_NOT_PUSHED (a watched file's stream)", {
      [OFFSET_HEADER]: "where the stream continues"
    }),
    410: error("STREAM_NOT_LIVE / STREAM_FINALIZED / STREAM_FAILED: the stream takes no more bytes"),
    413: error("PUSH_BODY_TOO_LARGE: the body is over PUSH_MAX_BODY_BYTES; nothing was stored"),
    415: error(`UNSUPPORTED_MEDIA_TYPE: the body must be ${OFFSET_OCTET_STREAM}`),
    423: error("STREAM_LOCKED: another request for this stream did not finish within 5 s", { "Retry-After": "seconds" }),
    503: unavailable
  }
}

export const endStreamDoc: RouteDoc = {
  summary: "End a pushed stream (owner)",
  description: "No more bytes: the rest of the stream is sealed as its last part and the stream is finalized in the " +
    "background (follow `GET /streams/:id` until `finalized`). Ending again is a 202 with `changed: false`.",
  tags,
  responses: {
    202: { description: "ended; finalization follows", schema: StreamEndAccepted },
    404: notYours,
    409: error("STREAM_NOT_PUSHED: a watched file's stream ends when its file stops growing"),
    410: error("STREAM_FAILED: the stream failed and cannot be ended"),
    503: unavailable
  }
}

/** The methods a page on another origin may use under `/streams` (StreamRoutes.ts's CORS). */
export const STREAM_CORS_METHODS = ["GET", "POST", "PATCH", "OPTIONS"] as const

export const preflightStreamDoc: RouteDoc = {
  summary: "CORS preflight of the stream routes (no token needed)",
  description: "Any origin may push and read with a bearer token: `Stream-Offset`, `Upload-Offset`, `Idempotency-Key` and " +
    "`Keyframe-Min-Position` may be sent; `Stream-Offset`, `Location`, `Keyframe-Position`, `Retry-After` and `X-Request-Id` are readable.",
  tags,
  responses: {
    204: { description: "what a page on another origin may send", headers: { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": STREAM_CORS_METHODS.join(",") } }
  }
}
