/**
 * `GET /uploads/:id/events`, `GET /videos/:id/events` and `GET /streams/:id/events`: Server-Sent
 * Events of an upload's (a live stream's) progress and state changes as they happen. Without Last-Event-ID the first message is a
 * snapshot; with it (a global position) every stored change after it is replayed first. The
 * feed ends with an "end" message when the upload reaches a terminal state (the stream is finalized
 * or failed); resuming after
 * that answers 204, which tells EventSource to stop reconnecting.
 *
 * Bounded (README "Security"): open feeds per user and per address are capped (429), a feed ends
 * with a reconnect `end` at its longest lifetime or when its token expires (FeedEnd.ts), and all
 * feeds of one stream share one store subscription (FeedHub.ts).
 */
import { Effect, Schema, Stream } from "effect"
import { Hono } from "hono"
import { makeFeedTicketStore } from "../../auth/FeedTickets.ts"
import type { FeedOptions } from "../../feeds/FeedOptions.ts"
import { type FeedClient, type FeedOpenError, type FeedOpening, makeLiveFeeds } from "../../feeds/LiveFeeds.ts"
import { makeStreamFeeds } from "../../streams/feed/StreamFeeds.ts"
import type { FeedKind } from "../../uploads/feed/UploadFeed.ts"
import { type FeedServices, makeUploadFeeds } from "../../uploads/feed/UploadFeeds.ts"
import type { RunEffect } from "../AppRuntime.ts"
import type { AuthOptions } from "../auth/Auth.ts"
import { feedTicketRoutes } from "../feeds/FeedTicketRoutes.ts"
import { HttpError } from "../HttpError.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { IdParams } from "../queries/QuerySchemas.ts"
import { uploadView } from "../queries/UploadView.ts"
import type { AppEnv } from "../AppEnv.ts"
import { credentialExpiresAt, requireFeedAccess } from "./FeedAccess.ts"
import { SSE_HEADERS, sseComment, sseFrame, sseRetry } from "./SseFrame.ts"

export type { FeedServices } from "../../uploads/feed/UploadFeeds.ts"

export interface SseOptions {
  readonly run: RunEffect<FeedServices>
  readonly auth: AuthOptions
  /** For an upload's `expiresAt` in the upload view (when the routes make their own feeds). */
  readonly uploadExpiryHours: number
  /** Comment lines sent this often keep proxies from closing an idle feed. */
  readonly heartbeatMillis?: number | undefined
  /** The process's feeds and tickets (Main.ts), or caps, lifetime, ticket TTL to make them here (FEED_* settings). */
  readonly feeds?: FeedOptions | undefined
}

const LAST_EVENT_ID = /^\d{1,15}$/

/** Documents the credentials a feed takes; the values are checked by requireFeedAccess. */
const FeedQuery = Schema.Struct({
  ticket: Schema.optional(Schema.String.annotate({ description: "a ticket from POST /feeds/tickets for this path (60 s, reusable until then)" })),
  token: Schema.optional(Schema.String.annotate({
    description: "discouraged: the bearer token itself; a URL is kept in access logs, proxies and browser history. Use `ticket`."
  })),
  lastEventId: Schema.optional(Schema.String.annotate({ description: "resume after this global position (as the Last-Event-ID header)" }))
})

type FeedKindDoc = FeedKind | "stream"

const SUMMARY: Record<FeedKindDoc, string> = {
  upload: "Live progress of an upload (Server-Sent Events)",
  video: "Live changes of a video (Server-Sent Events)",
  stream: "Live progress of a live stream (Server-Sent Events)"
}

const UPLOAD_MESSAGES = "`progress` and `state` (one per stored event, `id` = its global position), `processing` (ephemeral " +
  "transcode percentages, no id), `end` (then the stream closes): `reconnect: false` when the upload reached a terminal state"

const MESSAGES: Record<FeedKindDoc, string> = {
  upload: UPLOAD_MESSAGES,
  video: UPLOAD_MESSAGES,
  stream: "`progress` and `state` (one per stored event, `id` = its global position, `data.stream` the document " +
    "GET /streams/:id serves: state, bytesReceived, bytesUploaded, partsUploaded, lagBytes, lastGrowthAt…), `end` (then the " +
    "stream closes): `reconnect: false` with `state` `finalized` or `failed` (and `failureReason`)"
}

const VISIBLE: Record<FeedKindDoc, string> = {
  upload: "Visible to the owner and admins.",
  video: "Visible to the owner and admins, and to everyone once ready.",
  stream: "Visible to the owner and admins."
}

