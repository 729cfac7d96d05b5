/**
 * makeEventStore runs every input check of the port before the adapter's raw implementation: a raw
 * store that records its calls shows that bad input never reaches it, whatever the method, and that
 * good input arrives checked, with the defaults filled in.
 */
import { Effect, Exit, Option, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { type EventStoreShape, makeEventStore, type RawEventStore } from "../../src/eventstore/EventStore.ts"
import type { ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions } from "../../src/eventstore/EventStoreTypes.ts"
import { type Call, callRecorder } from "../support/CallRecorder.ts"


/** A raw store that answers every call with an empty success and remembers it. */
const recordingStore = (): { readonly store: EventStoreShape; readonly calls: Array<Call> } => {
  const { calls, record } = callRecorder()
  const raw: RawEventStore = {
    kind: "recording",
    append: (request) => record(["append", request], { events: [], nextRevision: 0, position: 1 }),
    readStream: (stream, read) => record(["readStream", stream, read], []),
    readAll: (read) => record(["readAll", read], []),
    subscribeToAll: (subscription) => Stream.fromEffect(record(["subscribeToAll", subscription], undefined)).pipe(Stream.drain),
    subscribeToStream: (stream, after) => Stream.fromEffect(record(["subscribeToStream", stream, after], undefined)).pipe(Stream.drain),
    headPosition: Effect.sync(() => (calls.push(["headPosition"]), 7)),
    readCheckpoint: (name) => record(["readCheckpoint", name], Option.none()),
    storeCheckpoint: (name, position) => record(["storeCheckpoint", name, position], undefined),
    ping: Effect.sync(() => void calls.push(["ping"]))
  }
  return { store: makeEventStore(raw), calls }
}

const failureOf = async (effect: Effect.Effect<unknown, { readonly _tag: string }>) => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return { _tag: "success", argument: undefined }
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  return reason && "error" in reason
    ? (reason.error as { readonly _tag: string; readonly argument?: string })
    : { _tag: `defect: ${String(exit.cause)}`, argument: undefined }
}

const fine: ReadonlyArray<NewEvent> = [{ type: "Fine", data: {} }]

/** [what, call, expected tag, expected `argument` of an InvalidArgument]. */
const badCalls: ReadonlyArray<
  readonly [string, (s: EventStoreShape) => Effect.Effect<unknown, { readonly _tag: string }>, string, string?]
> = [
  ["append: a malformed stream", (s) => s.append("nodash", fine), "InvalidStreamName"],
  ["append: an expected revision out of range", (s) => s.append("upload-1", fine, { expectedRevision: -1 }), "InvalidArgument", "expectedRevision"],
  ["append: an unknown expected revision", (s) => s.append("upload-1", fine, { expectedRevision: "latest" as ExpectedRevision }), "InvalidArgument", "expectedRevision"],
  ["append: no events", (s) => s.append("upload-1", []), "InvalidEvent"],
  ["append: data that is not JSON", (s) => s.append("upload-1", [{ type: "T", data: { n: 1n } }]), "InvalidEvent"],
  ["readStream: a malformed stream", (s) => s.readStream("UPPER-x"), "InvalidStreamName"],
  ["readStream: an unknown direction", (s) => s.readStream("upload-1", { direction: "sideways" } as unknown as ReadStreamOptions), "InvalidArgument", "direction"],
  ["readStream: a negative revision", (s) => s.readStream("upload-1", { fromRevision: -1 }), "InvalidArgument", "fromRevision"],
  ["readStream: a zero maxCount", (s) => s.readStream("upload-1", { maxCount: 0 }), "InvalidArgument", "maxCount"],
  ["readAll: an unknown direction", (s) => s.readAll({ direction: "up" } as unknown as ReadAllOptions), "InvalidArgument", "direction"],
  ["readAll: a fractional position", (s) => s.readAll({ fromPosition: 2.5 }), "InvalidArgument", "fromPosition"],
  ["readAll: a fractional maxCount", (s) => s.readAll({ maxCount: 1.5 }), "InvalidArgument", "maxCount"],
  ["readAll: a filter that is not an object", (s) => s.readAll({ filter: "upload-" } as unknown as ReadAllOptions), "InvalidArgument", "filter"],
  ["readAll: an empty stream prefix", (s) => s.readAll({ filter: { streamPrefixes: [""] } }), "InvalidArgument", "filter.streamPrefixes"],
  ["readAll: an event type that is not a string", (s) => s.readAll({ filter: { eventTypes: [1] } } as unknown as ReadAllOptions), "InvalidArgument", "filter.eventTypes"],
  ["subscribeToAll: a negative after", (s) => Stream.runDrain(s.subscribeToAll({ after: -1 })), "InvalidArgument", "after"],
  ["subscribeToAll: a bad filter", (s) => Stream.runDrain(s.subscribeToAll({ filter: { streamPrefixes: ["a\u0000"] } })), "InvalidArgument", "filter.streamPrefixes"],
  ["subscribeToStream: a malformed stream", (s) => Stream.runDrain(s.subscribeToStream("-x")), "InvalidStreamName"],
  ["subscribeToStream: an unknown after", (s) => Stream.runDrain(s.subscribeToStream("upload-1", { after: "later" as "end" })), "InvalidArgument", "after"],
  ["readCheckpoint: a bad name", (s) => s.readCheckpoint("has space"), "InvalidArgument", "checkpoint"],
  ["storeCheckpoint: a bad name", (s) => s.storeCheckpoint("a/b", 1), "InvalidArgument", "checkpoint"],
  ["storeCheckpoint: a negative position", (s) => s.storeCheckpoint("consumer", -1), "InvalidArgument", "position"],
  ["storeCheckpoint: no position", (s) => s.storeCheckpoint("consumer", undefined as unknown as number), "InvalidArgument", "position"]
]

