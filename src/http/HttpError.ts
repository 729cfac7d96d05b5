/** The one HTTP error model (DESIGN.md §7): `{"error":{"code","message"}}`, and the mapper from error tags to it. */
import { Data, Schema, SchemaIssue } from "effect"
import { isDomainError } from "../domain/shared/DomainError.ts"
import { AuthUnavailable } from "../auth/JwtVerifier.ts"

/** An error meant for the client, with its status and UPPER_SNAKE code. */
export class HttpError extends Data.TaggedError("HttpError")<{
  readonly status: number
  readonly code: string
  readonly message: string
  readonly headers?: Readonly<Record<string, string>>
  /** Extra fields of the error object, e.g. `path` and `issues` of a validation failure. */
  readonly details?: Readonly<Record<string, unknown>>
}> {}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly [detail: string]: unknown }
}

export const errorBody = (code: string, message: string, details?: Readonly<Record<string, unknown>>): ErrorBody => ({
  error: { ...details, code, message }
})

/** "WrongExpectedRevision" → "WRONG_EXPECTED_REVISION". */
export const upperSnake = (tag: string): string =>
  tag.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toUpperCase()

/**
 * Status per error tag, for every typed failure that may reach a handler; the code is the tag in
 * UPPER_SNAKE unless given. Ports and aggregates add their errors here: a tag not listed is a bug
 * and answers 500.
 */
const statusByTag: Readonly<Record<string, { readonly status: number; readonly code?: string; readonly headers?: Record<string, string> }>> = {
  // event store port
  WrongExpectedRevision: { status: 409 },
  DuplicateEventId: { status: 409 },
  InvalidStreamName: { status: 400 },
  InvalidArgument: { status: 400 },
  InvalidEvent: { status: 422 },
  EventStoreUnavailable: { status: 503, headers: { "Retry-After": "1" } },
  // actor runtime
  ActorBusy: { status: 503, headers: { "Retry-After": "1" } },
  ConcurrencyConflict: { status: 409 },
  // read side (projections/, src/readstore/): a query that asked to read its write waits at most READ_YOUR_WRITES_WAIT_MS
  ProjectionWaitTimeout: { status: 503, code: "READ_MODEL_BEHIND", headers: { "Retry-After": "1" } },
  ProjectionNotRunning: { status: 503, code: "READ_MODEL_UNAVAILABLE", headers: { "Retry-After": "5" } },
  RebuildInProgress: { status: 409 },
  ReadStoreUnavailable: { status: 503, headers: { "Retry-After": "1" } },
  ReadStoreInvalidArgument: { status: 400, code: "INVALID_ARGUMENT" },
  // live feeds (src/uploads/feed/): a feed of an upload the caller may not see is the same 404 as none
  FeedNotFound: { status: 404, code: "NOT_FOUND" },
  // Retry-After is a hint: a slot frees when one of the client's own feeds ends
  TooManyFeeds: { status: 429, headers: { "Retry-After": "5" } },
  // object store port (the /media routes)
  ObjectStoreUnavailable: { status: 503, headers: { "Retry-After": "1" } },
  // engagement: no verifier of playback sessions is configured in this process
  PlaybackSessionsUnavailable: { status: 503, headers: { "Retry-After": "5" } },
  // playback (src/videos/Playback.ts): the player acts on PLAYBACK_TOKEN_EXPIRED by asking for a new URL
  VideoNotFound: { status: 404, code: "NOT_FOUND" },
  VideoNotReady: { status: 409 },
  PlaybackForbidden: { status: 403, code: "FORBIDDEN" },
  PlaybackTokenInvalid: { status: 403 },
  PlaybackTokenExpired: { status: 403 },
  PlaybackRevoked: { status: 403 },
  PlaybackOriginRefused: { status: 403, code: "PLAYBACK_ORIGIN_NOT_ALLOWED" },
  VideoGone: { status: 410 }
}

const statusCodes: Readonly<Record<number, string>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_ENTITY",
  429: "TOO_MANY_REQUESTS",
  503: "SERVICE_UNAVAILABLE"
}

