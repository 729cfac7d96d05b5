/**
 * A live feed whose store subscription fails ends with `event: error` FEED_FAILED: the frame carries
 * a generic message and the request id, never the store's own text (hosts, URLs, paths), which goes
 * to the log (README "Security"). Real HTTP, real embedded store below a wrapper that breaks the
 * subscription on demand.
 */
import { Effect, Layer, Schedule, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import { EventStoreUnavailable } from "../../../src/eventstore/EventStoreError.ts"
import { PgliteEventStore } from "../../../src/eventstore/embedded/PgliteEventStore.ts"
import { auth, type Harness, startHarness } from "../queries/ReadSideHarness.ts"
import { connectSse } from "../queries/SseClient.ts"

const DETAIL = "connect ECONNREFUSED 127.0.0.1:5432 postgres://root@db.internal/keyframe"
const broken = { now: false }

/** Subscriptions to streams fail with DETAIL once `broken.now` is set. */
const breakableStore = Layer.effect(
  EventStore,
  Effect.map(EventStore, (store) =>
    EventStore.of({
      ...store,
      subscribeToStream: (stream, options) =>
        Stream.merge(
          store.subscribeToStream(stream, options),
          Stream.fromEffectSchedule(Effect.sync(() => broken.now), Schedule.spaced("50 millis")).pipe(
            Stream.filter((b) => b),
            Stream.mapEffect(() => Effect.fail(new EventStoreUnavailable({ reason: DETAIL })))
          )
        )
    })
  )
).pipe(Layer.provide(PgliteEventStore.layer({})))

describe("a live feed whose subscription fails", () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ eventStore: breakableStore, sseHeartbeatMillis: 200 })
    await h.createUpload("alice", "fail-a", 1000)
  }, 60_000)
  afterAll(() => h?.stop())

  it("ends with FEED_FAILED naming the request id, not the store's text", async () => {
    const feed = await connectSse(`${h.origin}/uploads/fail-a/events`, await auth("alice"))
    expect(feed.status).toBe(200)
    expect((await feed.next())!.event).toBe("snapshot")
    broken.now = true
    const seen = await feed.until((e) => e.event === "error", 5_000)
    const error = seen[seen.length - 1]!
    expect(error.event).toBe("error")
    expect(error.data.code).toBe("FEED_FAILED")
    expect(error.data.message).toMatch(/request id [^)]+\)$/)
    expect(JSON.stringify(error.data)).not.toContain("127.0.0.1")
    expect(JSON.stringify(error.data)).not.toContain("postgres://")
    feed.close()
  })
})
