/**
 * `GET /uploads/:id/events` and `GET /videos/:id/events`: Server-Sent Events of an upload's
 * progress and state changes as they happen. Without Last-Event-ID the first message is a
 * snapshot; with it (a global position) every stored change after it is replayed first. The
 * feed ends with an "end" message when the upload reaches a terminal state; resuming after
 * that answers 204, which tells EventSource to stop reconnecting.
 */
import { Effect, Stream } from "effect"
import { Hono, type MiddlewareHandler } from "hono"
import { EventStore } from "../../eventstore/EventStore.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { authenticate, type AuthOptions, verifyBearerToken } from "../auth/Auth.ts"
import { errorResponse, HttpError, notFound } from "../HttpError.ts"
import { describeRoute, withRouteDoc } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { IdParams } from "../queries/QuerySchemas.ts"
import type { AppEnv } from "../RequestId.ts"
import { SSE_HEADERS, sseComment, sseFrame, type SseMessage, sseRetry } from "./SseFrame.ts"
import { uploadView } from "../queries/UploadView.ts"
import { emptyFeed, endMessage, type FeedKind, type FeedSpec, foldFeed, isFinished, liveMessages, messageFor, snapshotMessage } from "./UploadFeed.ts"

export interface SseOptions {
  readonly run: RunEffect<EventStore>
  readonly auth: AuthOptions
  /** For an upload's `expiresAt` in the upload view. */
  readonly uploadExpiryHours: number
  /** Comment lines sent this often keep proxies from closing an idle feed. */
  readonly heartbeatMillis?: number | undefined
}

/** EventSource cannot send headers: the token may come as `?token=` instead of `Authorization: Bearer`. */
const requireAuthOrQueryToken = (auth: AuthOptions): MiddlewareHandler<AppEnv> =>
  withRouteDoc(
    async (c, next) => {
      const token = c.req.query("token")
      const result = await (authenticate(c, auth) ??
        (token !== undefined
          ? verifyBearerToken(auth, token)
          : Promise.resolve(new HttpError({ status: 401, code: "UNAUTHORIZED", message: "a bearer token is required (Authorization header or ?token=)", headers: { "WWW-Authenticate": 'Bearer realm="keyframe"' } }))))
      if (result instanceof HttpError) return errorResponse(result)
      c.set("actor", result)
      await next()
    },
    { security: { roles: [] } }
  )

const LAST_EVENT_ID = /^\d{1,15}$/

const feedDoc = (kind: FeedKind) =>
  describeRoute({
    summary: kind === "upload" ? "Live progress of an upload (Server-Sent Events)" : "Live changes of a video (Server-Sent Events)",
    description: "text/event-stream. Messages: `snapshot` (first, unless resuming), `progress` and `state` (one per stored " +
      "event, `id` = its global position), `processing` (ephemeral transcode percentages, no id), `end` (terminal state, " +
      "then the stream closes). Resume with the `Last-Event-ID` header (EventSource sends it) or `?lastEventId=`; a resume " +
      "after the end answers 204. EventSource cannot send headers: pass the token as `?token=`. " +
      (kind === "upload" ? "Visible to the owner and admins." : "Visible to the owner and admins, and to everyone once ready."),
    tags: ["queries"],
    headers: [{ name: "Last-Event-ID", description: "the id of the last message received: resume after it" }],
    responses: {
      200: { description: "the event stream", contentType: "text/event-stream" },
      204: { description: "resumed after the end: nothing more will come" },
      404: { description: "NOT_FOUND" }
    }
  })

export const sseRoutes = (options: SseOptions) => {
  const heartbeat = Stream.tick(options.heartbeatMillis ?? 15_000).pipe(Stream.drop(1), Stream.map(() => sseComment("ping")))

  const feed = (kind: FeedKind) => (c: Parameters<RunEffect<EventStore>>[0]) => {
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
          (upload.ownerId === actor.userId || admin || (kind === "video" && state.video?.status === "ready"))
        if (!visible) return yield* notFound(`there is no ${kind} "${id}"`)
        const finished = isFinished(state)
        if (lastEventId !== undefined && backlog.length === 0 && finished) return new Response(null, { status: 204 })
        const last = history[history.length - 1]!
        const first = lastEventId === undefined ? [snapshotMessage(spec, state, last.position)] : backlog
        const messages = finished
          ? Stream.fromIterable([...first, endMessage(state)])
          : Stream.concat(Stream.fromIterable(first), liveMessages(spec, stream, id, last.revision, state))
        const text = Stream.concat(Stream.make(sseRetry(2_000)), messages.pipe(Stream.map(sseFrame))).pipe(
          // a failing subscription ends the feed with an error message; the client resumes from its last id
          Stream.catch((e) => Stream.make(sseFrame({ event: "error", data: { code: "FEED_FAILED", message: String((e as { message?: unknown }).message ?? e) } }))),
          Stream.merge(heartbeat, { haltStrategy: "left" }),
          Stream.encodeText
        )
        const body = yield* Stream.toReadableStreamEffect(text)
        return new Response(body, { status: 200, headers: SSE_HEADERS })
      })
    )
  }

  return new Hono<AppEnv>()
    .get("/uploads/:id/events", feedDoc("upload"), requireAuthOrQueryToken(options.auth), validate("param", IdParams), feed("upload"))
    .get("/videos/:id/events", feedDoc("video"), requireAuthOrQueryToken(options.auth), validate("param", IdParams), feed("video"))
}