/** Status of a domain rejection (it carries its own code); a rule broken by the request is 422 unless listed. */
const statusByDomainCode: Readonly<Record<string, number>> = {
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  QUOTA_EXCEEDED: 413,
  AGGREGATE_ID_MISMATCH: 400,
  // rooms: only the host (or a member the host allowed) may; a full or closed room is a state conflict
  NOT_HOST: 403,
  ROOM_FULL: 409,
  ROOM_CLOSED: 409,
  // engagement: a forged, expired or foreign playback session; a reply to a missing parent is a bad request body;
  // a deleted comment or a full thread is the thread's state
  PLAYBACK_SESSION_INVALID: 403,
  PARENT_NOT_FOUND: 422,
  COMMENT_DELETED: 409,
  THREAD_FULL: 409,
  // videos and the catalog: another's visible video may not be changed; names are unique
  NOT_OWNER: 403,
  CATEGORY_NAME_TAKEN: 409
}

const domainStatus = (code: string): number =>
  statusByDomainCode[code] ?? (code.endsWith("_NOT_FOUND") ? 404 : code.endsWith("_CONFLICT") ? 409 : 422)

/** The code for a bare status (e.g. a Hono HTTPException). */
export const codeForStatus = (status: number): string => statusCodes[status] ?? (status >= 500 ? "INTERNAL" : "BAD_REQUEST")

export const notFound = (message = "no such resource") => new HttpError({ status: 404, code: "NOT_FOUND", message })

export const invalidJson = (message = "the request body is not valid JSON") =>
  new HttpError({ status: 400, code: "INVALID_JSON", message })

/** Where a request value was read from: the prefix of a validation failure's `path`. */
export type RequestPart = "body" | "path" | "query" | "header"

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** `["items", 2, "id"]` under "body" → `body.items[2].id`. */
const pathText = (where: RequestPart | undefined, path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>): string =>
  path.reduce<string>((acc, seg) => {
    const key = typeof seg === "object" ? seg.key : seg
    return typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`
  }, where ?? "")

/**
 * A request value that fails its schema: 422 VALIDATION_FAILED; the error object also carries
 * `path` (the first failing field, e.g. `body.limitBytes`) and `issues` (every failure).
 */
export const validationFailed = (error: Schema.SchemaError, where?: RequestPart): HttpError => {
  const issues = formatIssues(error.issue).issues.map((i) => ({ path: pathText(where, i.path ?? []), message: i.message }))
  const first = issues[0] ?? { path: where ?? "", message: error.message }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""
  return new HttpError({
    status: 422,
    code: "VALIDATION_FAILED",
    message: `${first.path === "" ? "" : `${first.path}: `}${first.message}${more}`,
    details: { path: first.path, issues }
  })
}

// 503 codes and their generic messages are shared with the realtime upgrades (src/errors/Unavailable.ts);
// middleware/UnavailableDetail.ts puts them in place of the backend's own text
export { isUnavailableCode, unavailableMessage } from "../errors/Unavailable.ts"

/** Maps a typed failure to an HttpError; undefined means it is not a client's error (answer 500, log it). */
export const toHttpError = (error: unknown): HttpError | undefined => {
  if (error instanceof HttpError) return error
  // the JWKS could not be read (JwtVerifier.ts): the key server's fault, not the client's
  if (error instanceof AuthUnavailable) {
    return new HttpError({ status: 503, code: "AUTH_UNAVAILABLE", message: error.message, headers: { "Retry-After": "5" } })
  }
  if (Schema.isSchemaError(error)) return validationFailed(error)
  if (isDomainError(error)) return new HttpError({ status: domainStatus(error.code), code: error.code, message: error.message })
  if (typeof error !== "object" || error === null || !("_tag" in error) || typeof error._tag !== "string") return undefined
  const entry = statusByTag[error._tag]
  if (entry === undefined) return undefined
  const message = "message" in error && typeof error.message === "string" && error.message !== "" ? error.message : error._tag
  return new HttpError({ status: entry.status, code: entry.code ?? upperSnake(error._tag), message, headers: entry.headers ?? {} })
}

/** The body of every 500: no detail, only the request id to find the log line. */
export const internalError = (requestId: string) =>
  new HttpError({ status: 500, code: "INTERNAL", message: `internal error (request id ${requestId})` })

/** Renders an HttpError as a web-standard Response. */
export const errorResponse = (error: HttpError): Response =>
  new Response(JSON.stringify(errorBody(error.code, error.message, error.details)), {
    status: error.status,
    headers: { "content-type": "application/json; charset=UTF-8", ...error.headers }
  })
