/**
 * `GET /uploads/:id/events` and `GET /videos/:id/events`: Server-Sent Events of an upload's
 * progress and state changes as they happen. Without Last-Event-ID the first message is a
 * snapshot; with it (a global position) every stored change after it is replayed first. The
 * feed ends with an "end" message when the upload reaches a terminal state; resuming after
 * that answers 204, which tells EventSource to stop reconnecting.
 *
 * Bounded (README "Security"): open feeds per user and per address are capped (429), a feed ends
 * with a reconnect `end` at its longest lifetime or when its token expires (FeedEnd.ts), and all
 * feeds of one stream share one store subscription (FeedHub.ts).
 */
import { Effect, Schema, Stream } from "effect"
import { Hono } from "hono"
import { VideoEventCodec } from "../../domain/video/VideoAggregate.ts"
import { evolveVideo, initialVideoState, visibleToOthers } from "../../domain/video/VideoState.ts"
import { EventStore } from "../../eventstore/EventStore.ts"
import type { RunEffect } from "../AppRuntime.ts"
import type { AuthOptions } from "../auth/Auth.ts"
import { feedTicketRoutes } from "../feeds/FeedTicketRoutes.ts"
import { makeFeedTicketStore } from "../feeds/FeedTickets.ts"
import { HttpError, notFound } from "../HttpError.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { ProcessingProgress } from "../../uploads/ProcessingProgress.ts"
import { IdParams } from "../queries/QuerySchemas.ts"
import { uploadView } from "../queries/UploadView.ts"
import type { AppEnv } from "../AppEnv.ts"
import { credentialExpiresAt, requireFeedAccess } from "./FeedAccess.ts"
import { feedDeadline, reconnectMessage, untilDeadline } from "./FeedEnd.ts"
import { makeFeedHub } from "./FeedHub.ts"
import { makeFeedLimits } from "./FeedLimits.ts"
import { DEFAULT_FEED_LIMITS, type FeedOptions } from "./FeedOptions.ts"
import { SSE_HEADERS, sseComment, sseFrame, type SseMessage, sseRetry } from "./SseFrame.ts"
import { emptyFeed, endMessage, type FeedKind, type FeedSpec, foldFeed, isFinished, liveMessages, messageFor, snapshotMessage } from "./UploadFeed.ts"

/** What the feeds read: the upload's stream, and the processing percentages. */
export type FeedServices = EventStore | ProcessingProgress

/** Others may follow a ready video's feed only while its Video lets them see it (src/videos/VideoAccess.ts). */
const videoVisibleToOthers = (id: string) =>
  Effect.map(EventStore.use((store) => store.readStream(`video-${id}`)), (events) => {
    const state = events.reduce((s, e) => {
      const decoded = VideoEventCodec.decode({ type: e.type, data: e.data, schemaVersion: e.metadata.schemaVersion })
      return decoded._tag === "Success" ? evolveVideo(s, decoded.success) : s
    }, initialVideoState)
    return state.status === "Active" && visibleToOthers(state)
  })

