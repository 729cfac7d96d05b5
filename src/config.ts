/** Every Keyframe setting: typed, defaulted, validated with a message that names the setting (DESIGN.md §4, §6, §7). */
import { Config, ConfigProvider, Context, Data, Effect, Layer, Option, Redacted } from "effect"
import type { LogLevel } from "effect"
import { defaultDomainSettings, type DomainSettings } from "./domain/shared/DomainSettings.ts"
import { parseSigningKeys } from "./videos/PlaybackTokens.ts"

/** One setting: the `Config` that reads it, plus what the README and .env.example say about it. */
export interface Setting<A> {
  readonly name: string
  /** The default as written in docs; undefined = unset by default. */
  readonly defaultText: string | undefined
  readonly doc: string
  readonly config: Config.Config<A>
}

/** A start-up configuration error; `message` starts with the setting's name. */
export class InvalidConfig extends Data.TaggedError("InvalidConfig")<{ readonly message: string }> {}

const failWith = (message: string) => Effect.fail(new Config.ConfigError(new ConfigProvider.SourceError({ message })))

const invalid = (name: string, expected: string, got: string) =>
  failWith(`${name}: expected ${expected}, got ${/^[\w.:/+-]+$/.test(got) ? got : JSON.stringify(got)}`)

/**
 * Settings are read as text (`Config.String`; an empty value counts as unset, as `.env` files
 * and compose `${VAR:-}` produce) and parsed here rather than by `Config.Int` & co., so that an
 * error names the setting and the bad value in words a person can act on.
 */
const setting = <A>(
  name: string,
  defaultText: string | undefined,
  doc: string,
  parse: (raw: string | undefined) => Effect.Effect<A, Config.ConfigError>
): Setting<A> => ({
  name,
  defaultText,
  doc,
  config: Config.option(Config.String(name)).pipe(
    Config.mapEffect((raw) => parse(Option.getOrUndefined(raw)?.trim() || defaultText))
  )
})

