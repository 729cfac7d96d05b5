/** Contract cases: atomic appends, expected revisions, idempotent retries, concurrent writers. */
import assert from "node:assert/strict"
import { Effect, Result } from "effect"
import type { ExpectedRevision, NewEvent } from "../../../src/eventstore/EventStoreTypes.ts"
import {
  assertStrictlyIncreasing,
  type ContractCase,
  events,
  expectFailure,
  ids,
  newEvent,
  plain,
  readAllOf,
  run,
  uniqueStream,
  uniqueType
} from "./ContractSupport.ts"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const appendCases: ReadonlyArray<ContractCase> = [
  {
    name: "append: several events are written atomically with consecutive revisions and increasing positions",
    run: async (store) => {
      const stream = uniqueStream()
      const type = uniqueType()
      const batch = events(type, 3)
      const result = await run(store.append(stream, batch))
      assert.equal(result.events.length, 3)
      assert.deepEqual(result.events.map((e) => e.revision), [0, 1, 2])
      assert.deepEqual(ids(result.events), ids(batch))
      assert.ok(result.events.every((e) => e.stream === stream && e.type === type))
      assert.deepEqual(result.events.map((e) => e.data), [{ n: 0 }, { n: 1 }, { n: 2 }])
      assert.equal(result.nextRevision, 2)
      assert.equal(result.position, result.events[2]!.position)
      assert.ok(result.events[0]!.position >= 1, "positions start at 1")
      assertStrictlyIncreasing(result.events.map((e) => e.position), "positions within one append")
      const stored = await readAllOf(store, stream)
      assert.deepEqual(plain(stored), plain(result.events), "what append returns is what is stored")
      const next = await run(store.append(stream, events(type, 2, 3)))
      assert.deepEqual(next.events.map((e) => e.revision), [3, 4])
      assert.ok(next.events[0]!.position > result.position, "a later append gets higher positions")
    }
  },
  {
    name: "append: ids are generated when absent, and given ids are kept",
    run: async (store) => {
      const stream = uniqueStream()
      const given = crypto.randomUUID()
      const result = await run(
        store.append(stream, [{ type: "Created", data: { a: 1 } }, { id: given, type: "Created", data: { a: 2 } }])
      )
      assert.match(result.events[0]!.id, UUID)
      assert.equal(result.events[1]!.id, given.toLowerCase())
      assert.notEqual(result.events[0]!.id, result.events[1]!.id)
    }
  },
  {
    name: "append: expected revision any works on a new and on an existing stream",
    run: async (store) => {
      const stream = uniqueStream()
      const first = await run(store.append(stream, events("Noted", 1), { expectedRevision: "any" }))
      assert.equal(first.nextRevision, 0)
      const second = await run(store.append(stream, events("Noted", 2, 1), { expectedRevision: "any" }))
      assert.equal(second.nextRevision, 2)
      const third = await run(store.append(stream, events("Noted", 1, 3)))
      assert.equal(third.nextRevision, 3, "no expected revision means any")
    }
  },
  {
    name: "append: no_stream succeeds on a new stream and fails with the actual revision on an existing one",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Opened", 2), { expectedRevision: "no_stream" }))
      const error = await expectFailure(
        store.append(stream, events("Opened", 1), { expectedRevision: "no_stream" }),
        "WrongExpectedRevision"
      )
      assert.equal(error.stream, stream)
      assert.equal(error.expected, "no_stream")
      assert.equal(error.actual, 1)
      assert.equal((await readAllOf(store, stream)).length, 2, "a rejected append writes nothing")
    }
  },
  {
    name: "append: stream_exists fails on a missing stream (actual no_stream) and succeeds on an existing one",
    run: async (store) => {
      const stream = uniqueStream()
      const error = await expectFailure(
        store.append(stream, events("Opened", 1), { expectedRevision: "stream_exists" }),
        "WrongExpectedRevision"
      )
      assert.equal(error.expected, "stream_exists")
      assert.equal(error.actual, "no_stream")
      assert.deepEqual(await readAllOf(store, stream), [], "a rejected append writes nothing")
      await run(store.append(stream, events("Opened", 1)))
      const ok = await run(store.append(stream, events("Opened", 1, 1), { expectedRevision: "stream_exists" }))
      assert.equal(ok.nextRevision, 1)
    }
  },
  {
    name: "append: an exact revision succeeds at the head and fails elsewhere with the actual revision",
    run: async (store) => {
      const stream = uniqueStream()
      const missing = await expectFailure(
        store.append(stream, events("Moved", 1), { expectedRevision: 0 }),
        "WrongExpectedRevision",
        "exact revision on a missing stream"
      )
      assert.equal(missing.actual, "no_stream")
      assert.equal(missing.expected, 0)
      await run(store.append(stream, events("Moved", 2), { expectedRevision: "no_stream" }))
      const ok = await run(store.append(stream, events("Moved", 1, 2), { expectedRevision: 1 }))
      assert.equal(ok.nextRevision, 2)
      for (const expected of [0, 1, 3, 10]) {
        const error = await expectFailure(
          store.append(stream, events("Moved", 1, 9), { expectedRevision: expected }),
          "WrongExpectedRevision",
          `expected ${expected} at head 2`
        )
        assert.equal(error.expected, expected)
        assert.equal(error.actual, 2)
      }
      assert.equal((await readAllOf(store, stream)).length, 3, "rejected appends write nothing")
    }
  },
  {
    name: "append: a retried append (same ids) returns the original result and writes nothing",
    run: async (store) => {
      const stream = uniqueStream()
      const first: ReadonlyArray<NewEvent> = events("Paid", 2)
      const second: ReadonlyArray<NewEvent> = events("Paid", 1, 2)
      const original = await run(store.append(stream, first, { expectedRevision: "no_stream" }))
      const originalSecond = await run(store.append(stream, second, { expectedRevision: 1 }))
      const retries: Array<[ReadonlyArray<NewEvent>, ExpectedRevision | undefined, typeof original]> = [
        [first, "no_stream", original],
        [first, "any", original],
        [first, undefined, original],
        [first.map((e) => ({ ...e, id: e.id!.toUpperCase() })), "any", original],
        [second, 1, originalSecond],
        [second, "stream_exists", originalSecond]
      ]
      for (const [batch, expectedRevision, expected] of retries) {
        const again = await run(
          store.append(stream, batch, expectedRevision === undefined ? undefined : { expectedRevision })
        )
        assert.deepEqual(plain(again), plain(expected), `retry with ${String(expectedRevision)} returns the original result`)
      }
      const stored = await readAllOf(store, stream)
      assert.equal(stored.length, 3, "retries write nothing")
      assert.deepEqual(ids(stored), [...ids(first), ...ids(second)])
    }
  },
  {
    name: "append: a batch mixing written and new ids fails with DuplicateEventId and writes nothing",
    run: async (store) => {
      const stream = uniqueStream()
      const written = events("Shipped", 2)
      await run(store.append(stream, written))
      const fresh = newEvent("Shipped", { n: 9 })
      for (const [batch, expectedRevision] of [
        [[written[1]!, fresh], "any"],
        [[fresh, written[0]!], 1]
      ] as const) {
        const error = await expectFailure(
          store.append(stream, batch, { expectedRevision }),
          "DuplicateEventId",
          `batch ${batch.map((e) => e.id).join(",")}`
        )
        assert.equal(error.stream, stream)
        assert.ok(
          written.some((e) => e.id === error.eventId.toLowerCase()),
          `eventId names the already-written id, got ${error.eventId}`
        )
      }
      const stored = await readAllOf(store, stream)
      assert.deepEqual(ids(stored), ids(written), "nothing new was written")
    }
  },
  {
    name: "append: concurrent appends at the same exact revision — exactly one wins per revision",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Bid", 1), { expectedRevision: "no_stream" }))
      for (let revision = 0; revision < 4; revision++) {
        const contenders = Array.from({ length: 4 }, (_, i) => newEvent("Bid", { revision, i }))
        const results = await Promise.all(
          contenders.map((e) =>
            run(Effect.result(store.append(stream, [e], { expectedRevision: revision })))
          )
        )
        const wins = results.filter(Result.isSuccess)
        assert.equal(wins.length, 1, `exactly one append wins at revision ${revision}`)
        assert.equal(wins[0]!.success.nextRevision, revision + 1)
        for (const r of results.filter(Result.isFailure)) {
          assert.equal(r.failure._tag, "WrongExpectedRevision", `losers fail typed, got ${r.failure._tag}`)
          if (r.failure._tag === "WrongExpectedRevision") assert.equal(r.failure.actual, revision + 1)
        }
      }
      const stored = await readAllOf(store, stream)
      assert.deepEqual(stored.map((e) => e.revision), [0, 1, 2, 3, 4])
    }
  },
  {
    name: "append: concurrent appends with any all succeed, each at its own revision",
    run: async (store) => {
      const stream = uniqueStream()
      const batches = Array.from({ length: 8 }, (_, i) => events("Tick", i % 2 === 0 ? 1 : 2, i * 10))
      const results = await Promise.all(batches.map((b) => run(store.append(stream, b, { expectedRevision: "any" }))))
      const revisions = results.flatMap((r) => r.events.map((e) => e.revision)).sort((a, b) => a - b)
      assert.deepEqual(revisions, Array.from({ length: 12 }, (_, i) => i))
      for (const r of results) {
        const rs = r.events.map((e) => e.revision)
        assert.deepEqual(rs, rs.map((_, i) => rs[0]! + i), "one append's events stay together")
      }
      const stored = await readAllOf(store, stream)
      assert.equal(stored.length, 12)
      assertStrictlyIncreasing(stored.map((e) => e.position), "positions along the stream")
    }
  },
  {
    name: "append: data round-trips as JSON (nesting, unicode, numbers; undefined properties dropped)",
    run: async (store) => {
      const stream = uniqueStream()
      const values: ReadonlyArray<unknown> = [
        { nested: { list: [1, "two", null, true, { deep: [] }], empty: {} }, unicode: "héllo ✓ 🎬 \u2028 \"q\" \\ /" },
        [1, 2.5, -3, 0, 1e21, 9007199254740991],
        [],
        { kept: 1, dropped: undefined, nothing: null }
      ]
      const result = await run(store.append(stream, values.map((data) => newEvent("Stored", data))))
      const expected = [...values.slice(0, -1), { kept: 1, nothing: null }]
      assert.deepEqual(result.events.map((e) => e.data), expected)
      assert.deepEqual((await readAllOf(store, stream)).map((e) => e.data), expected)
    }
  },
  {
    name: "append: top-level string data (even JSON-looking strings) round-trips as strings",
    run: async (store) => {
      const stream = uniqueStream()
      const values: ReadonlyArray<string> = ["just a string", "42", "{\"a\":1}", "null", ""]
      const result = await run(store.append(stream, values.map((data) => newEvent("Said", data))))
      assert.deepEqual(result.events.map((e) => e.data), values)
      assert.deepEqual((await readAllOf(store, stream)).map((e) => e.data), values)
    }
  },
  {
    name: "append: top-level numbers, booleans and null (valid JSON, accepted by validation) round-trip",
    run: async (store) => {
      const stream = uniqueStream()
      const values: ReadonlyArray<unknown> = [42, -1.5, true, false, null]
      const result = await run(store.append(stream, values.map((data) => newEvent("Scalar", data))))
      assert.deepEqual(result.events.map((e) => e.data), values)
      assert.deepEqual((await readAllOf(store, stream)).map((e) => e.data), values)
    }
  },
  {
    name: "append: a large (300 KB) event is stored intact",
    run: async (store) => {
      const stream = uniqueStream()
      const big = { blob: "a".repeat(300_000), list: Array.from({ length: 1000 }, (_, i) => i) }
      await run(store.append(stream, [newEvent("Large", big)]))
      const [stored] = await readAllOf(store, stream)
      assert.deepEqual(stored?.data, big)
    }
  }
]
