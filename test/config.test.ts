import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ConfigProvider, Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import {
  defaultConfig,
  describeEventStore,
  domainSettings,
  KeyframeConfig,
  loadConfig,
  settingsCatalog
} from "../src/config.ts"
import { defaultDomainSettings } from "../src/domain/shared/DomainSettings.ts"
import { envExample, readmeTable } from "../scripts/settings-doc.ts"

const load = (env: Record<string, string>) => Effect.runSync(Effect.result(loadConfig(ConfigProvider.fromEnv({ env }))))
const ok = (env: Record<string, string>) => {
  const r = load(env)
  if (r._tag === "Failure") throw new Error(r.failure.message)
  return r.success
}
const error = (env: Record<string, string>) => {
  const r = load(env)
  if (r._tag === "Success") throw new Error(`expected ${JSON.stringify(env)} to be rejected`)
  return r.failure.message
}

describe("defaults (DESIGN.md §4, §6, §7)", () => {
  const c = defaultConfig()
  it("server and event store", () => {
    expect(c.server).toEqual({ port: 8080, wsPort: 8081, dataDir: "./data", logLevel: "Info", logFormat: "json" })
    expect(c.eventStore).toEqual({ kind: "embedded", dataDir: "./data/eventstore" })
    expect(c.readStore.redisUrl).toBeUndefined()
    expect(c.objectStore.bucket).toBeUndefined()
    expect(c.objectStore.requestChecksumCalculation).toBe("WHEN_REQUIRED")
    expect(c.rateLimit).toEqual({ windowSeconds: 60, perUser: 600, perIp: 1200, trustProxy: false, trustProxyHops: 1, maxTrackedClients: 100_000 })
  })
  it("hardening limits", () => {
    expect(c.auth).toMatchObject({ jwtMaxTtlSeconds: 86_400, jwtLeewaySeconds: 60 })
    expect(c.http).toMatchObject({ headersTimeoutSeconds: 30, requestTimeoutSeconds: 3600, keepAliveTimeoutSeconds: 5, maxConnections: 10_000, jsonBodyLimitBytes: 65_536, metricsPort: 0 })
    expect(c.feeds).toEqual({ maxPerUser: 20, maxPerIp: 100, maxLifetimeSeconds: 3600 })
    expect(c.janitor).toEqual({ quotaReconcileGraceSeconds: 900 })
    expect(error({ JWT_LEEWAY_SECONDS: "600" })).toContain("JWT_LEEWAY_SECONDS")
  })
  it("domain values", () => {
    expect(c.quota).toEqual({ weeklyUploadLimitBytes: 4 * 1024 ** 3, resetDay: 0, resetHour: 0 })
    expect(c.upload).toEqual({ maxFileSizeBytes: 2 * 1024 ** 3, acceptedFormats: ["mp4", "mov", "avi", "mkv", "webm"], expiryHours: 24 })
    expect(c.media).toMatchObject({ jobMaxAttempts: 3, jobRetryDelaySeconds: 5, processingTimeoutSeconds: 300 })
    expect(c.stream).toEqual({
      watchDir: undefined,
      watchExtensions: ["mp4"],
      watchDefaultOwner: undefined,
      watchPollMs: 1000,
      chunkSizeMb: 10,
      timeoutSeconds: 30,
      pushMaxBodyBytes: 64 * 1024 ** 2,
      parallelParts: 4
    })
    expect(c.room).toEqual({ defaultMaxParticipants: 10, sponsorMaxParticipants: -1, inactiveRetentionHours: 24 })
    expect(c.actors).toEqual({ mailboxSize: 1000, idleSeconds: 300, maxLive: 10000, maxConflictRetries: 5, maxBatch: 100 })
  })
  it("the deciders' settings equal the domain's own defaults", () => {
    expect(domainSettings(c)).toEqual(defaultDomainSettings)
  })
})

describe("reading the environment", () => {
  it("parses and groups values", () => {
    const c = ok({
      PORT: "9000",
      QUOTA_RESET_DAY: "6",
      QUOTA_RESET_HOUR: "23",
      ACCEPTED_VIDEO_FORMATS: " MP4, webm ",
      S3_FORCE_PATH_STYLE: "yes",
      S3_BUCKET: "media",
      S3_ACCESS_KEY_ID: "id",
      S3_SECRET_ACCESS_KEY: "shh",
      LOG_LEVEL: "DEBUG",
      CHUNK_SIZE_MB: "5",
      SPONSOR_MAX_PARTICIPANTS: "50"
    })
    expect(c.server.port).toBe(9000)
    expect(c.server.logLevel).toBe("Debug")
    expect(c.quota).toMatchObject({ resetDay: 6, resetHour: 23 })
    expect(c.upload.acceptedFormats).toEqual(["mp4", "webm"])
    expect(c.objectStore.forcePathStyle).toBe(true)
    expect(Redacted.value(c.objectStore.secretAccessKey!)).toBe("shh")
    expect(String(c.objectStore.secretAccessKey)).not.toContain("shh")
    expect(domainSettings(c)).toMatchObject({ chunkSizeBytes: 5 * 1024 * 1024, sponsorMaxParticipants: 50, quotaResetDay: 6 })
  })

  it("an empty value counts as unset", () => {
    expect(ok({ QUOTA_RESET_DAY: "", EVENTSTORE_URL: "" }).quota.resetDay).toBe(0)
  })

  it("chooses the event store from EVENTSTORE_URL", () => {
    expect(ok({ DATA_DIR: "/var/kf/" }).eventStore).toEqual({ kind: "embedded", dataDir: "/var/kf/eventstore" })
    expect(ok({ EVENTSTORE_URL: "postgres://u:p@db:5432/kf" }).eventStore).toEqual({ kind: "postgres", url: "postgres://u:p@db:5432/kf" })
    expect(ok({ EVENTSTORE_URL: "postgresql://db/kf" }).eventStore.kind).toBe("postgres")
    for (const url of ["kurrentdb://localhost:2113?tls=false", "esdb://a:2113,b:2113", "esdb+discover://cluster:2113", "kurrent://x:2113"]) {
      expect(ok({ EVENTSTORE_URL: url }).eventStore).toEqual({ kind: "kurrent", url })
    }
  })

  it("masks passwords when describing the event store", () => {
    expect(describeEventStore({ kind: "postgres", url: "postgres://kf:s3cret@db:5432/kf" })).toBe("postgres at postgres://kf:***@db:5432/kf")
  })

  it("KeyframeConfig.layer reads the current ConfigProvider", async () => {
    const program = Effect.map(KeyframeConfig, (c) => c.server.port).pipe(
      Effect.provide(KeyframeConfig.layer),
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ PORT: "7001" })))
    )
    expect(await Effect.runPromise(program)).toBe(7001)
  })
})