const integer = (name: string, def: number, min: number, max: number, doc: string) =>
  setting(name, String(def), doc, (raw = String(def)) => {
    const n = /^[-+]?\d+$/.test(raw) ? Number(raw) : Number.NaN
    if (Number.isSafeInteger(n) && n >= min && n <= max) return Effect.succeed(n)
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer between ${min} and ${max}`
    return invalid(name, range, raw)
  })

const positive = (name: string, def: number, doc: string) => integer(name, def, 1, Number.MAX_SAFE_INTEGER, doc)
const port = (name: string, def: number, doc: string) => integer(name, def, 0, 65535, doc)

const text = (name: string, def: string, doc: string) => setting(name, def, doc, (raw = def) => Effect.succeed(raw))

const optionalText = (name: string, doc: string) => setting(name, undefined, doc, (raw) => Effect.succeed(raw))

/** Secrets never exist as plain strings in the config: `Config.Redacted` reads them straight into a Redacted. */
const secret = (name: string, doc: string): Setting<Redacted.Redacted<string> | undefined> => ({
  name,
  defaultText: undefined,
  doc,
  config: Config.option(Config.Redacted(name)).pipe(
    Config.map((value) => Option.getOrUndefined(Option.filter(value, (r) => Redacted.value(r).trim() !== "")))
  )
})

const boolean = (name: string, def: boolean, doc: string) =>
  setting(name, String(def), doc, (raw = String(def)) => {
    const v = raw.toLowerCase()
    if (["true", "1", "yes", "on"].includes(v)) return Effect.succeed(true)
    if (["false", "0", "no", "off"].includes(v)) return Effect.succeed(false)
    return invalid(name, "true or false", raw)
  })

const url = (name: string, schemes: ReadonlyArray<string>, doc: string) =>
  setting(name, undefined, doc, (raw) => {
    if (raw === undefined) return Effect.succeed(undefined)
    // scheme check only: connection strings may list several hosts (esdb://a:2113,b:2113), which WHATWG URL rejects
    const scheme = /^([a-z][a-z0-9+.-]*):\/\/\S+$/i.exec(raw)?.[1]?.toLowerCase()
    if (scheme !== undefined && schemes.includes(scheme)) return Effect.succeed(raw)
    return invalid(name, `a URL starting with ${schemes.map((s) => `${s}://`).join(", ")}`, raw)
  })

const list = (name: string, def: ReadonlyArray<string>, doc: string) =>
  setting(name, def.join(","), doc, (raw = def.join(",")) => {
    const items = raw.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0)
    return items.length > 0 && items.every((s) => /^[a-z0-9]+$/.test(s))
      ? Effect.succeed(items as ReadonlyArray<string>)
      : invalid(name, "a comma-separated list of names such as mp4,webm", raw)
  })

const LOG_LEVELS: ReadonlyArray<LogLevel.LogLevel> = ["All", "Trace", "Debug", "Info", "Warn", "Error", "Fatal", "None"]
const logLevel = (name: string, def: LogLevel.LogLevel, doc: string) =>
  setting(name, def.toLowerCase(), doc, (raw = def) => {
    const level = LOG_LEVELS.find((l) => l.toLowerCase() === raw.toLowerCase())
    return level ? Effect.succeed(level) : invalid(name, `one of ${LOG_LEVELS.join(", ").toLowerCase()}`, raw)
  })

const choice = <const C extends string>(name: string, def: C, choices: ReadonlyArray<C>, doc: string) =>
  setting(name, def, doc, (raw = def) => {
    const found = choices.find((c) => c.toLowerCase() === raw.toLowerCase())
    return found !== undefined ? Effect.succeed(found) : invalid(name, `one of ${choices.join(", ")}`, raw)
  })

const GiB = 1024 ** 3
export const MiB = 1024 ** 2

/** The settings, grouped as the config object is. */
export const Settings = {
  server: {
    port: port("PORT", 8080, "HTTP listener (API, tus uploads, queries, /healthz); 0 = any free port"),
    wsPort: port("WS_PORT", 8081, "WebSocket listener for rooms"),
    dataDir: text("DATA_DIR", "./data", "where the embedded adapters keep their files (event store, objects)"),
    logLevel: logLevel("LOG_LEVEL", "Info", "minimum log level: trace, debug, info, warn, error, fatal, none"),
    logFormat: choice("LOG_FORMAT", "json", ["json", "pretty"], "json = one JSON object per line (a line per request too); pretty = for a terminal")
  },
  eventStore: {
    url: url(
      "EVENTSTORE_URL",
      ["kurrentdb", "kurrent", "kdb", "esdb", "postgres", "postgresql"].flatMap((s) => (s.startsWith("postgres") ? [s] : [s, `${s}+discover`])),
      "event store: unset = embedded PGlite under DATA_DIR/eventstore; kurrentdb:// (or kurrent://, kdb://, esdb://, +discover) = KurrentDB/EventStoreDB; postgres:// = PostgreSQL"
    )
  },
  readStore: {
    redisUrl: url("REDIS_URL", ["redis", "rediss"], "read models, room presence, rate-limit counts and processing progress in Redis (one connection per process, plus one per pub/sub channel: progress, presence); unset = in memory, rebuilt from the history at start"),
    keyPrefix: optionalText("READ_STORE_KEY_PREFIX", "prefix of every read-model key in Redis (several deployments sharing one Redis); unset = none"),
    waitMillis: integer(
      "READ_YOUR_WRITES_WAIT_MS",
      3000,
      0,
      60_000,
      "longest a query that asks for a position (Keyframe-Min-Position) waits for the read model before 503 READ_MODEL_BEHIND, ms"
    )
  },
  objectStore: {
    endpointUrl: url("S3_ENDPOINT_URL", ["http", "https"], "S3 endpoint for MinIO or another S3-compatible server; unset = AWS S3"),
    bucket: optionalText("S3_BUCKET", "S3 bucket for media objects; unset = files under DATA_DIR/objects"),
    accessKeyId: optionalText("S3_ACCESS_KEY_ID", "S3 access key id; unset = the SDK's default credential chain"),
    secretAccessKey: secret("S3_SECRET_ACCESS_KEY", "S3 secret key (never logged)"),
    region: text("S3_REGION", "us-east-1", "S3 region"),
    forcePathStyle: boolean("S3_FORCE_PATH_STYLE", false, "path-style bucket URLs (true for MinIO)"),
    requestChecksumCalculation: choice(
      "S3_REQUEST_CHECKSUM_CALCULATION",
      "WHEN_REQUIRED",
      ["WHEN_REQUIRED", "WHEN_SUPPORTED"],
      "SDK request checksums; WHEN_SUPPORTED sends aws-chunked bodies that some S3-compatible servers store verbatim"
    ),
    mediaCacheMb: integer(
      "MEDIA_CACHE_MB",
      64,
      0,
      65_536,
      "memory for hot published media (segments, playlists, thumbnails) served from DATA_DIR/objects, MiB; each hit checked against its file; 0 = off"
    )
  },
  media: {
    ffmpegPath: text("FFMPEG_PATH", "ffmpeg", "ffmpeg executable (the system's, e.g. Debian's ffmpeg)"),
    ffprobePath: text("FFPROBE_PATH", "ffprobe", "ffprobe executable"),
    jobMaxAttempts: positive("JOB_MAX_ATTEMPTS", 3, "attempts per processing step (chunk, transcode, publish)"),
    jobRetryDelaySeconds: integer("JOB_RETRY_DELAY_SECONDS", 5, 0, Number.MAX_SAFE_INTEGER, "backoff before a step is retried, seconds"),
    processingTimeoutSeconds: positive("VIDEO_PROCESSING_TIMEOUT", 300, "bound on one processing step, seconds (also its lease)"),
    workerConcurrency: positive("WORKER_CONCURRENCY", 2, "processing steps one worker process runs at once"),
    runWorkers: boolean("RUN_WORKERS", true, "run the media workers inside `npm start`; false = API only (process with `npm run worker` elsewhere)")
  },
  quota: {
    weeklyUploadLimitBytes: positive("WEEKLY_UPLOAD_LIMIT_BYTES", 4 * GiB, "upload allowance per user per week, bytes (4 GiB)"),
    resetDay: integer("QUOTA_RESET_DAY", 0, 0, 6, "day the quota week starts, 0 = Sunday … 6 = Saturday (UTC)"),
    resetHour: integer("QUOTA_RESET_HOUR", 0, 0, 23, "hour the quota week starts, 0–23 (UTC)")
  },
  upload: {
    maxFileSizeBytes: positive("MAX_FILE_SIZE_BYTES", 2 * GiB, "largest upload, bytes (2 GiB)"),
    acceptedFormats: list("ACCEPTED_VIDEO_FORMATS", ["mp4", "mov", "avi", "mkv", "webm"], "accepted containers, confirmed by probing"),
    expiryHours: positive("UPLOAD_EXPIRY_HOURS", 24, "an upload without progress for this long expires, hours")
  },
  video: {
    defaultVisibility: choice(
      "DEFAULT_VISIBILITY",
      "private",
      ["public", "unlisted", "private"],
      "visibility of a new video (published when its upload is ready); private = only its owner and admins see it until the owner changes it"
    )
  },
  stream: {
    watchDir: optionalText("WATCH_DIR", "directory watched for growing MP4 files to ingest as streams; unset = off"),
    watchExtensions: list("WATCH_EXTENSIONS", ["mp4"], "file extensions the watch folder ingests (comma-separated)"),
    watchDefaultOwner: optionalText("WATCH_DEFAULT_OWNER", "user id owning a watched file that has no `<name>.json` sidecar with an owner; unset = such files are skipped"),
    watchPollMs: integer("WATCH_POLL_MS", 1000, 50, 60_000, "how often the watch folder and its growing files are looked at without a file-system notification (network mounts), ms"),
    chunkSizeMb: integer("CHUNK_SIZE_MB", 10, 5, 5120, "stream chunk (and multipart part) size, MiB; at least 5 (S3's smallest part)"),
    timeoutSeconds: positive("STREAM_TIMEOUT_SECONDS", 30, "a stream with no growth for this long ends, seconds"),
    pushMaxBodyBytes: positive("PUSH_MAX_BODY_BYTES", 64 * MiB, "largest body one `PATCH /streams/:id` may carry, bytes (413 over it, nothing stored)"),
    parallelParts: integer("STREAM_PARALLEL_PARTS", 4, 1, 64, "stream parts uploaded at once per stream (each holds one chunk in memory); their events stay in part order")
  },
  room: {
    defaultMaxParticipants: positive("DEFAULT_MAX_PARTICIPANTS", 10, "members per room"),
    sponsorMaxParticipants: integer("SPONSOR_MAX_PARTICIPANTS", -1, -1, Number.MAX_SAFE_INTEGER, "members per sponsor room; -1 = unlimited"),
    inactiveRetentionHours: positive("INACTIVE_ROOM_RETENTION_HOURS", 24, "rooms with no activity for this long are closed, hours")
  },
  // the rooms WebSocket channel (src/realtime/)
  realtime: {
    memberGraceSeconds: integer("ROOM_MEMBER_GRACE_SECONDS", 30, 0, 86_400, "a member whose last connection dropped is marked left after this long, seconds"),
    replayMaxEvents: positive("ROOM_REPLAY_MAX_EVENTS", 1000, "a reconnect (`?since=`) missing more room events than this gets a fresh welcome snapshot instead of the replay"),
    maxFrameBytes: positive("ROOM_MAX_FRAME_BYTES", 16_384, "largest WebSocket frame a room client may send, bytes (bigger: close 1009)"),
    messagesPerSecond: positive("ROOM_MESSAGES_PER_SECOND", 20, "frames per second per room connection (2 s burst); past it RATE_LIMITED errors, then close 1008"),
    maxBackpressureBytes: positive("ROOM_MAX_BACKPRESSURE_BYTES", 1_048_576, "bytes queued to a slow room client before it is closed with 1013"),
    readyTimeoutMs: integer("ROOM_READY_TIMEOUT_MS", 8000, 0, 600_000, "after a play or seek takes effect the room waits for every connected member to report ready, at most this long, ms (then it starts anyway; laggards catch up)"),
    presenceHeartbeatMs: integer("ROOM_PRESENCE_HEARTBEAT_MS", 5000, 100, 600_000, "with REDIS_URL: how often a node refreshes its room presence in Redis, ms"),
    presenceTtlMs: integer("ROOM_PRESENCE_TTL_MS", 15_000, 200, 3_600_000, "with REDIS_URL: a node's presence entries outlive its last refresh by this long (a node that died loses its members then), ms; at least 2 × ROOM_PRESENCE_HEARTBEAT_MS")
  },
  actors: {
    mailboxSize: positive("ACTOR_MAILBOX_SIZE", 1000, "commands queued per aggregate before it answers busy"),
    idleSeconds: positive("ACTOR_IDLE_SECONDS", 300, "an idle actor is passivated after this long, seconds"),
    maxLive: positive("ACTOR_MAX_LIVE", 10000, "actors kept in memory at once (least recently used are passivated)"),
    maxConflictRetries: integer("ACTOR_MAX_CONFLICT_RETRIES", 5, 0, 1000, "reload-and-retry rounds on a concurrency conflict"),
    maxBatch: integer("ACTOR_MAX_BATCH", 100, 1, 10_000, "commands waiting in one aggregate's mailbox that are decided together and appended in one write; 1 = one append per command")
  },
  auth: {
    jwtSecret: secret("JWT_SECRET", "HMAC secret (HS256) for bearer JWTs, at least 32 bytes (never logged)"),
    jwksUrl: url("JWKS_URL", ["http", "https"], "JWKS endpoint for RS256/ES256 bearer JWTs (with or without JWT_SECRET)"),
    jwtIssuer: optionalText("JWT_ISSUER", "when set, a token's iss must equal it"),
    jwtAudience: optionalText("JWT_AUDIENCE", "when set, a token's aud must contain it"),
    jwtMaxTtlSeconds: positive("JWT_MAX_TTL_SECONDS", 86_400, "longest lifetime a bearer token may have (exp - iat, or exp - now without iat), seconds; exp is required"),
    jwtLeewaySeconds: integer("JWT_LEEWAY_SECONDS", 60, 0, 300, "clock-skew leeway on a token's nbf, iat and exp, seconds")
  },
  rateLimit: {
    windowSeconds: positive("RATE_LIMIT_WINDOW_SECONDS", 60, "rate limit window, seconds (fixed windows)"),
    perUser: integer("RATE_LIMIT_PER_USER", 600, 0, Number.MAX_SAFE_INTEGER, "requests per window per user (bearer token sub); 0 = no limit"),
    perIp: integer("RATE_LIMIT_PER_IP", 1200, 0, Number.MAX_SAFE_INTEGER, "requests per window per client address; 0 = no limit"),
    trustProxy: boolean("TRUST_PROXY", false, "take the client address from X-Forwarded-For (only behind a proxy that sets it)"),
    trustProxyHops: integer("TRUST_PROXY_HOPS", 1, 1, 32, "with TRUST_PROXY: how many trusted proxies append to X-Forwarded-For; the client address is the entry that many from the right"),
    maxTrackedClients: positive("RATE_LIMIT_MAX_TRACKED", 100_000, "counters the in-memory limiter keeps (least recently used dropped first)")
  },
  http: {
    headersTimeoutSeconds: positive("HTTP_HEADERS_TIMEOUT_SECONDS", 30, "longest a client may take to send a request's headers, seconds"),
    requestTimeoutSeconds: integer("HTTP_REQUEST_TIMEOUT_SECONDS", 3600, 0, Number.MAX_SAFE_INTEGER, "longest one request (a tus PATCH body included) may take, seconds; 0 = no bound"),
    keepAliveTimeoutSeconds: positive("HTTP_KEEPALIVE_TIMEOUT_SECONDS", 5, "an idle keep-alive connection is closed after this long, seconds"),
    maxConnections: positive("HTTP_MAX_CONNECTIONS", 10_000, "open connections the HTTP listener accepts at once; more are refused"),
    jsonBodyLimitBytes: positive("JSON_BODY_LIMIT_BYTES", 65_536, "largest JSON request body, bytes (413 BODY_TOO_LARGE over it)"),
    metricsPort: integer("METRICS_PORT", 0, 0, 65535, "serve /metrics on this port alone (and not on PORT); 0 = on PORT"),
    metricsToken: secret("METRICS_TOKEN", "when set, /metrics asks for Authorization: Bearer <METRICS_TOKEN> (never logged)")
  },
  feeds: {
    maxPerUser: positive("FEED_MAX_PER_USER", 20, "live feeds (SSE and WebSocket together) one user may hold open at once; over it 429"),
    maxPerIp: positive("FEED_MAX_PER_IP", 100, "live feeds (SSE and WebSocket together) one client address may hold open at once; over it 429"),
    maxLifetimeSeconds: positive("FEED_MAX_LIFETIME_SECONDS", 3600, "a live feed is ended after this long (the client reconnects), seconds")
  },
  playback: {
    tokenTtlSeconds: integer("PLAYBACK_TOKEN_TTL_SECONDS", 3600, 1, 86_400, "lifetime of a signed playback URL (GET /videos/:id/playback), seconds; a player asks again after it"),
    signingKeys: secret(
      "PLAYBACK_SIGNING_KEYS",
      "keys that sign playback URLs: `kid:secret,kid:secret`, newest first (it signs, the others still verify: rotation); secrets of 32+ bytes without commas; unset = a generated key in DATA_DIR/playback-signing-key (one node only) (never logged)"
    )
  },
  janitor: {
    quotaReconcileGraceSeconds: positive(
      "QUOTA_RECONCILE_GRACE_SECONDS",
      900,
      "a quota reservation whose upload does not exist this long after it was made is released by the janitor, seconds"
    )
  }
} as const

type Group = Record<string, Setting<any>>
type GroupValue<G extends Group> = { readonly [K in keyof G]: G[K] extends Setting<infer A> ? A : never }
type SettingsValue = { readonly [K in keyof typeof Settings]: GroupValue<(typeof Settings)[K]> }

/** Every setting in one flat list (for the README table, .env.example and their check). */
export const settingsCatalog: ReadonlyArray<Setting<unknown>> = Object.values(Settings).flatMap((g) => Object.values(g as Group))

const groupConfig = <G extends Group>(group: G): Config.Config<GroupValue<G>> =>
  Config.all(Object.fromEntries(Object.entries(group).map(([k, s]) => [k, s.config]))) as any

/** Which event store adapter the URL selects. */
export type EventStoreChoice =
  | { readonly kind: "embedded"; readonly dataDir: string }
  | { readonly kind: "postgres"; readonly url: string }
  | { readonly kind: "kurrent"; readonly url: string }

const eventStoreChoice = (url: string | undefined, dataDir: string): EventStoreChoice =>
  url === undefined
    ? { kind: "embedded", dataDir: `${dataDir.replace(/\/+$/, "")}/eventstore` }
    : /^postgres(ql)?:/i.test(url)
    ? { kind: "postgres", url }
    : { kind: "kurrent", url }

/** The whole configuration as the application uses it. */
export interface KeyframeSettings extends Omit<SettingsValue, "eventStore"> {
  readonly eventStore: EventStoreChoice
}

const other = (key: string) => (key === "S3_ACCESS_KEY_ID" ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID")

/** An HS256 key shorter than the hash (RFC 7518 §3.2) can be guessed offline from one token. */
export const MIN_JWT_SECRET_BYTES = 32

/** Cross-setting rules; each failure names the setting to fix. */
const crossCheck = (s: SettingsValue): Effect.Effect<SettingsValue, Config.ConfigError> => {
  const o = s.objectStore
  if ((o.accessKeyId === undefined) !== (o.secretAccessKey === undefined)) {
    const missing = o.accessKeyId === undefined ? "S3_ACCESS_KEY_ID" : "S3_SECRET_ACCESS_KEY"
    return failWith(`${missing}: must be set too when ${other(missing)} is set`)
  }
  if (o.bucket === undefined && o.endpointUrl !== undefined) {
    return failWith("S3_BUCKET: must be set when S3_ENDPOINT_URL is set")
  }
  const jwtSecretBytes = s.auth.jwtSecret === undefined ? undefined : new TextEncoder().encode(Redacted.value(s.auth.jwtSecret)).length
  if (jwtSecretBytes !== undefined && jwtSecretBytes < MIN_JWT_SECRET_BYTES) {
    // the length only, never the value
    return failWith(
      `JWT_SECRET: expected at least ${MIN_JWT_SECRET_BYTES} bytes (a random value, e.g. \`openssl rand -base64 48\`), got ${jwtSecretBytes} bytes`
    )
  }
  const playbackKeys = s.playback.signingKeys === undefined ? undefined : parseSigningKeys(Redacted.value(s.playback.signingKeys))
  // the entry's position and kid only, never a secret
  if (typeof playbackKeys === "string") return failWith(`PLAYBACK_SIGNING_KEYS: ${playbackKeys}`)
  if (s.server.port !== 0 && s.server.port === s.server.wsPort) {
    return invalid("WS_PORT", `a port other than PORT (${s.server.port})`, String(s.server.wsPort))
  }
  if (s.realtime.presenceTtlMs < 2 * s.realtime.presenceHeartbeatMs) {
    return invalid("ROOM_PRESENCE_TTL_MS", `at least 2 × ROOM_PRESENCE_HEARTBEAT_MS (${2 * s.realtime.presenceHeartbeatMs})`, String(s.realtime.presenceTtlMs))
  }
  return Effect.succeed(s)
}

