/**
 * The auditor's tools on a PostgreSQL event store filled through the actors, with the read models
 * in Redis: the audit endpoints (roles, stream pages with metadata, an aggregate at a revision or an
 * instant, hash-chain verification that finds a row tampered with in PostgreSQL, a streamed NDJSON
 * export) and the replay CLI as a child process (diff against the live read models, verify, export,
 * and the same on an embedded store under DATA_DIR).
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Redis } from "ioredis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { allProjections } from "../../../projections/index.ts"
import { VideosProjection } from "../../../projections/VideosProjection.ts"
import { PgliteEventStore } from "../../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import { PostgresEventStore } from "../../../src/eventstore/postgres/PostgresEventStore.ts"
import { RedisReadStore } from "../../../src/readstore/redis/RedisReadStore.ts"
import { freshPostgresSchema, withAdminSql } from "../../support/postgres.ts"
import { testRedis } from "../../support/redis.ts"
import { makeHistory } from "../../projections/RealisticHistory.ts"
import { type Harness, startHarness, token } from "../queries/ReadSideHarness.ts"

const run = promisify(execFile)
const ROOT = join(import.meta.dirname, "../../..")

const pg = await freshPostgresSchema("kf_audit")
const redis = await testRedis("audit")
const keyPrefix = redis?.newPrefix("live") ?? "unused:"

/** Every readAll the app makes, to see the export page as the client reads. */
const reads = { count: 0 }
const countingStore = Layer.effect(
  EventStore,
  Effect.map(EventStore, (s) => EventStore.of({ ...s, readAll: (o) => Effect.suspend(() => (reads.count++, s.readAll(o))) }))
).pipe(Layer.provide(PostgresEventStore.layer({ url: pg.url, schema: pg.schema })))

let h: Harness
let total = 0
beforeAll(async () => {
  h = await startHarness({
    eventStore: countingStore,
    ...(redis ? { readStore: RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix }) } : {})
  })
  await h.readyUpload("alice", "up-1", 2_000)
  await h.readyUpload("bob", "up-2", 3_000)
  await h.createUpload("alice", "up-3", 800)
  await h.appendBytes("alice", "up-3", 0, 300)
  await h.openRoom("alice", "room-a", ["bob", "carol"])
  await h.startStream("bob", "live-b", 2)
  // a bulk of other events so the export spans many pages
  await h.send(Effect.gen(function*() {
    const store = yield* EventStore
    for (const a of makeHistory({ events: 1_200, idPrefix: "bulk", users: 10, concurrency: 20 })) {
      if (a.stream.startsWith("room-") || a.stream.startsWith("stream-")) yield* store.append(a.stream, a.events)
    }
  }))
  total = await h.send(Effect.map(EventStore.use((s) => s.readAll({})), (all) => all.length))
}, 120_000)
afterAll(async () => {
  await h?.stop()
  await pg.drop()
  await redis?.cleanup()
})

const json = async (res: Response) => (await res.json()) as any