const feedDoc = (kind: FeedKindDoc) =>
  describeRoute({
    summary: SUMMARY[kind],
    description: `text/event-stream. Messages: \`snapshot\` (first, unless resuming), ${MESSAGES[kind]}, ` +
      "`reconnect: true` with `reason` `lifetime`, " +
      "`token_expired` or `lagging` otherwise. Resume with the `Last-Event-ID` header (EventSource sends it) or " +
      "`?lastEventId=`; a resume after the terminal end answers 204. EventSource cannot send headers: get a ticket " +
      "(POST /feeds/tickets) and pass `?ticket=`; `?token=` still works but puts the token in URLs. Open feeds are " +
      "capped per user and per address (429 TOO_MANY_FEEDS). " + VISIBLE[kind],
    tags: ["queries"],
    headers: [{ name: "Last-Event-ID", description: "the id of the last message received: resume after it" }],
    responses: {
      200: { description: "the event stream", contentType: "text/event-stream" },
      204: { description: "resumed after the end: nothing more will come" },
      404: { description: "NOT_FOUND" },
      429: { description: "TOO_MANY_FEEDS: this user or address holds FEED_MAX_PER_USER / FEED_MAX_PER_IP feeds open", headers: { "Retry-After": "seconds to wait" } }
    }
  })

export const sseRoutes = (options: SseOptions) => {
  const heartbeat = Stream.tick(options.heartbeatMillis ?? 15_000).pipe(Stream.drop(1), Stream.map(() => sseComment("ping")))
  const feeds = options.feeds ?? {}
  // without the process's feeds, one LiveFeeds here: upload and stream feeds still share the caps
  const live = feeds.uploadFeeds === undefined || feeds.streamFeeds === undefined ? makeLiveFeeds(feeds) : undefined
  const uploadFeeds = feeds.uploadFeeds ?? makeUploadFeeds({ live, viewUpload: (doc) => uploadView(doc, options.uploadExpiryHours) })
  const streamFeeds = feeds.streamFeeds ?? makeStreamFeeds(live!)
  const tickets = feeds.tickets ?? makeFeedTicketStore({ ttlMillis: feeds.ticketTtlMillis })

  type Context = Parameters<RunEffect<FeedServices>>[0]
  type Open = (id: string, client: FeedClient) => Effect.Effect<FeedOpening<FeedServices>, FeedOpenError, FeedServices>

  const feed = (open: Open) => (c: Context) =>
    options.run(
      c,
      Effect.gen(function*() {
        const rawLast = c.req.header("Last-Event-ID") ?? c.req.query("lastEventId")
        if (rawLast !== undefined && !LAST_EVENT_ID.test(rawLast.trim())) {
          return yield* new HttpError({ status: 422, code: "VALIDATION_FAILED", message: "Last-Event-ID: expected a global position (an integer)" })
        }
        const opening = yield* open(c.req.param("id")!, {
          actor: c.get("actor"),
          after: rawLast === undefined ? undefined : Number(rawLast.trim()),
          credentialExpiresAt: credentialExpiresAt(c),
          clientAddress: c.get("clientIp")
        })
        if (opening._tag === "Ended") return new Response(null, { status: 204 })
        const { messages, release } = opening
        const text = Stream.concat(Stream.make(sseRetry(2_000)), messages.pipe(Stream.map(sseFrame))).pipe(
          // a failing subscription ends the feed with an error message; the client resumes from its last id
          // the store's own text names hosts and paths: it goes to the log, the client gets the request id
          Stream.catch((e) =>
            Stream.fromEffect(
              Effect.logWarning(`FEED_FAILED: ${String((e as { message?: unknown }).message ?? e)}`).pipe(
                Effect.annotateLogs({ requestId: c.get("requestId"), path: c.req.path }),
                Effect.as(sseFrame({ event: "error", data: { code: "FEED_FAILED", message: `the live feed failed; reconnect to resume (request id ${c.get("requestId")})` } }))
              )
            )
          ),
          Stream.merge(heartbeat, { haltStrategy: "left" }),
          Stream.ensuring(Effect.sync(release)),
          Stream.encodeText
        )
        const body = yield* Stream.toReadableStreamEffect(text).pipe(Effect.onInterrupt(() => Effect.sync(release)))
        return new Response(body, { status: 200, headers: SSE_HEADERS })
      })
    )

  const ofKind = (kind: FeedKind): Open => (uploadId, client) => uploadFeeds.open({ kind, uploadId, ...client })
  const ofStream: Open = (streamId, client) => streamFeeds.open({ streamId, ...client })
  const access = requireFeedAccess(options.auth, tickets)
  return new Hono<AppEnv>()
    .route("/", feedTicketRoutes(options.auth, tickets))
    .get("/uploads/:id/events", feedDoc("upload"), access, validate("param", IdParams), validate("query", FeedQuery), feed(ofKind("upload")))
    .get("/videos/:id/events", feedDoc("video"), access, validate("param", IdParams), validate("query", FeedQuery), feed(ofKind("video")))
    .get("/streams/:id/events", feedDoc("stream"), access, validate("param", IdParams), validate("query", FeedQuery), feed(ofStream))
}
