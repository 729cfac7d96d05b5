/** The Hono app, runtime-neutral: node.ts and deno.ts serve it, tests call `app.request(...)`. */
import { Cause, type Layer, type LogLevel } from "effect"
import { Hono } from "hono"
import type { GetConnInfo } from "hono/conninfo"
import { HTTPException } from "hono/http-exception"
import type { ActorSystem } from "../actors/ActorSystem.ts"
import type { Digests } from "../digest/Digests.ts"
import { defaultDomainSettings, type DomainSettings } from "../domain/shared/DomainSettings.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import type { ObjectStore } from "../objectstore/ObjectStore.ts"
import type { ProcessingProgress } from "../uploads/ProcessingProgress.ts"
import type { Uploads } from "../uploads/Uploads.ts"
import { PlaybackSessionVerifier } from "../videos/PlaybackSessionVerifier.ts"
import type { Playback } from "../videos/Playback.ts"
import { adminCatalogRoutes } from "./admin/AdminCatalogRoutes.ts"
import { adminRoutes } from "./admin/AdminRoutes.ts"
import { adminSettingsRoutes } from "./admin/AdminSettingsRoutes.ts"
import { engagementRoutes } from "./engagement/EngagementRoutes.ts"
import type { AppEnv } from "./AppEnv.ts"
import { type AppRuntime, logInternal, makeRunEffect } from "./AppRuntime.ts"
import { type AuthOptions, noAuth } from "./auth/Auth.ts"
import { healthRoutes } from "./HealthRoutes.ts"
import { codeForStatus, errorResponse, HttpError, invalidJson, notFound } from "./HttpError.ts"
import { mediaRoutes } from "./media/MediaRoutes.ts"
import { clientAddress } from "./middleware/ClientIp.ts"
import { jsonBodyLimit } from "./middleware/JsonBodyLimit.ts"
import { type MetricsOptions, metricsRoutes } from "./middleware/MetricsEndpoint.ts"
import { rateLimit, type RateLimitSettings } from "./middleware/RateLimit.ts"
import type { RateLimiterShape } from "./middleware/RateLimiter.ts"
import { requestLog } from "./middleware/RequestLog.ts"
import { hideUnavailableDetail } from "./middleware/UnavailableDetail.ts"
import type { ApiInfo } from "./openapi/OpenApiDocument.ts"
import { openApiRoutes } from "./openapi/OpenApiRoutes.ts"
import type { RequestBodyReader } from "./RequestBody.ts"
import { requestId } from "./RequestId.ts"
import { responseHeaders } from "./ResponseHeaders.ts"
import { roomRoutes } from "./rooms/RoomRoutes.ts"
import { type ConsoleOptions, consoleRoutes } from "./console/ConsoleRoutes.ts"
import { playbackRoutes } from "./playback/PlaybackRoutes.ts"
import { type StreamPushOptions, streamRoutes } from "./streams/StreamRoutes.ts"
import { tusRoutes } from "./tus/TusRoutes.ts"
import { videoRoutes } from "./videos/VideoRoutes.ts"
import type { ReadSide } from "./queries/ReadSide.ts"
import { readSideRoutes, type ReadSideOptions } from "./queries/ReadSideRoutes.ts"

/** The services HTTP handlers may use; grows as routes are added. ReadSide: what queries read (projections, or streams only). */
export type AppServices = EventStore | ActorSystem | ObjectStore | ReadSide | ProcessingProgress | Digests | Uploads | Playback

export interface AppOptions {
  readonly runtime: AppRuntime<AppServices>
  /** How bearer tokens are verified on every guarded route; unset = every token is refused (401). */
  readonly auth?: AuthOptions | undefined
  /** Per-user and per-address limits and the limiter that counts; unset = no rate limiting. */
  readonly rateLimit?: { readonly settings: RateLimitSettings; readonly limiter: RateLimiterShape } | undefined
  /** Client addresses from X-Forwarded-For (only behind a proxy that sets it). */
  readonly trustProxy?: boolean | undefined
  /** With trustProxy: how many proxies append to X-Forwarded-For (default 1); see middleware/ClientIp.ts. */
  readonly trustProxyHops?: number | undefined
  /** The runtime's reader of the socket's peer (its hono `getConnInfo`); unset (`app.request`, no socket): "unknown". */
  readonly connInfo?: GetConnInfo | undefined
  readonly version?: string | undefined
  /** The domain settings the upload routes enforce (max size, expiry, formats); default: the domain's defaults. */
  readonly settings?: DomainSettings | undefined
  /** When set, the upload routes read the settings in force on every request (PUT /admin/settings overrides). */
  readonly currentSettings?: (() => DomainSettings) | undefined
  /** The read side's settings (query wait bound, quota defaults, live feed caps) and clock; default: the defaults (ReadSideRoutes.ts). */
  readonly readSide?: Omit<ReadSideOptions, "runtime" | "auth"> | undefined
  /** How upload bodies are read; the runtime adapter may give a cheaper reader (RequestBody.ts). */
  readonly requestBody?: RequestBodyReader | undefined
  /** Largest JSON request body (JSON_BODY_LIMIT_BYTES); default 64 KiB. */
  readonly jsonBodyLimitBytes?: number | undefined
  /** LOG_LEVEL: request lines below it are not built at all; default: all of them. */
  readonly logLevel?: LogLevel.LogLevel | undefined
  /** METRICS_TOKEN, and whether /metrics has its own listener (METRICS_PORT); default: open, on this app. */
  readonly metrics?: MetricsOptions | undefined
  /** How `POST /videos/:id/views` verifies the player's playback session; unset = not configured (503). */
  readonly playbackSessions?: Layer.Layer<PlaybackSessionVerifier> | undefined
  /** Live streams pushed over HTTP (`POST /streams`, `PATCH /streams/:id`, `POST /streams/:id/end`); unset = not mounted. */
  readonly streamPush?: StreamPushOptions | undefined
  /** The web console at `/` (src/console/); unset = not served. */
  readonly console?: ConsoleOptions | undefined
}