/** The configuration as one `Config`: yield it, or parse it against a provider. */
export const keyframeConfig: Config.Config<KeyframeSettings> = Config.all({
  server: groupConfig(Settings.server),
  eventStore: groupConfig(Settings.eventStore),
  readStore: groupConfig(Settings.readStore),
  objectStore: groupConfig(Settings.objectStore),
  media: groupConfig(Settings.media),
  quota: groupConfig(Settings.quota),
  upload: groupConfig(Settings.upload),
  video: groupConfig(Settings.video),
  stream: groupConfig(Settings.stream),
  room: groupConfig(Settings.room),
  realtime: groupConfig(Settings.realtime),
  actors: groupConfig(Settings.actors),
  auth: groupConfig(Settings.auth),
  rateLimit: groupConfig(Settings.rateLimit),
  http: groupConfig(Settings.http),
  feeds: groupConfig(Settings.feeds),
  playback: groupConfig(Settings.playback),
  janitor: groupConfig(Settings.janitor)
}).pipe(
  Config.mapEffect(crossCheck),
  Config.map((s) => ({ ...s, eventStore: eventStoreChoice(s.eventStore.url, s.server.dataDir) }))
)

const toInvalidConfig = (e: Config.ConfigError) =>
  new InvalidConfig({
    message: e.cause._tag === "SourceError" ? e.cause.message : `configuration: ${e.cause.message}`
  })

