/**
 * The hub's contract, on the real embedded event store: a feed that joins at any moment while
 * events are being committed gets every event after its revision once, in order (the same as its
 * own catch-up subscription would), feeds share one subscription, and a feed that does not keep
 * up is ended with FeedLagging instead of holding events without bound.
 */
import { Effect, Fiber, ManagedRuntime, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { makeFeedHub } from "../../src/feeds/FeedHub.ts"

let runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown>
beforeAll(async () => {
  runtime = ManagedRuntime.make(PgliteEventStore.layer({}))
  await runtime.runPromise(EventStore.use((s) => s.ping))
}, 60_000)
afterAll(() => runtime?.dispose())

const append = (stream: string, n: number) =>
  EventStore.use((s) => s.append(stream, [{ id: crypto.randomUUID(), type: "Ticked", data: { n } }]))

describe("FeedHub", () => {
  it("feeds joining while events commit each get every later event once, in order, from one shared subscription", async () => {
    const hub = makeFeedHub()
    const stream = "hub-race"
    const total = 120
    const revisions = await runtime.runPromise(Effect.gen(function*() {
      const writer = yield* Effect.forkChild(Effect.forEach(Array.from({ length: total }, (_, n) => n), (n) =>
        Effect.andThen(append(stream, n), n % 10 === 0 ? Effect.sleep("5 millis") : Effect.void), { discard: true }))
      // 15 feeds, joining one after the other as the writer goes: each reads its history, then watches after it
      const feeds = yield* Effect.forEach(Array.from({ length: 15 }, (_, i) => i), (i) =>
        Effect.gen(function*() {
          yield* Effect.sleep(`${i * 4} millis`)
          const history = yield* EventStore.use((s) => s.readStream(stream))
          const after = history.length === 0 ? -1 : history[history.length - 1]!.revision
          yield* Effect.sleep("10 millis") // as a feed does: its snapshot goes out before it attaches
          const live = yield* hub.watch(stream, after).pipe(Stream.takeUntil((e) => e.revision === total - 1), Stream.runCollect)
          return [...history, ...live].map((e) => e.revision)
        }), { concurrency: "unbounded" })
      yield* Fiber.join(writer)
      return feeds
    }))
    const all = Array.from({ length: total }, (_, n) => n)
    for (const seen of revisions) expect(seen).toEqual(all)
    // the subscription lives while a feed watches; every feed has left now
    expect(hub.stats()).toMatchObject({ streamsWatched: 0, feeds: 0 })
    expect(hub.stats().subscriptionsOpened).toBeLessThan(15)
  }, 30_000)

  it("a feed that falls more than maxBacklog events behind fails with FeedLagging; the others go on", async () => {
    const hub = makeFeedHub({ maxBacklog: 5 })
    const stream = "hub-lag"
    await runtime.runPromise(append(stream, 0))
    const [slow, fast] = await runtime.runPromise(Effect.gen(function*() {
      const slow = yield* Effect.forkChild(hub.watch(stream, 0).pipe(Stream.runForEach(() => Effect.sleep("200 millis")), Effect.flip))
      const fast = yield* Effect.forkChild(hub.watch(stream, 0).pipe(Stream.takeUntil((e) => e.revision === 40), Stream.runCollect))
      yield* Effect.sleep("50 millis") // both attached
      for (let n = 1; n <= 40; n++) yield* append(stream, n)
      return [yield* Fiber.join(slow), yield* Fiber.join(fast)] as const
    }))
    expect(slow).toMatchObject({ _tag: "FeedLagging", backlog: 5 })
    expect(fast.map((e) => e.revision)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
  }, 30_000)
})
