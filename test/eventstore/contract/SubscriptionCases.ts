/** Contract cases: catch-up subscriptions to all and to one stream (history, then live; no gap, no duplicate). */
import assert from "node:assert/strict"
import { Effect, Stream } from "effect"
import type { EventStoreShape } from "../../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../../src/eventstore/EventStoreTypes.ts"
import {
  assertStrictlyIncreasing,
  collect,
  type ContractCase,
  events,
  ids,
  newEvent,
  plain,
  run,
  sleep,
  streamIn,
  uniqueCategory,
  uniqueStream,
  uniqueType
} from "./ContractSupport.ts"

/**
 * Keeps appending one event at a time (to `stream`) until stopped, so a live-only subscription
 * surely sees some of them whenever it really started. Returns the ids in write order.
 */
const trickle = (store: EventStoreShape, stream: string, type: string) => {
  const written: Array<string> = []
  let stopped = false
  const done = (async () => {
    for (let i = 0; i < 100 && !stopped; i++) {
      const [event] = (await run(store.append(stream, [newEvent(type, { live: i })]))).events
      written.push(event!.id)
      await sleep(100)
    }
  })()
  return {
    written,
    stop: async () => {
      stopped = true
      await done
    }
  }
}

const assertConsecutiveIn = (got: ReadonlyArray<string | undefined>, written: ReadonlyArray<string>, what: string) => {
  const start = written.indexOf(got[0] ?? "")
  assert.ok(start >= 0, `${what}: the first delivered event must be a live one, got ${got[0]}`)
  assert.deepEqual(got, written.slice(start, start + got.length), `${what}: live events in order, no gap`)
}

