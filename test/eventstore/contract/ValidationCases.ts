/** Contract cases: bad input fails with a typed error and writes nothing. */
import assert from "node:assert/strict"
import type { EventStoreShape } from "../../../src/eventstore/EventStore.ts"
import type {
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  SubscribeToAllOptions
} from "../../../src/eventstore/EventStoreTypes.ts"
import {
  type ContractCase,
  events,
  expectFailure,
  expectStreamFailure,
  newEvent,
  readAllOf,
  run,
  uniqueStream
} from "./ContractSupport.ts"

const BAD_STREAM_NAMES: ReadonlyArray<[string, string]> = [
  ["", "empty"],
  ["nodash", "no category separator"],
  ["-x", "empty category"],
  ["UPPER-x", "upper-case category"],
  ["$sys-x", "system prefix"],
  ["upload-", "empty id"],
  [`upload-${"x".repeat(200)}`, "over 200 characters"]
]

/** Appends [a good event, the bad one] to a fresh stream: InvalidEvent at index 1, and the stream stays empty. */
const rejectsEvent = async (store: EventStoreShape, bad: NewEvent, what: string, index = 1) => {
  const stream = uniqueStream()
  const batch = index === 0 ? [bad] : [newEvent("Fine"), bad]
  const error = await expectFailure(store.append(stream, batch), "InvalidEvent", what)
  assert.equal(error.index, index, `${what}: the error names the bad event's index`)
  assert.deepEqual(await readAllOf(store, stream), [], `${what}: nothing is written`)
}

const cyclic = (): unknown => {
  const o: Record<string, unknown> = { a: 1 }
  o.self = o
  return o
}

