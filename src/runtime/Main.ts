/** The program both entry points run: read config, build the adapters it names, serve the Hono app until interrupted. */
import { Cause, type Context, Data, Effect, Exit, Layer, Logger, Redacted, References, type Scope } from "effect"
import type { GetConnInfo } from "hono/conninfo"
import { StreamPositions } from "../../projections/StreamPositions.ts"
import { describeEventStore, type InvalidConfig, KeyframeConfig, type KeyframeSettings } from "../config.ts"
import { Digests } from "../digest/Digests.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import type { EventStoreUnavailable } from "../eventstore/EventStoreError.ts"
import { type AppOptions, type AppServices, makeApp } from "../http/App.ts"
import { Playback } from "../videos/Playback.ts"
import { PlaybackSessionVerifier } from "../videos/PlaybackSessionVerifier.ts"
import type { AppRuntime } from "../http/AppRuntime.ts"
import { FeedTickets } from "../auth/FeedTickets.ts"
import { jwtVerifier } from "../auth/JwtVerifier.ts"
import { type AuthOptions, noAuth } from "../auth/TokenAuth.ts"
import { metricsApp } from "../http/middleware/MetricsEndpoint.ts"
import { RateLimiter } from "../http/middleware/RateLimiter.ts"
import { ReadSide } from "../http/queries/ReadSide.ts"
import { uploadView } from "../http/queries/UploadView.ts"
import type { RequestBodyReader } from "../http/RequestBody.ts"
import type { ObjectStoreUnavailable } from "../objectstore/ObjectStoreError.ts"
import { LiveFeeds } from "../feeds/LiveFeeds.ts"
import { StreamFeeds } from "../streams/feed/StreamFeeds.ts"
import { UploadFeeds } from "../uploads/feed/UploadFeeds.ts"
import { Uploads } from "../uploads/Uploads.ts"
import type { RealtimeStartFailed, ServeRealtime } from "../realtime/RealtimeServer.ts"
import { routeByPath } from "../realtime/RealtimeChannel.ts"
import { roomChannel } from "../realtime/RoomChannel.ts"
import { streamFeedChannel } from "../realtime/StreamFeedChannel.ts"
import { uploadFeedChannel } from "../realtime/UploadFeedChannel.ts"
import { roomChannelSettings } from "../realtime/RoomChannelSettings.ts"
import { Rooms } from "../rooms/Rooms.ts"
import { RuntimeSettings } from "../settings/RuntimeSettings.ts"
import { objectStoreLayer, processingProgressLayer, rateLimiterLayer, readStoreLayer, roomPresenceLayer } from "./AdapterLayers.ts"
import { dataDirLayer, type DataDirUnavailable } from "./DataDir.ts"
import { type DevSecretExposed, type DevSecretUnavailable, loadOrCreateDevSecret } from "./DevJwtSecret.ts"
import { actorsLayer } from "./ActorsLayer.ts"
import { eventStoreLayer } from "./EventStoreLayer.ts"
import { playbackLayer } from "./PlaybackKeys.ts"
import { projectionsLayer, readSideLayer, readSideSettings } from "./ReadSideLayer.ts"
import { type ServerLimits, serverLimits } from "./ServerLimits.ts"
import { workersLayer, type WorkersStartError } from "./WorkersLayer.ts"
import { pushIngestLayer, watchFolderLayer } from "./IngestLayer.ts"
import { PushIngest } from "../ingest/PushIngest.ts"
import { Streams } from "../streams/Streams.ts"
import type { AssetReader } from "../http/console/ConsoleAssets.ts"
import type { ConsoleOptions } from "../http/console/ConsoleRoutes.ts"

/** The HTTP listener could not start (port taken, no permission). */
export class ServerStartFailed extends Data.TaggedError("ServerStartFailed")<{ readonly reason: string }> {
  override get message() {
    return `HTTP server did not start: ${this.reason}`
  }
}

/** What a runtime supplies: listen on `port` with a web-standard fetch handler until the scope closes, within `limits`. */
export type Serve = (
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  limits?: ServerLimits
) => Effect.Effect<{ readonly port: number }, ServerStartFailed, Scope.Scope>