describe("makeEventStore: the port's input checks, before the raw store", () => {
  for (const [what, call, tag, argument] of badCalls) {
    it(`${what} fails with ${tag} and never reaches the raw store`, async () => {
      const { calls, store } = recordingStore()
      const error = await failureOf(call(store))
      expect(error._tag).toBe(tag)
      if (argument !== undefined) expect(error.argument).toBe(argument)
      expect(calls).toEqual([])
    })
  }

  it("every method that takes input is covered by a bad call", () => {
    const covered = new Set(badCalls.map(([what]) => what.slice(0, what.indexOf(":"))))
    const withInput = Object.entries(recordingStore().store).filter(([, v]) => typeof v === "function").map(([k]) => k)
    expect([...covered].sort()).toEqual(withInput.sort())
  })

  it("good input reaches the raw store checked, with the defaults filled in", async () => {
    const { calls, store } = recordingStore()
    const id = "6F1A7C3E-0000-4000-8000-000000000001"
    await Effect.runPromise(store.append("upload-1", [{ id, type: "Fine", data: { a: [1] } }]))
    await Effect.runPromise(store.readStream("upload-1"))
    await Effect.runPromise(store.readStream("upload-1", { direction: "backwards", maxCount: 2 }))
    await Effect.runPromise(store.readAll())
    await Effect.runPromise(store.readAll({ direction: "backwards", fromPosition: 5, filter: { eventTypes: ["Fine"] } }))
    await Effect.runPromise(Stream.runDrain(store.subscribeToAll()))
    await Effect.runPromise(Stream.runDrain(store.subscribeToStream("upload-1", { after: 3 })))
    await Effect.runPromise(store.readCheckpoint("consumer"))
    await Effect.runPromise(store.storeCheckpoint("consumer", 0))
    expect(await Effect.runPromise(store.headPosition)).toBe(7)
    await Effect.runPromise(store.ping)
    expect(store.kind).toBe("recording")
    expect(calls).toEqual([
      ["append", {
        stream: "upload-1",
        expected: "any",
        events: [{ id: id.toLowerCase(), type: "Fine", data: { a: [1] }, metadata: { schemaVersion: 1 } }]
      }],
      ["readStream", "upload-1", { direction: "forwards", from: "start", maxCount: undefined }],
      ["readStream", "upload-1", { direction: "backwards", from: "end", maxCount: 2 }],
      ["readAll", { direction: "forwards", from: "start", maxCount: undefined, filter: undefined }],
      ["readAll", { direction: "backwards", from: 5, maxCount: undefined, filter: { eventTypes: ["Fine"] } }],
      ["subscribeToAll", { after: "start", filter: undefined }],
      ["subscribeToStream", "upload-1", 3],
      ["readCheckpoint", "consumer"],
      ["storeCheckpoint", "consumer", 0],
      ["headPosition"],
      ["ping"]
    ])
  })
})
