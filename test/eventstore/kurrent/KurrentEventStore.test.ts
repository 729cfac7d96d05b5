/** What of the KurrentDB adapter can be checked without a server: fast, typed failures and the pure mappings. */
import { Effect, Exit, Layer, ManagedRuntime, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EventStore, type EventStoreShape } from "../../../src/eventstore/EventStore.ts"
import type {
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions
} from "../../../src/eventstore/EventStoreTypes.ts"
import { KurrentEventStore } from "../../../src/eventstore/kurrent/KurrentEventStore.ts"
import { planFilter, positionToNumber, storedMetadata, toRecordedEvent } from "../../../src/eventstore/kurrent/KurrentMapping.ts"

const DEAD_URL = "kurrentdb://127.0.0.1:1?tls=false"

const failureTag = async <A, E>(effect: Effect.Effect<A, E>) => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return "success"
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  return error && "error" in error ? (error.error as { _tag: string })._tag : `defect: ${String(exit.cause)}`
}

describe("KurrentEventStore without a server", () => {
  let runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown>
  let store: EventStoreShape
  beforeAll(async () => {
    runtime = ManagedRuntime.make(KurrentEventStore.layer({ url: DEAD_URL }))
    store = await runtime.runPromise(EventStore.useSync((s) => s))
  })
  afterAll(() => runtime.dispose())

  it("builds its layer without connecting, and ping fails fast with EventStoreUnavailable", async () => {
    const started = Date.now()
    expect(await failureTag(store.ping)).toBe("EventStoreUnavailable")
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it("every operation fails with EventStoreUnavailable, none hangs", async () => {
    const started = Date.now()
    const ev = [{ type: "Tried", data: {} }]
    expect(await failureTag(store.append("upload-1", ev))).toBe("EventStoreUnavailable")
    expect(await failureTag(store.readStream("upload-1"))).toBe("EventStoreUnavailable")
    expect(await failureTag(store.readAll({ direction: "backwards", fromPosition: 12 }))).toBe("EventStoreUnavailable")
    expect(await failureTag(store.headPosition)).toBe("EventStoreUnavailable")
    expect(await failureTag(store.readCheckpoint("projector"))).toBe("EventStoreUnavailable")
    expect(await failureTag(store.storeCheckpoint("projector", 3))).toBe("EventStoreUnavailable")
    expect(await failureTag(Stream.runCollect(Stream.take(store.subscribeToAll(), 1)))).toBe("EventStoreUnavailable")
    expect(await failureTag(Stream.runCollect(Stream.take(store.subscribeToStream("upload-1"), 1)))).toBe("EventStoreUnavailable")
    expect(Date.now() - started).toBeLessThan(15_000)
  }, 20_000)

  it("validates input before calling the server", async () => {
    expect(await failureTag(store.append("nodash", [{ type: "T", data: {} }]))).toBe("InvalidStreamName")
    expect(await failureTag(store.append("upload-1", [{ type: "T", data: { n: 1n } }]))).toBe("InvalidEvent")
    expect(await failureTag(store.append("upload-1", [{ type: "T", data: {} }], { expectedRevision: -1 }))).toBe("InvalidArgument")
    expect(await failureTag(store.readAll({ maxCount: 0 }))).toBe("InvalidArgument")
    expect(await failureTag(store.storeCheckpoint("bad name", 1))).toBe("InvalidArgument")
    expect(await failureTag(Stream.runCollect(store.subscribeToAll({ after: -1 })))).toBe("InvalidArgument")
  })

  it("refuses an unknown direction and a malformed filter like the SQL adapters, without calling the server", async () => {
    const sideways = { direction: "sideways" } as unknown as ReadStreamOptions
    expect(await failureTag(store.readStream("upload-1", sideways))).toBe("InvalidArgument")
    expect(await failureTag(store.readAll(sideways as ReadAllOptions))).toBe("InvalidArgument")
    expect(await failureTag(store.readAll({ filter: { streamPrefixes: [""] } }))).toBe("InvalidArgument")
    const badTypes = { filter: { eventTypes: [42] } } as unknown as SubscribeToAllOptions
    expect(await failureTag(Stream.runCollect(Stream.take(store.subscribeToAll(badTypes), 1))))
      .toBe("InvalidArgument")
  })

  it("a malformed connection string fails the layer with EventStoreUnavailable", async () => {
    const exit = await Effect.runPromiseExit(Layer.build(KurrentEventStore.layer({ url: "http://nope" })).pipe(Effect.scoped))
    expect(Exit.isFailure(exit) && String(exit.cause)).toContain("EventStoreUnavailable")
  })
})

describe("KurrentDB mappings", () => {
  const raw = (over: Record<string, unknown> = {}) => ({
    event: {
      streamId: "upload-1",
      id: "6F1A7C3E-0000-4000-8000-000000000001",
      revision: 3n,
      type: "Created",
      created: new Date("2024-01-01T00:00:00.000Z"),
      data: { a: 1 },
      metadata: storedMetadata({ correlationId: "c", occurredAt: "2024-01-01T00:00:00.000Z", schemaVersion: 1, prevHash: "p", hash: "h" }),
      isJson: true,
      position: { commit: 1234n, prepare: 1234n },
      ...over
    }
  })

  it("converts a recorded event: bigint revision and commit position to numbers, KurrentDB metadata keys dropped", () => {
    const event = toRecordedEvent(raw() as never)!
    expect(event).toEqual({
      id: "6f1a7c3e-0000-4000-8000-000000000001",
      stream: "upload-1",
      revision: 3,
      position: 1234,
      type: "Created",
      data: { a: 1 },
      metadata: { correlationId: "c", occurredAt: "2024-01-01T00:00:00.000Z", schemaVersion: 1, prevHash: "p", hash: "h" },
      recordedAt: "2024-01-01T00:00:00.000Z"
    } satisfies RecordedEvent)
  })

  it("skips system events and refuses positions it cannot represent", () => {
    expect(toRecordedEvent(raw({ type: "$metadata" }) as never)).toBeUndefined()
    expect(toRecordedEvent(raw({ streamId: "$stats-1" }) as never)).toBeUndefined()
    expect(() => toRecordedEvent(raw({ position: undefined }) as never)).toThrow(/position/)
    expect(() => positionToNumber(2n ** 60n)).toThrow()
    expect(positionToNumber(2n ** 50n)).toBe(2 ** 50)
  })

  it("plans filters: prefixes on the server, exact types by regex, both split between server and client", () => {
    const e = (stream: string, type: string) => ({ stream, type }) as RecordedEvent
    const none = planFilter(undefined)
    expect(none.server).toMatchObject({ filterOn: "eventType", regex: "^[^$].*" })
    const prefixes = planFilter({ streamPrefixes: ["upload-"] })
    expect(prefixes.server).toMatchObject({ filterOn: "streamName", prefixes: ["upload-"] })
    expect(prefixes.clientSide).toBe(false)
    const types = planFilter({ eventTypes: ["Paid", "a.b"] })
    expect(types.server).toMatchObject({ filterOn: "eventType", regex: "^(?:Paid|a\\.b)$" })
    expect(new RegExp((types.server as { regex: string }).regex).test("PaidBack")).toBe(false)
    const both = planFilter({ streamPrefixes: ["upload-"], eventTypes: ["Paid"] })
    expect(both.server).toMatchObject({ filterOn: "streamName" })
    expect(both.clientSide).toBe(true)
    expect(both.keep(e("upload-1", "Paid"))).toBe(true)
    expect(both.keep(e("upload-1", "Refunded"))).toBe(false)
  })
})