/** Probes and the scrape endpoint are never rate limited. */
const OPS_PATHS = new Set(["/healthz", "/readyz", "/metrics"])

/** The console's page and files: served from memory, ~20 per page load; its dev-token route stays limited. */
const isConsoleFile = (path: string) => path === "/" || (path.startsWith("/console/") && path !== "/console/dev-token")

const API_INFO = (version: string): ApiInfo => ({
  title: "Keyframe",
  version,
  description: "Event-sourced video backend: tus uploads, queries, audit, admin. Authenticate with " +
    "`Authorization: Bearer <jwt>` (`sub` = user id, `roles` among user, sponsor, admin, auditor)."
})

export const makeApp = (options: AppOptions): Hono<AppEnv> => {
  const run = makeRunEffect(options.runtime)
  const auth = options.auth ?? noAuth
  const trustedProxyHops = options.trustProxy ? options.trustProxyHops ?? 1 : 0
  const app = new Hono<AppEnv>()
  // outermost: sets the headers middleware collected on answers that do not carry them already
  app.use(responseHeaders())
  app.use(requestId())
  // one address per request, for the log, the limiter and the feeds alike
  app.use(clientAddress({ trustedProxyHops, connInfo: options.connInfo }))
  app.use(requestLog(options.runtime, options.logLevel))
  app.use(hideUnavailableDetail(options.runtime))
  app.use(jsonBodyLimit(options.jsonBodyLimitBytes ?? 65_536))
  if (options.rateLimit) {
    app.use(rateLimit({ ...options.rateLimit, auth, exempt: (path) => OPS_PATHS.has(path) || isConsoleFile(path) }))
  }
  app.route("/", healthRoutes(run))
  if (options.metrics?.ownPort !== true) app.route("/", metricsRoutes(run, options.metrics))
  app.route("/", openApiRoutes(() => app, API_INFO(options.version ?? "0.1.0")))
  app.route("/admin", adminRoutes(run, auth))
  app.route("/admin", adminCatalogRoutes(run, auth))
  app.route("/admin", adminSettingsRoutes(run, auth, options.settings ?? defaultDomainSettings))
  app.route("/files", tusRoutes({
    runtime: options.runtime,
    auth,
    settings: options.settings ?? defaultDomainSettings,
    currentSettings: options.currentSettings,
    requestBody: options.requestBody
  }))
  // public thumbnails only; playlists and segments at signed URLs (/play/<token>/…, GET /videos/:id/playback)
  app.route("/media", mediaRoutes(run))
  app.route("/", playbackRoutes(run, auth))
  // before the read side, so /rooms/protocol.json and the room commands are not taken for /rooms/:id
  app.route("/rooms", roomRoutes(run, auth))
  // views, ratings, comments, subscriptions (commands); their reads are in the read side's routes
  app.route("/", engagementRoutes(run, auth, options.playbackSessions ?? PlaybackSessionVerifier.unconfigured))
  // the video commands (PATCH, publish, unpublish, DELETE); GET /videos and /videos/:id are the read side's
  app.route("/videos", videoRoutes(run, auth))
  // pushed live streams (POST, PATCH, end); GET /streams and /streams/:id are the read side's
  if (options.streamPush !== undefined) {
    const base = options.settings ?? defaultDomainSettings
    const current = options.currentSettings
    app.route("/streams", streamRoutes({
      ...options.streamPush,
      runtime: options.runtime,
      auth,
      settings: () => current === undefined ? base : current(),
      requestBody: options.requestBody
    }))
  }
  // queries (incl. GET /uploads/:id, from the uploads read model), SSE, audit, projection admin: src/http/queries/ReadSideRoutes.ts
  if (options.console !== undefined) app.route("/", consoleRoutes(options.console))
  app.route("/", readSideRoutes({ runtime: options.runtime, auth, ...options.readSide }))
  // Feature routes are mounted here, one line each, with `auth` for requireAuth. Document every route for
  // /openapi.json: `describeRoute({...})` + `validate(...)` from ./openapi/ (see RouteDoc.ts); a test walks them all.

  app.notFound((c) => errorResponse(notFound(`no route for ${c.req.method} ${c.req.path}`)))
  app.onError((err, c) => {
    if (err instanceof HttpError) return errorResponse(err)
    // c.req.json() throws a SyntaxError on a malformed body; Hono's validators throw a 400 HTTPException
    if (err instanceof SyntaxError) return errorResponse(invalidJson())
    if (err instanceof HTTPException && err.status < 500) {
      const code = /malformed json/i.test(err.message) ? "INVALID_JSON" : codeForStatus(err.status)
      const message = code === "INVALID_JSON" ? "the request body is not valid JSON" : err.message || code
      return errorResponse(new HttpError({ status: err.status, code, message }))
    }
    return logInternal(options.runtime, c, Cause.die(err))
  })
  return app
}
