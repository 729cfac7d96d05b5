/** Contract cases: reading one stream and reading all, with directions, cursors, limits and filters. */
import assert from "node:assert/strict"
import type { EventStoreShape } from "../../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../../src/eventstore/EventStoreTypes.ts"
import {
  type ContractCase,
  events,
  ids,
  newEvent,
  plain,
  run,
  streamIn,
  uniqueCategory,
  uniqueStream,
  uniqueType
} from "./ContractSupport.ts"

const revisions = (list: ReadonlyArray<RecordedEvent>) => list.map((e) => e.revision)

/** Six events over two streams of a fresh category, written one append after the other. */
const sixEvents = async (store: EventStoreShape) => {
  const category = uniqueCategory()
  const a = streamIn(category)
  const b = streamIn(category)
  const type = uniqueType()
  const written: Array<RecordedEvent> = []
  for (const [stream, count] of [[a, 2], [b, 1], [a, 1], [b, 2]] as const) {
    written.push(...(await run(store.append(stream, events(type, count, written.length)))).events)
  }
  return { category, a, b, type, written, prefix: [`${category}-`] }
}

export const readCases: ReadonlyArray<ContractCase> = [
  {
    name: "readStream: forwards from a revision, with maxCount",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Counted", 10)))
      assert.deepEqual(revisions(await run(store.readStream(stream))), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      assert.deepEqual(revisions(await run(store.readStream(stream, { fromRevision: "start", maxCount: 2 }))), [0, 1])
      assert.deepEqual(revisions(await run(store.readStream(stream, { fromRevision: 3, maxCount: 4 }))), [3, 4, 5, 6])
      assert.deepEqual(revisions(await run(store.readStream(stream, { direction: "forwards", fromRevision: 8 }))), [8, 9])
      assert.deepEqual(await run(store.readStream(stream, { fromRevision: 10 })), [], "past the head reads nothing")
      assert.deepEqual((await run(store.readStream(stream, { maxCount: 1 })))[0]?.data, { n: 0 })
    }
  },
  {
    name: "readStream: backwards from a revision, with maxCount",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Counted", 10)))
      assert.deepEqual(revisions(await run(store.readStream(stream, { direction: "backwards" }))), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
      assert.deepEqual(revisions(await run(store.readStream(stream, { direction: "backwards", maxCount: 1 }))), [9])
      assert.deepEqual(
        revisions(await run(store.readStream(stream, { direction: "backwards", fromRevision: "end", maxCount: 2 }))),
        [9, 8]
      )
      assert.deepEqual(
        revisions(await run(store.readStream(stream, { direction: "backwards", fromRevision: 5, maxCount: 3 }))),
        [5, 4, 3]
      )
      assert.deepEqual(revisions(await run(store.readStream(stream, { direction: "backwards", fromRevision: 1 }))), [1, 0])
    }
  },
  {
    name: "readStream: a stream that does not exist reads as empty, in both directions",
    run: async (store) => {
      const stream = uniqueStream()
      assert.deepEqual(await run(store.readStream(stream)), [])
      assert.deepEqual(await run(store.readStream(stream, { direction: "backwards" })), [])
      assert.deepEqual(await run(store.readStream(stream, { fromRevision: 5, maxCount: 3 })), [])
    }
  },
  {
    name: "readStream: other streams' events never show up",
    run: async (store) => {
      const category = uniqueCategory()
      const a = streamIn(category)
      const b = streamIn(category)
      await run(store.append(a, events("Mixed", 2)))
      await run(store.append(b, events("Mixed", 3)))
      await run(store.append(a, events("Mixed", 1, 2)))
      const read = await run(store.readStream(a))
      assert.ok(read.every((e) => e.stream === a))
      assert.deepEqual(revisions(read), [0, 1, 2])
    }
  },
  {
    name: "readAll: forwards from a position, with maxCount, in position order",
    run: async (store) => {
      const { written, prefix } = await sixEvents(store)
      const p = written.map((e) => e.position)
      const filter = { streamPrefixes: prefix }
      assert.deepEqual(ids(await run(store.readAll({ fromPosition: p[0]!, filter }))), ids(written))
      assert.deepEqual(ids(await run(store.readAll({ fromPosition: p[0]!, maxCount: 4, filter }))), ids(written.slice(0, 4)))
      assert.deepEqual(ids(await run(store.readAll({ fromPosition: p[2]!, filter }))), ids(written.slice(2)), "fromPosition is inclusive")
      assert.deepEqual(ids(await run(store.readAll({ direction: "forwards", fromPosition: "start", filter }))), ids(written))
      const unfiltered = await run(store.readAll({ fromPosition: p[1]!, maxCount: 5 }))
      assert.deepEqual(ids(unfiltered), ids(written.slice(1)), "nothing else was written in between")
      assert.deepEqual(plain(unfiltered), plain(written.slice(1)), "readAll returns the events as appended")
    }
  },
  {
    name: "readAll: backwards from a position, with maxCount, newest first",
    run: async (store) => {
      const { written, prefix } = await sixEvents(store)
      const p = written.map((e) => e.position)
      const filter = { streamPrefixes: prefix }
      const reversed = [...written].reverse()
      assert.deepEqual(ids(await run(store.readAll({ direction: "backwards", filter }))).slice(0, 6), ids(reversed))
      assert.deepEqual(ids(await run(store.readAll({ direction: "backwards", fromPosition: p[5]!, maxCount: 2, filter }))), ids(reversed.slice(0, 2)))
      assert.deepEqual(
        ids(await run(store.readAll({ direction: "backwards", fromPosition: p[3]!, filter }))),
        ids(reversed.slice(2)),
        "fromPosition is inclusive backwards too"
      )
      assert.deepEqual(
        ids(await run(store.readAll({ direction: "backwards", fromPosition: "end", maxCount: 3, filter }))),
        ids(reversed.slice(0, 3))
      )
      assert.deepEqual(ids(await run(store.readAll({ direction: "backwards", fromPosition: p[4]!, maxCount: 3 }))), ids(reversed.slice(1, 4)))
    }
  },
  {
    name: "readAll: filter by stream prefix, by event type (exact), and by both",
    run: async (store) => {
      const catA = uniqueCategory()
      const catB = uniqueCategory()
      const x = uniqueType("Ordered")
      const y = uniqueType("Cancelled")
      const xLonger = `${x}Twice`
      const plan: ReadonlyArray<[string, string]> = [
        [streamIn(catA), x],
        [streamIn(catA), y],
        [streamIn(catB), x],
        [streamIn(catB), xLonger],
        [streamIn(catA), x],
        [streamIn(catB), y]
      ]
      const written: Array<RecordedEvent> = []
      for (const [stream, type] of plan) written.push(...(await run(store.append(stream, [newEvent(type)]))).events)
      const from = written[0]!.position
      const pick = (keep: (e: RecordedEvent) => boolean) => ids(written.filter(keep))
      const inA = (e: RecordedEvent) => e.stream.startsWith(`${catA}-`)
      const inB = (e: RecordedEvent) => e.stream.startsWith(`${catB}-`)
      const read = async (filter: { streamPrefixes?: Array<string>; eventTypes?: Array<string> }, direction: "forwards" | "backwards" = "forwards") =>
        ids(await run(store.readAll(direction === "forwards" ? { fromPosition: from, filter } : { direction, filter })))
      assert.deepEqual(await read({ streamPrefixes: [`${catA}-`] }), pick(inA))
      assert.deepEqual(await read({ streamPrefixes: [`${catA}-`, `${catB}-`] }), ids(written))
      assert.deepEqual(await read({ eventTypes: [x] }), pick((e) => e.type === x), "event types match exactly, not as prefixes")
      assert.deepEqual(await read({ eventTypes: [x, y] }), pick((e) => e.type === x || e.type === y))
      assert.deepEqual(await read({ streamPrefixes: [`${catB}-`], eventTypes: [x, xLonger] }), pick((e) => inB(e) && e.type !== y))
      assert.deepEqual(await read({ streamPrefixes: [`${catA}-`], eventTypes: [y] }), pick((e) => inA(e) && e.type === y))
      assert.deepEqual(
        await read({ streamPrefixes: [`${catA}-`], eventTypes: [x] }, "backwards"),
        pick((e) => inA(e) && e.type === x).reverse()
      )
      const limited = await run(store.readAll({ fromPosition: from, maxCount: 2, filter: { streamPrefixes: [`${catB}-`], eventTypes: [y, xLonger] } }))
      assert.deepEqual(ids(limited), pick((e) => inB(e) && (e.type === y || e.type === xLonger)).slice(0, 2), "maxCount counts matching events")
    }
  },
  {
    name: "readAll: events read back equal what readStream returns",
    run: async (store) => {
      const { a, written, prefix } = await sixEvents(store)
      const all = await run(store.readAll({ fromPosition: written[0]!.position, filter: { streamPrefixes: prefix } }))
      const one = await run(store.readStream(a))
      assert.deepEqual(plain(all.filter((e) => e.stream === a)), plain(one))
    }
  }
]