/** What a runtime adapter (node.ts, deno.ts) hands the application. */
export interface RuntimeAdapter {
  /** For the start-up line, e.g. "Node.js 24.21.0". */
  readonly name: string
  readonly serve: Serve
  /** How this runtime's server tells a request's socket peer (its hono `getConnInfo`; the client address, ClientIp.ts). */
  readonly connInfo: GetConnInfo
  /** A cheaper way to read upload bodies than `Request.body`, when the runtime has one. */
  readonly requestBody?: RequestBodyReader | undefined
  /** The runtime's fastest hashing (tus checksums, the chunk step); unset = the portable `Digests.layer`. */
  readonly digests?: Layer.Layer<Digests> | undefined
  /** The rooms WebSocket transport on WS_PORT (uWebSockets.js, ws, Deno's); unset = no realtime listener. */
  readonly serveRealtime?: ServeRealtime | undefined
  /** Reads the project's files for the web console (src/console/, vendor builds); unset = no console. */
  readonly readAsset?: AssetReader | undefined
}

export type StartError =
  | InvalidConfig
  | EventStoreUnavailable
  | ObjectStoreUnavailable
  | DevSecretUnavailable
  | DevSecretExposed
  | DataDirUnavailable
  | ServerStartFailed
  | RealtimeStartFailed
  | WorkersStartError

/** Handlers run with the services the layers built (one context, so one event store per process). */
export const runtimeFrom = <R>(context: Context.Context<R>): AppRuntime<R> => ({
  runPromiseExit: (effect, options) => Effect.runPromiseExitWith(context)(effect, options),
  runFork: (effect) => Effect.runForkWith(context)(effect)
})

/** Every service the app and its background parts use, chosen from the config (DESIGN.md §4); `digests` from the runtime. */
export const servicesLayer = (config: KeyframeSettings, digests: Layer.Layer<Digests> = Digests.layer) =>
  // signed playback over the read side's videos model (PlaybackKeys.ts)
  // and the engines of pushed live streams (IngestLayer.ts)
  Layer.merge(playbackLayer(config), pushIngestLayer(config)).pipe(Layer.provideMerge(portsLayer(config, digests)))

const portsLayer = (config: KeyframeSettings, digests: Layer.Layer<Digests>) =>
  // the uploads and streams application layers over the ports below: what the routes, the workers and the ingest call
  Layer.merge(Uploads.layer, Streams.layer).pipe(Layer.provideMerge(Layer.mergeAll(
    Layer.mergeAll(
      // PGlite's files are opened by one process, and this actor system is its only writer
      actorsLayer(config, config.eventStore.kind === "embedded"),
      // the read side: projections folding the same event store into the read store (ReadSideLayer.ts)
      readSideLayer.pipe(Layer.provideMerge(projectionsLayer), Layer.provideMerge(readStoreLayer(config)))
    ).pipe(Layer.provideMerge(StreamPositions.tracking(eventStoreLayer(config.eventStore)))),
    objectStoreLayer(config),
    rateLimiterLayer(config),
    // ephemeral processing progress: the workers publish, the live feeds subscribe (across processes with Redis)
    processingProgressLayer(config),
    // who is connected to each room (across nodes with Redis): the rooms channel's
    roomPresenceLayer(config),
    // the live feeds (uploads, videos, streams: one hub, one set of caps) and their tickets, once per process:
    // the SSE routes and the realtime listener share them
    Layer.merge(UploadFeeds.layer({ viewUpload: (doc) => uploadView(doc, config.upload.expiryHours) }), StreamFeeds.layer).pipe(
      Layer.provideMerge(LiveFeeds.layer(config.feeds))
    ),
    FeedTickets.layer(),
    digests
  )))

/**
 * Token verification from the config: JWT_SECRET (HS256) and/or JWKS_URL (RS256…). With neither,
 * a development secret under DATA_DIR (see DevJwtSecret.ts; `npm run token` uses the same one).
 */