/** Reads and validates the configuration from a provider (tests: `ConfigProvider.fromUnknown({...})`). */
export const loadConfig = (provider: ConfigProvider.ConfigProvider): Effect.Effect<KeyframeSettings, InvalidConfig> =>
  keyframeConfig.parse(provider).pipe(Effect.mapError(toInvalidConfig))

/** The configuration service; `layer` reads the current ConfigProvider (the environment by default). */
export class KeyframeConfig extends Context.Service<KeyframeConfig, KeyframeSettings>()("keyframe/KeyframeConfig") {
  static readonly layer: Layer.Layer<KeyframeConfig, InvalidConfig> = Layer.effect(
    KeyframeConfig,
    Effect.flatMap(ConfigProvider.ConfigProvider, loadConfig)
  )
  static readonly layerFrom = (provider: ConfigProvider.ConfigProvider): Layer.Layer<KeyframeConfig, InvalidConfig> =>
    Layer.effect(KeyframeConfig, loadConfig(provider))
}

/** The settings the pure deciders receive in their `DecideContext`; what has no setting keeps the domain's default. */
export const domainSettings = (c: KeyframeSettings): DomainSettings => ({
  ...defaultDomainSettings,
  weeklyUploadLimitBytes: c.quota.weeklyUploadLimitBytes,
  quotaResetDay: c.quota.resetDay,
  quotaResetHour: c.quota.resetHour,
  maxFileSizeBytes: c.upload.maxFileSizeBytes,
  acceptedVideoFormats: c.upload.acceptedFormats,
  jobMaxAttempts: c.media.jobMaxAttempts,
  jobRetryDelaySeconds: c.media.jobRetryDelaySeconds,
  videoProcessingTimeoutSeconds: c.media.processingTimeoutSeconds,
  uploadExpiryHours: c.upload.expiryHours,
  chunkSizeBytes: c.stream.chunkSizeMb * MiB,
  streamTimeoutSeconds: c.stream.timeoutSeconds,
  defaultMaxParticipants: c.room.defaultMaxParticipants,
  sponsorMaxParticipants: c.room.sponsorMaxParticipants,
  inactiveRoomRetentionHours: c.room.inactiveRetentionHours,
  memberGraceSeconds: c.realtime.memberGraceSeconds,
  defaultVisibility: c.video.defaultVisibility
})

/** The configuration with every default (no environment): for tests and tools. */
export const defaultConfig = (): KeyframeSettings => Effect.runSync(loadConfig(ConfigProvider.fromUnknown({})))

/** An event-store URL with any password masked, for logs. */
export const describeEventStore = (choice: EventStoreChoice): string =>
  choice.kind === "embedded" ? `embedded PGlite at ${choice.dataDir}` : `${choice.kind} at ${choice.url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@")}`