export const validationCases: ReadonlyArray<ContractCase> = [
  {
    name: "validation: empty and malformed stream names fail with InvalidStreamName and write nothing",
    run: async (store) => {
      const head = await run(store.headPosition)
      for (const [name, why] of BAD_STREAM_NAMES) {
        const error = await expectFailure(store.append(name, events("Bad", 1)), "InvalidStreamName", `append to ${why}`)
        assert.equal(error.stream, name)
        await expectFailure(store.readStream(name), "InvalidStreamName", `readStream of ${why}`)
        await expectStreamFailure(store.subscribeToStream(name), "InvalidStreamName", `subscribeToStream of ${why}`)
      }
      assert.equal(await run(store.headPosition), head, "nothing was written")
    }
  },
  {
    name: "validation: an event over 1 MiB fails with InvalidEvent and nothing of its append is written",
    run: async (store) => {
      await rejectsEvent(store, newEvent("Huge", { blob: "x".repeat(1024 * 1024 + 16) }), "data over 1 MiB")
      await rejectsEvent(store, newEvent("Huge", { list: Array.from({ length: 200_000 }, (_, i) => `item ${i}`) }), "a long list over 1 MiB")
    }
  },
  {
    name: "validation: data that is not JSON-serializable fails with InvalidEvent and writes nothing",
    run: async (store) => {
      const bad: ReadonlyArray<[unknown, string]> = [
        [{ n: 10n }, "BigInt"],
        [{ f: () => 1 }, "function"],
        [cyclic(), "cycle"],
        [{ n: Number.NaN }, "NaN"],
        [{ n: Number.POSITIVE_INFINITY }, "Infinity"],
        [{ at: new Date() }, "Date instance"],
        [[1, undefined, 3], "undefined in an array"],
        [{ s: Symbol("x") }, "symbol"],
        [{ m: new Map([["a", 1]]) }, "Map instance"],
        [undefined, "undefined data"]
      ]
      for (const [data, what] of bad) await rejectsEvent(store, { id: crypto.randomUUID(), type: "Bad", data }, what)
    }
  },
  {
    name: "validation: an empty event list fails with InvalidEvent",
    run: async (store) => {
      const stream = uniqueStream()
      await expectFailure(store.append(stream, []), "InvalidEvent")
      assert.deepEqual(await readAllOf(store, stream), [])
    }
  },
  {
    name: "validation: bad event types, ids and metadata fail with InvalidEvent and write nothing",
    run: async (store) => {
      for (const type of ["", "1Started", "has space", "$system", "a/b", "T".repeat(129)]) {
        await rejectsEvent(store, { id: crypto.randomUUID(), type, data: {} }, `type ${JSON.stringify(type)}`)
      }
      for (const id of ["not-a-uuid", "", "0000", `${crypto.randomUUID()}x`]) {
        await rejectsEvent(store, { id, type: "Fine", data: {} }, `id ${JSON.stringify(id)}`)
      }
      const twice = crypto.randomUUID()
      const stream = uniqueStream()
      const duplicated = await expectFailure(
        store.append(stream, [{ id: twice, type: "Fine", data: {} }, { id: twice.toUpperCase(), type: "Fine", data: {} }]),
        "InvalidEvent",
        "an id twice in one append"
      )
      assert.equal(duplicated.index, 1)
      assert.deepEqual(await readAllOf(store, stream), [])
      const badMetadata: ReadonlyArray<[Record<string, unknown>, string]> = [
        [{ occurredAt: "yesterday" }, "occurredAt not a time"],
        [{ schemaVersion: 0 }, "schemaVersion 0"],
        [{ schemaVersion: 1.5 }, "schemaVersion 1.5"],
        [{ correlationId: 42 }, "correlationId not a string"]
      ]
      for (const [metadata, what] of badMetadata) {
        await rejectsEvent(store, { id: crypto.randomUUID(), type: "Fine", data: {}, metadata: metadata as NewEvent["metadata"] }, what)
      }
    }
  },
  {
    name: "validation: a negative or non-integer expected revision fails with InvalidArgument and writes nothing",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Fine", 1)))
      for (const expectedRevision of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "latest", -0.5]) {
        const error = await expectFailure(
          store.append(stream, events("Fine", 1), { expectedRevision: expectedRevision as ExpectedRevision }),
          "InvalidArgument",
          `expectedRevision ${String(expectedRevision)}`
        )
        assert.equal(error.argument, "expectedRevision")
      }
      assert.equal((await readAllOf(store, stream)).length, 1)
    }
  },
  {
    name: "validation: bad fromRevision, fromPosition, maxCount and after fail with InvalidArgument",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Fine", 2)))
      for (const fromRevision of [-1, 1.5, "middle"]) {
        await expectFailure(store.readStream(stream, { fromRevision: fromRevision as number }), "InvalidArgument", `fromRevision ${fromRevision}`)
      }
      for (const maxCount of [0, -1, 1.5]) {
        await expectFailure(store.readStream(stream, { maxCount }), "InvalidArgument", `readStream maxCount ${maxCount}`)
        await expectFailure(store.readAll({ maxCount }), "InvalidArgument", `readAll maxCount ${maxCount}`)
      }
      for (const fromPosition of [-1, 2.5, "somewhere"]) {
        await expectFailure(store.readAll({ fromPosition: fromPosition as number }), "InvalidArgument", `fromPosition ${fromPosition}`)
      }
      for (const after of [-1, 0.5, "later"]) {
        await expectStreamFailure(store.subscribeToAll({ after: after as number }), "InvalidArgument", `subscribeToAll after ${after}`)
        await expectStreamFailure(store.subscribeToStream(stream, { after: after as number }), "InvalidArgument", `subscribeToStream after ${after}`)
      }
    }
  },
  {
    name: "validation: an unknown direction and a malformed filter fail with InvalidArgument on every adapter",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Fine", 1)))
      for (const direction of ["sideways", "FORWARDS", ""]) {
        const options = { direction } as unknown as ReadAllOptions
        const read = await expectFailure(store.readStream(stream, options), "InvalidArgument", `readStream direction ${direction}`)
        assert.equal(read.argument, "direction")
        const all = await expectFailure(store.readAll(options), "InvalidArgument", `readAll direction ${direction}`)
        assert.equal(all.argument, "direction")
      }
      const badFilters: ReadonlyArray<[unknown, string]> = [
        ["upload-", "filter"],
        [{ streamPrefixes: "upload-" }, "filter.streamPrefixes"],
        [{ streamPrefixes: [""] }, "filter.streamPrefixes"],
        [{ eventTypes: [42] }, "filter.eventTypes"]
      ]
      for (const [filter, argument] of badFilters) {
        const options = { filter } as unknown as SubscribeToAllOptions
        const all = await expectFailure(store.readAll(options), "InvalidArgument", `readAll filter ${JSON.stringify(filter)}`)
        assert.equal(all.argument, argument)
        await expectStreamFailure(store.subscribeToAll(options), "InvalidArgument", `subscribeToAll filter ${JSON.stringify(filter)}`)
      }
    }
  },
  {
    name: "validation: bad checkpoint names and positions fail with InvalidArgument",
    run: async (store) => {
      for (const name of ["", "has space", "-leading", "a/b", "c".repeat(201)]) {
        await expectFailure(store.readCheckpoint(name), "InvalidArgument", `readCheckpoint ${JSON.stringify(name)}`)
        await expectFailure(store.storeCheckpoint(name, 1), "InvalidArgument", `storeCheckpoint ${JSON.stringify(name)}`)
      }
      for (const position of [-1, 1.5, Number.NaN]) {
        await expectFailure(store.storeCheckpoint("valid-name", position), "InvalidArgument", `checkpoint position ${position}`)
      }
    }
  }
]