describe("audit endpoints", () => {
  it("need the auditor or admin role (401 without a token, 403 for a user)", async () => {
    for (const path of ["/audit/streams/upload-up-1", "/audit/aggregates/upload/up-1", "/audit/verify", "/audit/verify/upload-up-1", "/audit/export"]) {
      expect((await fetch(`${h.origin}${path}`)).status, path).toBe(401)
      const res = await h.get(path, "alice")
      expect(res.status, path).toBe(403)
      expect((await json(res)).error.code).toBe("FORBIDDEN")
    }
    expect((await h.get("/audit/streams/upload-up-1", "ann", ["auditor"])).status).toBe(200)
    expect((await h.get("/audit/streams/upload-up-1", "root", ["admin"])).status).toBe(200)
  })

  it("GET /audit/streams/:stream pages through a stream's events with their metadata", async () => {
    const first = await json(await h.get("/audit/streams/upload-up-1?limit=4", "ann", ["auditor"]))
    expect(first.events.map((e: any) => e.revision)).toEqual([0, 1, 2, 3])
    expect(first.next).toBe(4)
    const e0 = first.events[0]
    expect(e0).toMatchObject({ stream: "upload-up-1", type: "UploadCreated", data: { ownerId: "alice" } })
    expect(e0.metadata).toMatchObject({ schemaVersion: 2, prevHash: "0".repeat(64) })
    expect(e0.metadata.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(first.events[1].metadata.prevHash).toBe(e0.metadata.hash)
    const rest = await json(await h.get(`/audit/streams/upload-up-1?from=${first.next}&limit=100`, "ann", ["auditor"]))
    expect(rest.events.at(-1).type).toBe("UploadReady")
    expect(rest.next).toBeNull()
    const back = await json(await h.get("/audit/streams/upload-up-1?direction=backwards&limit=1", "ann", ["auditor"]))
    expect(back.events[0].type).toBe("UploadReady")
    expect((await h.get("/audit/streams/not a stream", "ann", ["auditor"])).status).toBe(422)
    expect((await json(await h.get("/audit/streams/upload-none", "ann", ["auditor"]))).events).toEqual([])
  })

  it("GET /audit/aggregates/:type/:id rebuilds the state at a revision or an instant", async () => {
    const now = await json(await h.get("/audit/aggregates/upload/up-1", "ann", ["auditor"]))
    expect(now.state.status).toBe("Ready")
    expect(now.revision).toBe(now.latest.revision)
    const created = await json(await h.get("/audit/aggregates/upload/up-1?at=0", "ann", ["auditor"]))
    expect(created).toMatchObject({ revision: 0, eventsApplied: 1, state: { status: "Created", ownerId: "alice", declaredSize: 2000 } })
    const page = await json(await h.get("/audit/streams/upload-up-1?limit=100", "ann", ["auditor"]))
    const received = page.events.find((e: any) => e.type === "UploadReceived")
    const byTime = await json(await h.get(`/audit/aggregates/upload/up-1?at=${encodeURIComponent(received.recordedAt)}`, "ann", ["auditor"]))
    expect(byTime.revision).toBeGreaterThanOrEqual(received.revision)
    expect(["Received", "Processing"]).toContain(byTime.state.status)
    const before = await json(await h.get("/audit/aggregates/upload/up-1?at=2000-01-01T00:00:00Z", "ann", ["auditor"]))
    expect(before).toMatchObject({ revision: -1, eventsApplied: 0, state: { status: "Initial" } })
    const quota = await json(await h.get("/audit/aggregates/quota/alice", "ann", ["auditor"]))
    expect(quota.state).toMatchObject({ status: "Tracked", userId: "alice" })
    expect((await h.get("/audit/aggregates/upload/nope", "ann", ["auditor"])).status).toBe(404)
    expect((await h.get("/audit/aggregates/widget/x", "ann", ["auditor"])).status).toBe(422)
    expect((await h.get("/audit/aggregates/upload/up-1?at=yesterday", "ann", ["auditor"])).status).toBe(422)
  })

  it("GET /audit/export streams NDJSON page by page as the client reads (constant memory)", async () => {
    reads.count = 0
    const res = await h.get("/audit/export", "ann", ["auditor"])
    expect(res.headers.get("Content-Type")).toMatch(/application\/x-ndjson/)
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = decoder.decode((await reader.read()).value!, { stream: true })
    // after the first chunk only a page or two were read, of the many the export needs
    expect(reads.count).toBeLessThanOrEqual(3)
    for (;;) {
      const chunk = await reader.read()
      if (chunk.done) break
      text += decoder.decode(chunk.value, { stream: true })
    }
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l))
    expect(lines.length).toBe(total)
    expect(reads.count).toBeGreaterThanOrEqual(Math.ceil(total / 500))
    expect(lines.every((e, i) => i === 0 || e.position > lines[i - 1].position)).toBe(true)
    const from = lines.filter((e) => e.stream.startsWith("upload-"))[5].position
    const body = await (await h.get(`/audit/export?from=${from}&category=upload`, "ann", ["auditor"])).text()
    const tail = body.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
    expect(tail.length).toBeGreaterThan(10)
    expect(tail.every((e) => e.stream.startsWith("upload-") && e.position >= from)).toBe(true)
    expect(tail.length).toBe(lines.filter((e) => e.stream.startsWith("upload-") && e.position >= from).length)
  })
})

const cli = async (args: ReadonlyArray<string>, env: Record<string, string>) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, "scripts/replay.ts"), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      maxBuffer: 64 * 1024 * 1024
    })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" }
  }
}