export interface SseOptions {
  readonly run: RunEffect<FeedServices>
  readonly auth: AuthOptions
  /** For an upload's `expiresAt` in the upload view. */
  readonly uploadExpiryHours: number
  /** Comment lines sent this often keep proxies from closing an idle feed. */
  readonly heartbeatMillis?: number | undefined
  /** Caps, lifetime, tickets (FEED_* settings); defaults as in src/config.ts. */
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

const feedDoc = (kind: FeedKind) =>
  describeRoute({
    summary: kind === "upload" ? "Live progress of an upload (Server-Sent Events)" : "Live changes of a video (Server-Sent Events)",
    description: "text/event-stream. Messages: `snapshot` (first, unless resuming), `progress` and `state` (one per stored " +
      "event, `id` = its global position), `processing` (ephemeral transcode percentages, no id), `end` (then the stream " +
      "closes): `reconnect: false` when the upload reached a terminal state, `reconnect: true` with `reason` `lifetime`, " +
      "`token_expired` or `lagging` otherwise. Resume with the `Last-Event-ID` header (EventSource sends it) or " +
      "`?lastEventId=`; a resume after the terminal end answers 204. EventSource cannot send headers: get a ticket " +
      "(POST /feeds/tickets) and pass `?ticket=`; `?token=` still works but puts the token in URLs. Open feeds are " +
      "capped per user and per address (429 TOO_MANY_FEEDS). " +
      (kind === "upload" ? "Visible to the owner and admins." : "Visible to the owner and admins, and to everyone once ready."),
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
  const hub = feeds.hub ?? makeFeedHub()
  const tickets = feeds.tickets ?? makeFeedTicketStore({ ttlMillis: feeds.ticketTtlMillis })
  const limits = makeFeedLimits({
    maxPerUser: feeds.maxPerUser ?? DEFAULT_FEED_LIMITS.maxPerUser,
    maxPerIp: feeds.maxPerIp ?? DEFAULT_FEED_LIMITS.maxPerIp
  })
  const maxLifetimeMillis = (feeds.maxLifetimeSeconds ?? DEFAULT_FEED_LIMITS.maxLifetimeSeconds) * 1000

  const feed = (kind: FeedKind) => (c: Parameters<RunEffect<FeedServices>>[0]) => {
    const spec: FeedSpec = { kind, viewUpload: (doc) => uploadView(doc, options.uploadExpiryHours) }
    return options.run(
      c,
      Effect.gen(function*() {
        const id = c.req.param("id")!
        const actor = c.get("actor")
        const rawLast = c.req.header("Last-Event-ID") ?? c.req.query("lastEventId")
        if (rawLast !== undefined && !LAST_EVENT_ID.test(rawLast.trim())) {
          return yield* new HttpError({ status: 422, code: "VALIDATION_FAILED", message: "Last-Event-ID: expected a global position (an integer)" })
        }
        const lastEventId = rawLast === undefined ? undefined : Number(rawLast.trim())
        const stream = `upload-${id}`
        const history = yield* (yield* EventStore).readStream(stream)
        let state = emptyFeed
        const backlog: Array<SseMessage> = []
        for (const event of history) {
          const before = state
          state = foldFeed(state, event)
          if (lastEventId !== undefined && event.position > lastEventId) backlog.push(messageFor(spec, before, state, event))
        }
        const upload = state.upload
        const admin = actor.roles.includes("admin")
        const visible = upload !== undefined &&
          (upload.ownerId === actor.userId || admin ||
            (kind === "video" && state.video?.status === "ready" && (yield* videoVisibleToOthers(id))))
        if (!visible) return yield* notFound(`there is no ${kind} "${id}"`)
        const finished = isFinished(state)
        if (lastEventId !== undefined && backlog.length === 0 && finished) return new Response(null, { status: 204 })
        const last = history[history.length - 1]!
        const first = Stream.fromIterable(lastEventId === undefined ? [snapshotMessage(spec, state, last.position)] : backlog)
        let messages: Stream.Stream<SseMessage, unknown, FeedServices> = Stream.concat(first, Stream.make(endMessage(state)))
        let release = () => {}
        if (!finished) {
          // only a live feed holds a slot: a finished one ends right away
          const slot = limits.acquire(actor.userId, c.get("clientIp"))
          if (slot instanceof HttpError) return yield* slot
          release = slot
          const now = Date.now()
          const live = liveMessages(spec, hub, stream, id, last.revision, state).pipe(
            Stream.catchTag("FeedLagging", () => Stream.make(reconnectMessage("lagging")))
          )
          messages = Stream.concat(first, untilDeadline(live, feedDeadline(now, maxLifetimeMillis, credentialExpiresAt(c)), now))
        }
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
  }

  const access = requireFeedAccess(options.auth, tickets)
  return new Hono<AppEnv>()
    .route("/", feedTicketRoutes(options.auth, tickets))
    .get("/uploads/:id/events", feedDoc("upload"), access, validate("param", IdParams), validate("query", FeedQuery), feed("upload"))
    .get("/videos/:id/events", feedDoc("video"), access, validate("param", IdParams), validate("query", FeedQuery), feed("video"))
}
