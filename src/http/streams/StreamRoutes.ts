/**
 * Live streams pushed over HTTP (README "Live streams" → "HTTP push"), mounted at `/streams`, thin over the
 * Streams service: `POST /streams` starts one, `PATCH /streams/:id` appends bytes (StreamPatch.ts), `POST
 * /streams/:id/end` ends it. The reads (`GET /streams`, `GET /streams/:id`) are the read side's
 * (src/http/queries/StreamQueries.ts). Each stream's ingest engine runs in this process (StreamEngines).
 */
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import { cors } from "hono/cors"
import type { DomainSettings } from "../../domain/shared/DomainSettings.ts"
import type { Streams } from "../../streams/Streams.ts"
import type { AppEnv } from "../AppEnv.ts"
import type { AppRuntime } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { HttpError } from "../HttpError.ts"
import { outsidePreflight } from "../middleware/CorsOutsidePreflight.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { MIN_POSITION_HEADER, POSITION_HEADER } from "../queries/ReadModel.ts"
import { fetchRequestBody, type RequestBodyReader } from "../RequestBody.ts"
import { makeStreamLocks } from "./StreamLocks.ts"
import { patchStream } from "./StreamPatch.ts"
import { makeStreamRunner, OFFSET_HEADER, TUS_OFFSET_HEADER } from "./StreamProtocol.ts"
import { openOwnStream, type StreamEngines, type StreamRouteContext } from "./StreamRouteContext.ts"
import { createStreamDoc, endStreamDoc, patchStreamDoc, preflightStreamDoc, STREAM_CORS_METHODS } from "./StreamRouteDocs.ts"
import { CreateStreamBody, type StreamCreated, type StreamEndAccepted, StreamParams } from "./StreamSchemas.ts"

/**
 * CORS for pushing from a page on another origin (a browser recorder): bearer tokens, not cookies, so "*" is
 * enough, as for tus. Its headers go on every answer under `/streams` (the read side's `GET /streams/:id`
 * included); it answers the preflights of the stream routes only (204), so an unknown path stays a 404.
 */
const streamCors = cors({
  origin: "*",
  allowMethods: [...STREAM_CORS_METHODS],
  allowHeaders: ["Authorization", "Content-Type", OFFSET_HEADER, TUS_OFFSET_HEADER, "Idempotency-Key", MIN_POSITION_HEADER],
  exposeHeaders: [OFFSET_HEADER, "Location", POSITION_HEADER, "Retry-After", "X-Request-Id"],
  maxAge: 86_400
})

export interface StreamPushOptions {
  readonly streams: typeof Streams.Service
  readonly engines: StreamEngines
  /** PUSH_MAX_BODY_BYTES. */
  readonly maxBodyBytes: number
  /** Wait for another request on the same stream before answering 423. Default 5 s. */
  readonly lockWaitMs?: number | undefined
}

export interface StreamRouteDeps extends StreamPushOptions {
  readonly runtime: AppRuntime<never>
  readonly auth: AuthOptions
  readonly settings: () => DomainSettings
  readonly requestBody?: RequestBodyReader | undefined
}

const notPushed = (id: string) =>
  new HttpError({ status: 409, code: "STREAM_NOT_PUSHED", message: `stream "${id}" is fed from a watched file; it ends when the file stops growing` })

const createStream = (context: StreamRouteContext) => (c: Context<AppEnv, string, { out: { json: typeof CreateStreamBody.Type } }>) => {
  const { title } = c.req.valid("json")
  const actor = c.get("actor")
  const streamId = crypto.randomUUID()
  return context.run(
    c,
    Effect.gen(function*() {
      yield* context.streams.start({ streamId, owner: actor, source: "push", title, requestId: c.get("requestId") })
      yield* context.engines.ensure(streamId)
      const { state, revision, position } = yield* context.streams.current(streamId)
      const out: typeof StreamCreated.Type = {
        id: streamId,
        ownerId: actor.userId,
        state: "live",
        offset: 0,
        chunkSizeBytes: state.status === "Idle" ? context.settings.chunkSizeBytes : state.chunkSizeBytes,
        maxBodyBytes: context.maxBodyBytes,
        revision,
        position
      }
      return c.json(out, 201, { Location: `/streams/${streamId}`, [POSITION_HEADER]: String(position) })
    })
  )
}

const endStream = (context: StreamRouteContext) => (c: Context<AppEnv>) => {
  const id = c.req.param("id") ?? ""
  const actor = c.get("actor")
  return context.run(
    c,
    // under the stream's lock: a PATCH in flight is stored and acknowledged before the end
    Effect.scoped(Effect.gen(function*() {
      const { state } = yield* openOwnStream(context, id, actor)
      if (state.source !== "push") return yield* Effect.fail(notPushed(id))
      let changed = false
      if (state.status === "Live" || state.status === "Failed") {
        // a failed stream is refused by the decider (410 STREAM_FAILED, with its reason)
        changed = (yield* context.streams.end(id, "explicit", actor, c.get("requestId"))).events.length > 0
      }
      yield* context.engines.ensure(id)
      yield* context.engines.wake(id)
      const now = yield* context.streams.current(id)
      const offset = now.state.status === "Live" || now.state.status === "Ended"
        ? now.state.receivedBytes
        : now.state.status === "Finalized"
        ? now.state.totalSize
        : 0
      const out: typeof StreamEndAccepted.Type = { id, changed, offset, revision: now.revision, position: now.position }
      return c.json(out, 202, { [POSITION_HEADER]: String(now.position) })
    }))
  )
}

export const streamRoutes = (deps: StreamRouteDeps): Hono<AppEnv> => {
  const context: StreamRouteContext = {
    run: makeStreamRunner(deps.runtime),
    streams: deps.streams,
    engines: deps.engines,
    get settings() {
      return deps.settings()
    },
    maxBodyBytes: deps.maxBodyBytes,
    locks: makeStreamLocks(),
    lockWaitMs: deps.lockWaitMs ?? 5_000,
    requestBody: deps.requestBody ?? fetchRequestBody
  }
  const auth = requireAuth(deps.auth)
  return new Hono<AppEnv>()
    .options("/", describeRoute(preflightStreamDoc), streamCors)
    .options("/:id", describeRoute(preflightStreamDoc), streamCors)
    .options("/:id/end", describeRoute(preflightStreamDoc), streamCors)
    .use("*", outsidePreflight(streamCors))
    .post("/", describeRoute(createStreamDoc), auth, validate("json", CreateStreamBody), createStream(context))
    .patch("/:id", describeRoute(patchStreamDoc), auth, validate("param", StreamParams), patchStream(context))
    .post("/:id/end", describeRoute(endStreamDoc), auth, validate("param", StreamParams), endStream(context))
}