export const subscriptionCases: ReadonlyArray<ContractCase> = [
  {
    name: "subscribeToAll: history then live, in order, no gap, no duplicate",
    run: async (store) => {
      const category = uniqueCategory()
      const [a, b] = [streamIn(category), streamIn(category)]
      const history: Array<RecordedEvent> = []
      history.push(...(await run(store.append(a, events("Told", 2)))).events)
      history.push(...(await run(store.append(b, events("Told", 1, 2)))).events)
      const live: Array<RecordedEvent> = []
      const got = await collect(store.subscribeToAll({ filter: { streamPrefixes: [`${category}-`] } }), 6, {
        onEach: async (_, index) => {
          if (index === 2) {
            live.push(...(await run(store.append(b, events("Told", 2, 3)))).events)
            live.push(...(await run(store.append(a, events("Told", 1, 5)))).events)
          }
        }
      })
      assert.deepEqual(ids(got), ids([...history, ...live]))
      assert.deepEqual(plain(got), plain([...history, ...live]), "delivered events equal the recorded ones")
      assertStrictlyIncreasing(got.map((e) => e.position), "subscription positions")
    }
  },
  {
    name: "subscribeToAll: events committed by concurrent writers during catch-up are all delivered once, in order",
    run: async (store) => {
      const category = uniqueCategory()
      const streams = [streamIn(category), streamIn(category), streamIn(category)]
      await run(store.append(streams[0]!, events("Raced", 3)))
      const writers = Promise.all(
        streams.map(async (stream, w) => {
          for (let i = 0; i < 8; i++) await run(store.append(stream, events("Raced", 1 + (i % 2), 100 * w + 10 * i)))
        })
      )
      const expectedCount = 3 + 3 * 12
      const got = collect(store.subscribeToAll({ filter: { streamPrefixes: [`${category}-`] } }), expectedCount, {
        timeoutMs: 30_000
      })
      await writers
      const delivered = await got
      const stored = await run(store.readAll({ fromPosition: "start", filter: { streamPrefixes: [`${category}-`] } }))
      assert.equal(stored.length, expectedCount)
      assert.deepEqual(ids(delivered), ids(stored), "same events, same order as readAll")
      assertStrictlyIncreasing(delivered.map((e) => e.position), "subscription positions")
    }
  },
  {
    name: "subscribeToAll: resumes strictly after a position",
    run: async (store) => {
      const category = uniqueCategory()
      const stream = streamIn(category)
      const written = (await run(store.append(stream, events("Resumed", 5)))).events
      const filter = { streamPrefixes: [`${category}-`] }
      const got = await collect(store.subscribeToAll({ after: written[1]!.position, filter }), 3)
      assert.deepEqual(ids(got), ids(written.slice(2)))
      const last = written[4]!
      const unfiltered = await run(
        store.subscribeToAll({ after: written[2]!.position }).pipe(
          Stream.takeUntil((e) => e.id === last.id),
          Stream.runCollect,
          Effect.timeout("15 seconds")
        )
      )
      assert.ok(unfiltered.every((e) => e.position > written[2]!.position), "nothing at or before the position")
      assert.deepEqual(ids(unfiltered.filter((e) => e.stream === stream)), ids(written.slice(3)))
    }
  },
  {
    name: "subscribeToAll: after 'end' delivers only events written after it started",
    run: async (store) => {
      const category = uniqueCategory()
      const stream = streamIn(category)
      await run(store.append(stream, events("Before", 3)))
      const type = uniqueType("Live")
      const writer = trickle(store, stream, type)
      try {
        const got = await collect(store.subscribeToAll({ after: "end", filter: { streamPrefixes: [`${category}-`] } }), 3)
        // A subscriber may see an event before its writer's append returns: let `written` catch up.
        await writer.stop()
        assert.ok(got.every((e) => e.type === type), "no history is replayed")
        assertConsecutiveIn(ids(got), writer.written, "subscribeToAll end")
      } finally {
        await writer.stop()
      }
    }
  },
  {
    name: "subscribeToAll: filters by stream prefix and exact event types apply",
    run: async (store) => {
      const catA = uniqueCategory()
      const catB = uniqueCategory()
      const x = uniqueType("Kept")
      const y = uniqueType("Skipped")
      const plan: ReadonlyArray<[string, string]> = [
        [streamIn(catA), x],
        [streamIn(catA), y],
        [streamIn(catB), x],
        [streamIn(catA), `${x}Longer`],
        [streamIn(catA), x],
        [streamIn(catB), y]
      ]
      // a position the store handed out (an adapter may only accept those), just before ours
      const after = await run(store.headPosition)
      const written: Array<RecordedEvent> = []
      for (const [stream, type] of plan) written.push(...(await run(store.append(stream, [newEvent(type)]))).events)
      const pick = (keep: (e: RecordedEvent) => boolean) => ids(written.filter(keep))
      const inA = (e: RecordedEvent) => e.stream.startsWith(`${catA}-`)
      const both = await collect(store.subscribeToAll({ after, filter: { streamPrefixes: [`${catA}-`], eventTypes: [x] } }), 2)
      assert.deepEqual(ids(both), pick((e) => inA(e) && e.type === x))
      const types = await collect(store.subscribeToAll({ after, filter: { eventTypes: [x, y] } }), 5)
      assert.deepEqual(ids(types), pick((e) => e.type === x || e.type === y))
      const prefixes = await collect(store.subscribeToAll({ after, filter: { streamPrefixes: [`${catB}-`, `${catA}-`] } }), 6)
      assert.deepEqual(ids(prefixes), ids(written))
    }
  },
  {
    name: "subscribeToStream: history then live, in revision order, only that stream",
    run: async (store) => {
      const category = uniqueCategory()
      const stream = streamIn(category)
      const other = streamIn(category)
      const history = (await run(store.append(stream, events("Said", 3)))).events
      const live: Array<RecordedEvent> = []
      const got = await collect(store.subscribeToStream(stream), 5, {
        onEach: async (_, index) => {
          if (index === 2) {
            await run(store.append(other, events("Said", 2)))
            live.push(...(await run(store.append(stream, events("Said", 1, 3)))).events)
            await run(store.append(other, events("Said", 1)))
            live.push(...(await run(store.append(stream, events("Said", 1, 4)))).events)
          }
        }
      })
      assert.deepEqual(got.map((e) => e.revision), [0, 1, 2, 3, 4])
      assert.deepEqual(plain(got), plain([...history, ...live]))
    }
  },
  {
    name: "subscribeToStream: resumes strictly after a revision",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Resumed", 4)))
      const got = await collect(store.subscribeToStream(stream, { after: 1 }), 2)
      assert.deepEqual(got.map((e) => e.revision), [2, 3])
      const fromStart = await collect(store.subscribeToStream(stream, { after: "start" }), 1)
      assert.equal(fromStart[0]?.revision, 0)
    }
  },
  {
    name: "subscribeToStream: after 'end' delivers only events written after it started",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Before", 2)))
      const type = uniqueType("Live")
      const writer = trickle(store, stream, type)
      try {
        const got = await collect(store.subscribeToStream(stream, { after: "end" }), 3)
        await writer.stop()
        assert.ok(got.every((e) => e.type === type), "no history is replayed")
        assertConsecutiveIn(ids(got), writer.written, "subscribeToStream end")
        assert.deepEqual(got.map((e) => e.revision), got.map((_, i) => got[0]!.revision + i))
      } finally {
        await writer.stop()
      }
    }
  },
  {
    name: "subscribeToStream: a stream that does not exist yet delivers its first events once written",
    run: async (store) => {
      const stream = uniqueStream()
      const pending = collect(store.subscribeToStream(stream), 2)
      await sleep(200)
      const written = (await run(store.append(stream, events("Born", 2)))).events
      assert.deepEqual(plain(await pending), plain(written))
    }
  }
]
