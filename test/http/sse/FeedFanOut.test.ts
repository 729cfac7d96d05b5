/**
 * Load: 500 live feeds on 50 uploads share one store subscription per watched stream. The event
 * store is the real one (PGlite) on a driver that counts the stream reads subscriptions make, so
 * "one commit wakes each store read at most once per stream" is measured where the reads happen.
 */
import { PGlite } from "@electric-sql/pglite"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makePgliteDriver } from "../../../src/eventstore/embedded/PgliteDriver.ts"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import type { SqlDriver } from "../../../src/eventstore/sql/SqlDriver.ts"
import { makeSqlEventStore } from "../../../src/eventstore/sql/SqlEventStore.ts"
import { makeFeedHub } from "../../../src/feeds/FeedHub.ts"
import { auth, type Harness, startHarness } from "../queries/ReadSideHarness.ts"
import { connectSse, type SseConnection } from "../queries/SseClient.ts"

const UPLOADS = 50
const FEEDS_PER_UPLOAD = 10

/** Stream reads by stream name: the statement a catch-up subscription to one stream runs on each wake-up. */
const streamReads = new Map<string, number>()
const STREAM_READ = /WHERE stream = \$1 AND revision >= \$2/

const counting = (driver: SqlDriver): SqlDriver => ({
  ...driver,
  query: (text, params) => {
    if (STREAM_READ.test(text)) streamReads.set(String(params?.[0]), (streamReads.get(String(params?.[0])) ?? 0) + 1)
    return driver.query(text, params)
  }
})

// a long safety-net poll: every read in the measured window is a wake-up by the commit
const countingStore = Layer.effect(
  EventStore,
  Effect.gen(function*() {
    const db = yield* Effect.acquireRelease(Effect.promise(() => PGlite.create()), (db) => Effect.promise(() => db.close()))
    return EventStore.of(yield* makeSqlEventStore(counting(makePgliteDriver(db)), { schema: "keyframe", pollInterval: "60 seconds" }))
  })
)

const owner = (i: number) => `fan-owner-${i}`
const upload = (i: number) => `fan-${i}`

const hub = makeFeedHub()
let h: Harness
const feeds: Array<Array<SseConnection>> = []
beforeAll(async () => {
  h = await startHarness({
    eventStore: countingStore,
    sseHeartbeatMillis: 60_000,
    feeds: { maxPerUser: 1_000, maxPerIp: 1_000, hub }
  })
  for (let i = 0; i < UPLOADS; i++) await h.createUpload(owner(i), upload(i), 1000)
  for (let i = 0; i < UPLOADS; i++) {
    const headers = await auth(owner(i))
    const group = await Promise.all(Array.from({ length: FEEDS_PER_UPLOAD }, () => connectSse(`${h.origin}/uploads/${upload(i)}/events`, headers)))
    for (const f of group) expect((await f.next())!.event).toBe("snapshot")
    feeds.push(group)
  }
}, 120_000)
afterAll(async () => {
  for (const group of feeds) for (const f of group) f.close()
  await h?.stop()
})

const until = async (condition: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
}

const snapshotOfReads = () => new Map(streamReads)

describe(`${UPLOADS * FEEDS_PER_UPLOAD} feeds on ${UPLOADS} uploads`, () => {
  it("one commit wakes each stream's store read at most once, and reaches every feed of its upload", async () => {
    await new Promise((r) => setTimeout(r, 300)) // the subscriptions' first reads are done
    expect(hub.stats()).toMatchObject({ subscriptionsOpened: UPLOADS, streamsWatched: UPLOADS, feeds: UPLOADS * FEEDS_PER_UPLOAD })
    const before = snapshotOfReads()
    const eventsBefore = hub.stats().eventsRead
    await h.appendBytes(owner(7), upload(7), 0, 100)
    const got = await Promise.all(feeds[7]!.map((f) => f.next(10_000)))
    for (const m of got) expect(m).toMatchObject({ event: "state", data: { type: "BytesReceived", upload: { offset: 100 } } })
    await new Promise((r) => setTimeout(r, 300)) // every woken subscription has read
    const perStream = [...Array(UPLOADS).keys()].map((i) => (streamReads.get(`upload-${upload(i)}`) ?? 0) - (before.get(`upload-${upload(i)}`) ?? 0))
    expect(Math.max(...perStream)).toBeLessThanOrEqual(1)
    expect(perStream[7]).toBe(1)
    // read from the store once, handed to ten feeds
    expect(hub.stats().eventsRead - eventsBefore).toBe(1)
  }, 60_000)

  it("a stream's subscription closes with its last feed and opens again with the next", async () => {
    for (const f of feeds[3]!) f.close()
    await until(() => hub.stats().streamsWatched === UPLOADS - 1)
    expect(hub.stats()).toMatchObject({ streamsWatched: UPLOADS - 1, feeds: (UPLOADS - 1) * FEEDS_PER_UPLOAD })
    const back = await connectSse(`${h.origin}/uploads/${upload(3)}/events`, await auth(owner(3)))
    expect((await back.next())!.event).toBe("snapshot")
    feeds[3] = [back]
    await until(() => hub.stats().streamsWatched === UPLOADS) // the feed attaches once its snapshot is out
    expect(hub.stats()).toMatchObject({ subscriptionsOpened: UPLOADS + 1, streamsWatched: UPLOADS })
    await h.appendBytes(owner(3), upload(3), 0, 50)
    expect(await back.next()).toMatchObject({ event: "state", data: { upload: { offset: 50 } } })
  }, 30_000)
})