export const authFromConfig = (config: KeyframeSettings): Effect.Effect<AuthOptions, DevSecretUnavailable | DevSecretExposed> =>
  Effect.gen(function*() {
    const { jwtSecret, jwksUrl, jwtIssuer, jwtAudience, jwtMaxTtlSeconds, jwtLeewaySeconds } = config.auth
    let secret = jwtSecret !== undefined ? Redacted.value(jwtSecret) : undefined
    if (secret === undefined && jwksUrl === undefined) {
      const dev = yield* loadOrCreateDevSecret(config.server.dataDir)
      secret = dev.secret
      yield* Effect.logWarning(
        `JWT_SECRET and JWKS_URL are unset: bearer tokens are checked with the development secret in ${dev.path}` +
          `${dev.created ? " (just created)" : ""}; mint one with \`npm run token -- --sub alice\`. Set JWT_SECRET in production.`
      )
    }
    return {
      verifyToken: jwtVerifier({
        secret,
        jwksUrl,
        issuer: jwtIssuer,
        audience: jwtAudience,
        maxTtlSeconds: jwtMaxTtlSeconds,
        leewaySeconds: jwtLeewaySeconds
      })
    }
  })

/** The console's options: "sign in as" only with the development secret (DevSignIn.ts says when a request may use it). */
export const consoleOptionsFor = (config: KeyframeSettings, read: AssetReader, wsPort: () => number) =>
  Effect.gen(function*() {
    const { jwtSecret, jwksUrl, jwtMaxTtlSeconds } = config.auth
    const dev = jwtSecret === undefined && jwksUrl === undefined ? yield* loadOrCreateDevSecret(config.server.dataDir) : undefined
    return {
      read,
      wsPort,
      devSignIn: dev === undefined ? undefined : { secret: dev.secret, maxTtlSeconds: jwtMaxTtlSeconds, trustProxy: config.rateLimit.trustProxy }
    } satisfies ConsoleOptions
  })

/** What makeApp needs besides the runtime, from the config and the built services. */
export const appOptionsFor = (config: KeyframeSettings) =>
  Effect.gen(function*() {
    const auth = yield* authFromConfig(config)
    const limiter = yield* RateLimiter
    const feeds = { uploadFeeds: yield* UploadFeeds, streamFeeds: yield* StreamFeeds, tickets: yield* FeedTickets }
    const playback = yield* Playback
    const streams = yield* Streams
    const engines = yield* PushIngest
    const runtimeSettings = yield* RuntimeSettings
    const r = config.rateLimit
    const readSide = readSideSettings(config)
    return {
      auth,
      settings: runtimeSettings.base,
      currentSettings: runtimeSettings.current,
      readSide: {
        // the quota shown (GET /me/quota) follows the weekly limit in force
        settings: { ...readSide, get quota() {
          return { ...readSide.quota, weeklyUploadLimitBytes: runtimeSettings.current().weeklyUploadLimitBytes }
        } },
        feeds,
        side: yield* ReadSide
      },
      trustProxy: r.trustProxy,
      trustProxyHops: r.trustProxyHops,
      jsonBodyLimitBytes: config.http.jsonBodyLimitBytes,
      logLevel: config.server.logLevel,
      metrics: { token: config.http.metricsToken, ownPort: config.http.metricsPort !== 0 },
      // views need the signed playback tokens' verifier; until it is wired, POST /videos/:id/views answers 503
      // a view is reported with the playback token the player got: the same keys verify it
      playbackSessions: PlaybackSessionVerifier.fromVerify((token) => playback.verifySession(token)),
      // HTTP push: the routes reach the streams use cases and this process's ingest engines
      streamPush: { streams, engines, maxBodyBytes: config.stream.pushMaxBodyBytes },
      rateLimit: {
        limiter,
        settings: { perUser: r.perUser, perIp: r.perIp, windowMs: r.windowSeconds * 1000 }
      }
    } satisfies Omit<AppOptions, "runtime">
  })

/** The realtime listener on WS_PORT through the runtime's transport (DESIGN.md §2): rooms, upload and stream feeds, one router. */
export const serveRooms = (config: KeyframeSettings, options: Omit<AppOptions, "runtime">, serveRealtime: ServeRealtime) =>
  Effect.gen(function*() {
    const auth = options.auth ?? noAuth
    const settings = roomChannelSettings(config)
    // the process's one ticket store: tickets minted over HTTP open this listener's rooms and feeds
    const tickets = yield* FeedTickets
    const feeds = { auth, settings, tickets, trustedProxyHops: config.rateLimit.trustProxy ? config.rateLimit.trustProxyHops : 0 }
    const channel = routeByPath({
      rooms: yield* roomChannel(auth, settings, tickets),
      uploads: yield* uploadFeedChannel(feeds),
      streams: yield* streamFeedChannel(feeds)
    })
    const live = yield* serveRealtime(channel, config.server.wsPort)
    yield* Effect.log(`Keyframe rooms WebSocket listening on port ${live.port} (${live.transport}); upload feeds at /uploads/:id, stream feeds at /streams/:id`)
    return live.port
  }).pipe(Effect.provide(Rooms.layer))