describe("the replay CLI (a child process) and tamper evidence", () => {
  const env = () => ({ EVENTSTORE_URL: pg.url, ...(redis ? { REDIS_URL: redis.url } : {}) })
  const pgArgs = ["--schema", pg.schema, "--key-prefix", keyPrefix]

  it("diff: the live read models in Redis equal a fresh replay; a corrupted document is reported", async () => {
    if (!redis) return console.warn("SKIPPED the Redis diff: Redis is not reachable")
    const equal = await cli(["diff", ...pgArgs, "--json"], env())
    expect(equal.code, equal.stderr).toBe(0)
    const report = JSON.parse(equal.stdout)
    expect(report.equal).toBe(true)
    expect(report.reports.map((r: any) => r.projection)).toEqual(["videos", "uploads", "quotas", "rooms", "streams", "engagement", "storage"])
    expect(report.reports.find((r: any) => r.projection === "videos").models[0].live).toBeGreaterThanOrEqual(3)

    const client = new Redis(redis.url)
    try {
      const key = `${keyPrefix}kf:videos:v${VideosProjection.version}:video:docs`
      const doc = JSON.parse((await client.hget(key, "up-1"))!)
      await client.hset(key, "up-1", JSON.stringify({ ...doc, title: "edited behind the log's back" }))
      const different = await cli(["diff", ...pgArgs, "--projection", "videos"], env())
      expect(different.code).toBe(1)
      expect(different.stdout).toMatch(/DIFFERENT videos/)
      expect(different.stdout).toMatch(/different: up-1/)
      await client.hset(key, "up-1", JSON.stringify(doc))
    } finally {
      client.disconnect()
    }
  }, 60_000)

  it("rebuild: starts a rebuild through a running server's admin endpoint and follows it to the swap", async () => {
    const r = await cli(["rebuild", "rooms", "--url", h.origin, "--token", await token("root", ["admin"])], {})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/rooms: done 100\.0%/)
    const refused = await cli(["rebuild", "rooms", "--url", h.origin, "--token", await token("alice")], {})
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/403/)
  }, 60_000)

  it("export: every event as NDJSON to a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kf-export-"))
    try {
      const out = join(dir, "events.ndjson")
      const r = await cli(["export", ...pgArgs, "--out", out], env())
      expect(r.code, r.stderr).toBe(0)
      expect(readFileSync(out, "utf8").trimEnd().split("\n").length).toBe(total)
      const rooms = await cli(["export", ...pgArgs, "--category", "room", "--from", "1"], env())
      expect(rooms.stdout.trimEnd().split("\n").every((l) => JSON.parse(l).stream.startsWith("room-"))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it("verify: intact chains pass; a row's data changed in PostgreSQL is the first broken link, over HTTP and in the CLI", async () => {
    const ok = await json(await h.get("/audit/verify", "ann", ["auditor"]))
    expect(ok).toMatchObject({ ok: true, checked: total })
    expect(ok.streams).toBeGreaterThan(10)
    expect((await json(await h.get("/audit/verify/upload-up-2", "ann", ["auditor"]))).ok).toBe(true)
    expect((await cli(["verify", ...pgArgs], env())).code).toBe(0)
    expect((await h.get("/audit/verify/upload-nope", "ann", ["auditor"])).status).toBe(404)

    // Tamper with two stored events (a later one first): the report names the earlier one.
    const [later, earlier] = await withAdminSql(async (sql) => {
      const rows = await sql.unsafe(`SELECT position, revision FROM "${pg.schema}".events WHERE stream = 'upload-up-2' ORDER BY revision`)
      await sql.unsafe(`UPDATE "${pg.schema}".events SET data = jsonb_set(data, '{receivedBytes}', '1') WHERE stream = 'upload-up-2' AND revision = 2`)
      await sql.unsafe(`UPDATE "${pg.schema}".events SET data = jsonb_set(data, '{declaredSize}', '1') WHERE stream = 'upload-up-2' AND revision = 0`)
      return [rows[2]!, rows[0]!]
    })
    const broken = await json(await h.get("/audit/verify", "ann", ["auditor"]))
    expect(broken.ok).toBe(false)
    expect(broken.broken).toMatchObject({ stream: "upload-up-2", revision: 0, position: Number(earlier.position), reason: "hash_mismatch" })
    expect(broken.checked).toBeLessThan(total)
    const one = await json(await h.get("/audit/verify/upload-up-2", "ann", ["auditor"]))
    expect(one.broken).toMatchObject({ revision: 0, reason: "hash_mismatch" })
    expect(Number(later.position)).toBeGreaterThan(Number(earlier.position))
    const viaCli = await cli(["verify", ...pgArgs], env())
    expect(viaCli.code).toBe(1)
    expect(JSON.parse(viaCli.stdout).broken).toMatchObject({ stream: "upload-up-2", revision: 0, reason: "hash_mismatch" })
    const streamCli = await cli(["verify", ...pgArgs, "--stream", "upload-up-1"], env())
    expect(streamCli.code).toBe(0)
  }, 60_000)

  it("works on the embedded store under DATA_DIR too: diff (runner against replay), verify", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "kf-replay-"))
    try {
      const embedded = ManagedRuntime.make(PgliteEventStore.layer({ dataDir: join(dataDir, "eventstore") }))
      await embedded.runPromise(Effect.gen(function*() {
        const store = yield* EventStore
        for (const a of makeHistory({ events: 600, idPrefix: "e", videos: false })) yield* store.append(a.stream, a.events)
      }))
      await embedded.dispose()
      const diff = await cli(["diff"], { DATA_DIR: dataDir })
      expect(diff.code, diff.stderr).toBe(0)
      expect(diff.stdout.match(/^EQUAL/gm)?.length).toBe(allProjections.length)
      expect(diff.stdout).toMatch(/no REDIS_URL/)
      const verify = await cli(["verify"], { DATA_DIR: dataDir })
      expect(verify.code, verify.stderr).toBe(0)
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: 600 })
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 90_000)
})