describe("validation names the bad setting", () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ QUOTA_RESET_DAY: "9" }, "QUOTA_RESET_DAY: expected an integer between 0 and 6, got 9"],
    [{ QUOTA_RESET_HOUR: "24" }, "QUOTA_RESET_HOUR: expected an integer between 0 and 23, got 24"],
    [{ PORT: "http" }, "PORT: expected an integer between 0 and 65535, got http"],
    [{ WEEKLY_UPLOAD_LIMIT_BYTES: "4GiB" }, "WEEKLY_UPLOAD_LIMIT_BYTES: expected an integer >= 1, got 4GiB"],
    [{ JOB_MAX_ATTEMPTS: "0" }, "JOB_MAX_ATTEMPTS: expected an integer >= 1, got 0"],
    [{ SPONSOR_MAX_PARTICIPANTS: "-2" }, "SPONSOR_MAX_PARTICIPANTS: expected an integer >= -1, got -2"],
    [{ CHUNK_SIZE_MB: "1.5" }, "CHUNK_SIZE_MB: expected an integer between 5 and 5120, got 1.5"],
    [{ CHUNK_SIZE_MB: "4" }, "CHUNK_SIZE_MB: expected an integer between 5 and 5120, got 4"],
    [{ S3_FORCE_PATH_STYLE: "maybe" }, "S3_FORCE_PATH_STYLE: expected true or false, got maybe"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL: expected one of all, trace, debug, info, warn, error, fatal, none, got loud"],
    [{ ACCEPTED_VIDEO_FORMATS: ",," }, "ACCEPTED_VIDEO_FORMATS: expected a comma-separated list"],
    [{ EVENTSTORE_URL: "mysql://db/kf" }, "EVENTSTORE_URL: expected a URL starting with kurrentdb://"],
    [{ REDIS_URL: "localhost:6379" }, "REDIS_URL: expected a URL starting with redis://, rediss://, got localhost:6379"],
    [{ S3_ACCESS_KEY_ID: "id" }, "S3_SECRET_ACCESS_KEY: must be set too when S3_ACCESS_KEY_ID is set"],
    [{ S3_ENDPOINT_URL: "http://minio:9000" }, "S3_BUCKET: must be set when S3_ENDPOINT_URL is set"],
    [{ PORT: "9000", WS_PORT: "9000" }, "WS_PORT: expected a port other than PORT (9000), got 9000"],
    [{ ROOM_PRESENCE_HEARTBEAT_MS: "10000" }, "ROOM_PRESENCE_TTL_MS: expected at least 2 × ROOM_PRESENCE_HEARTBEAT_MS (20000), got 15000"],
    [{ PLAYBACK_TOKEN_TTL_SECONDS: "0" }, "PLAYBACK_TOKEN_TTL_SECONDS: expected an integer between 1 and 86400, got 0"],
    // the entry is named, never its secret
    [{ PLAYBACK_SIGNING_KEYS: `k1:${"s".repeat(32)},k2:tooshort` }, "PLAYBACK_SIGNING_KEYS: entry 2 (kid k2): the secret must be at least 32 bytes"],
    [{ PLAYBACK_SIGNING_KEYS: "no-colon-here" }, "PLAYBACK_SIGNING_KEYS: entry 1: expected kid:secret"]
  ]
  for (const [env, message] of cases) {
    it(Object.keys(env).join(", "), () => {
      expect(error(env)).toContain(message)
      expect(error(env).startsWith(message.slice(0, message.indexOf(":")))).toBe(true)
    })
  }
})

describe("documentation stays true", () => {
  const root = join(import.meta.dirname, "..")
  it("every setting has a unique name and a meaning", () => {
    const names = settingsCatalog.map((s) => s.name)
    expect(new Set(names).size).toBe(names.length)
    for (const s of settingsCatalog) expect(s.doc.length).toBeGreaterThan(5)
  })
  it("README.md holds the generated settings table", () => {
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain(readmeTable())
  })
  it(".env.example lists every setting with its default", () => {
    const text = readFileSync(join(root, ".env.example"), "utf8")
    expect(text).toBe(envExample())
    for (const s of settingsCatalog) expect(text).toContain(`# ${s.name}=${s.defaultText ?? ""}\n`)
  })
})