const serverLayer = ({ name: runtimeName, requestBody, serve, connInfo, serveRealtime, readAsset }: RuntimeAdapter) =>
  Layer.effectDiscard(
    Effect.gen(function*() {
      const config = yield* KeyframeConfig
      const store = yield* EventStore
      const limiter = yield* RateLimiter
      const context = yield* Effect.context<AppServices>()
      const runtime = runtimeFrom(context)
      const options = yield* appOptionsFor(config)
      // the console asks for the WS port per page load: with WS_PORT=0 it is known once the listener is up
      let wsPort = config.server.wsPort
      const consoleOptions = readAsset === undefined ? undefined : yield* consoleOptionsFor(config, readAsset, () => wsPort)
      const app = makeApp({ runtime, requestBody, connInfo, ...options, console: consoleOptions })
      const limits = serverLimits(config)
      const { port } = yield* serve(app.fetch, config.server.port, limits)
      if (serveRealtime !== undefined) wsPort = yield* serveRooms(config, options, serveRealtime)
      if (config.http.metricsPort !== 0) {
        // METRICS_PORT: a listener of its own for the scrape, kept off the public port
        const metrics = yield* serve(metricsApp(runtime, { token: config.http.metricsToken }).fetch, config.http.metricsPort, limits)
        yield* Effect.log(`Keyframe metrics listening on port ${metrics.port}${config.http.metricsToken ? " (token required)" : ""}`)
      }
      yield* Effect.log(
        `Keyframe HTTP listening on port ${port} (${runtimeName}); event store: ${describeEventStore(config.eventStore)} ` +
          `(${store.kind} adapter); object store: ${config.objectStore.bucket ? `S3 bucket ${config.objectStore.bucket}` : "files"}; ` +
          `read store, rate limits and room presence: ${config.readStore.redisUrl ? "Redis" : "memory"} (${limiter.kind})`
      )
      yield* Effect.addFinalizer(() => Effect.log("Keyframe shutting down"))
    })
  )

const loggerLayer = (config: KeyframeSettings) =>
  Layer.mergeAll(
    Logger.layer([config.server.logFormat === "json" ? Logger.consoleJson : Logger.consolePretty()]),
    Layer.succeed(References.MinimumLogLevel, config.server.logLevel)
  )

/** The media workers beside the API (RUN_WORKERS, default on); `npm run worker` runs them alone. A missing ffmpeg stops the start. */
const workersBeside = (config: KeyframeSettings) =>
  config.media.runWorkers ? Layer.effectDiscard(Effect.void).pipe(Layer.provide(workersLayer(config))) : Layer.empty

/** The whole application as one layer; `Layer.launch` it. */
export const mainLayer = (runtime: RuntimeAdapter): Layer.Layer<never, StartError> => {
  const withServices = Layer.unwrap(
    Effect.map(KeyframeConfig, (config) =>
      // Workers first: a missing ffmpeg stops the start before the API answers.
      serverLayer(runtime).pipe(
        Layer.provide(workersBeside(config)),
        // WATCH_DIR: growing files become live streams (IngestLayer.ts)
        Layer.provide(watchFolderLayer(config)),
        Layer.provide(servicesLayer(config, runtime.digests)),
        // DATA_DIR's folders are made 0700 before any adapter opens them (DataDir.ts)
        Layer.provide(dataDirLayer(config)),
        Layer.provide(loggerLayer(config))
      ))
  )
  return withServices.pipe(Layer.provide(KeyframeConfig.layer))
}

/** The program: run the app; a start-up failure is logged as one readable line. */
export const mainProgram = (runtime: RuntimeAdapter) =>
  Layer.launch(mainLayer(runtime)).pipe(
    Effect.tapError((e) => Effect.logError(`Keyframe cannot start: ${e.message}`))
  )

/** Exit codes: 0 after a signal (clean shutdown), 1 after a failure. */
export const exitCode = (exit: Exit.Exit<unknown, unknown>): number =>
  Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1
