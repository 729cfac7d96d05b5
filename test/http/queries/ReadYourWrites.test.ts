/**
 * The read-your-writes guarantee (README "Read your writes"), over HTTP with real commands:
 * - same node: a GET issued right after a command's answer sees the command's effect, with no
 *   header and no event-store read per query, even while the read models lag on purpose;
 * - two nodes on one PostgreSQL and one Redis: a GET on the other node with the command's
 *   `Keyframe-Position` as `Keyframe-Min-Position` sees it too.
 */
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PgliteEventStore } from "../../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import { PostgresEventStore } from "../../../src/eventstore/postgres/PostgresEventStore.ts"
import { RedisReadStore } from "../../../src/readstore/redis/RedisReadStore.ts"
import { freshPostgresSchema, type FreshPostgresSchema } from "../../support/postgres.ts"
import { type TestRedis, testRedis } from "../../support/redis.ts"
import { auth, commitDelay, type Harness, startHarness } from "./ReadSideHarness.ts"

/** Counts the event-store reads of one stream the queries could make (the old per-request head lookup). */
const reads = { streams: 0 }
const counted = (store: Layer.Layer<EventStore, unknown>) =>
  Layer.effect(
    EventStore,
    Effect.map(EventStore, (s) => EventStore.of({ ...s, readStream: (stream, options) => Effect.suspend(() => (reads.streams++, s.readStream(stream, options))) }))
  ).pipe(Layer.provide(store))

/** Creates an upload with tus (two commands: quota reservation, upload creation) and returns its id and position. */
const createUpload = async (origin: string, owner: string, filename: string) => {
  const res = await fetch(`${origin}/files`, {
    method: "POST",
    headers: {
      ...(await auth(owner)),
      "Tus-Resumable": "1.0.0",
      "Upload-Length": "1000",
      "Upload-Metadata": `filename ${btoa(filename)},filetype ${btoa("video/mp4")}`
    }
  })
  expect(res.status).toBe(201)
  const id = res.headers.get("Location")!.split("/").pop()!
  const position = Number(res.headers.get("Keyframe-Position"))
  expect(position).toBeGreaterThan(0)
  return { id, position }
}

const get = async (origin: string, path: string, sub: string, headers: Record<string, string> = {}) =>
  fetch(`${origin}${path}`, { headers: { ...(await auth(sub)), ...headers } })

describe("same node (embedded)", () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ eventStore: counted(PgliteEventStore.layer({})) })
  }, 60_000)
  afterAll(() => h?.stop())

  it("a GET right after the command's answer sees its effect while the read models lag, with no event-store read", async () => {
    commitDelay.millis = 300 // every read model commit now takes 300 ms
    try {
      const { id, position } = await createUpload(h.origin, "grace", "first.mp4")
      const before = reads.streams // after the command (its actors load their streams)
      const started = Date.now()
      const upload = await get(h.origin, `/uploads/${id}`, "grace")
      expect(upload.status).toBe(200)
      expect((await upload.json()).status).toBe("created")
      expect(Number(upload.headers.get("Keyframe-Position"))).toBeGreaterThanOrEqual(position)
      expect(Date.now() - started).toBeGreaterThan(50) // it did wait for the fold, not answer stale
      const video = await get(h.origin, `/videos/${id}`, "grace")
      expect(video.status).toBe(200)
      expect((await video.json()).status).toBe("uploading")
      // the wait used what this process appended: no stream head was read from the store per query
      expect(reads.streams).toBe(before)
    } finally {
      commitDelay.millis = 0
    }
  }, 30_000)

  it("queries of documents already folded neither wait nor read the event store", async () => {
    const { id } = await createUpload(h.origin, "heidi", "second.mp4")
    expect((await get(h.origin, `/uploads/${id}`, "heidi")).status).toBe(200)
    const before = reads.streams
    const started = Date.now()
    for (let i = 0; i < 50; i++) {
      expect((await get(h.origin, `/uploads/${id}`, "heidi")).status).toBe(200)
      expect((await get(h.origin, `/videos/${id}`, "heidi")).status).toBe(200)
    }
    expect(reads.streams).toBe(before)
    expect(Date.now() - started).toBeLessThan(10_000)
  }, 30_000)

  it("an ETag names a document version: 304 while unchanged, a new tag after the next command", async () => {
    const { id } = await createUpload(h.origin, "ivan", "third.mp4")
    const first = await get(h.origin, `/uploads/${id}`, "ivan")
    const etag = first.headers.get("ETag")!
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect((await get(h.origin, `/uploads/${id}`, "ivan", { "If-None-Match": etag })).status).toBe(304)
    const patch = await fetch(`${h.origin}/files/${id}`, {
      method: "PATCH",
      headers: { ...(await auth("ivan")), "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" },
      body: new Uint8Array(10)
    })
    expect(patch.status).toBe(204)
    const changed = await get(h.origin, `/uploads/${id}`, "ivan", { "If-None-Match": etag })
    expect(changed.status).toBe(200)
    expect((await changed.json()).offset).toBe(10)
    expect(changed.headers.get("ETag")).not.toBe(etag)
  }, 30_000)
})

describe("two nodes on PostgreSQL and Redis", () => {
  let pg: FreshPostgresSchema
  let redis: TestRedis | undefined
  let a: Harness | undefined
  let b: Harness | undefined
  beforeAll(async () => {
    pg = await freshPostgresSchema("kf_ryw")
    redis = await testRedis("read-your-writes")
    if (!redis) return
    const prefix = redis.newPrefix("nodes")
    const node = () =>
      startHarness({
        eventStore: PostgresEventStore.layer({ url: pg.url, schema: pg.schema }),
        readStore: RedisReadStore.layerFromUrl({ url: redis!.url, keyPrefix: prefix })
      })
    a = await node()
    b = await node()
  }, 90_000)
  afterAll(async () => {
    await a?.stop()
    await b?.stop()
    await redis?.cleanup()
    await pg?.drop()
  })

  it("a write on node A is seen on node B with Keyframe-Min-Position, and on A right away", async (ctx) => {
    if (!a || !b) return ctx.skip()
    commitDelay.millis = 300
    try {
      const { id, position } = await createUpload(a.origin, "judy", "shared.mp4")
      const onB = await get(b.origin, `/uploads/${id}`, "judy", { "Keyframe-Min-Position": String(position) })
      expect(onB.status).toBe(200)
      expect((await onB.json()).status).toBe("created")
      expect(Number(onB.headers.get("Keyframe-Position"))).toBeGreaterThanOrEqual(position)
      const videoOnB = await get(b.origin, `/videos/${id}?minPosition=${position}`, "judy")
      expect(videoOnB.status).toBe(200)
      const onA = await get(a.origin, `/uploads/${id}`, "judy")
      expect(onA.status).toBe(200)
      expect(Number(onA.headers.get("Keyframe-Position"))).toBeGreaterThanOrEqual(position)
    } finally {
      commitDelay.millis = 0
    }
  }, 60_000)
})
