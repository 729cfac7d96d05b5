/** Group commit on its own, with a scripted writer: what goes into which batch, and who gets which outcome. */
import { Deferred, Effect, Exit, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { EventStoreUnavailable, WrongExpectedRevision } from "../../src/eventstore/EventStoreError.ts"
import { makeGroupCommit } from "../../src/eventstore/sql/GroupCommit.ts"
import type { AppendOutcome, AppendRequest } from "../../src/eventstore/sql/SqlAppendPlan.ts"

const request = (stream: string, events = 1): AppendRequest => ({
  stream,
  events: Array.from({ length: events }, () => ({ id: crypto.randomUUID(), type: "T", data: null, metadata: { schemaVersion: 1 } })),
  expected: "any",
  now: "2026-01-01T00:00:00.000Z"
})

/** A writer that records batches, holds each until released, and rejects streams named "bad-…". */
const scriptedWriter = Effect.gen(function*() {
  const batches: Array<Array<string>> = []
  const gates: Array<Deferred.Deferred<void>> = []
  let failNext = false
  const write = (batch: ReadonlyArray<AppendRequest>) =>
    Effect.gen(function*() {
      batches.push(batch.map((r) => r.stream))
      const gate = yield* Deferred.make<void>()
      gates.push(gate)
      yield* Deferred.await(gate)
      if (failNext) {
        failNext = false
        return yield* new EventStoreUnavailable({ reason: "connection lost" })
      }
      return batch.map((r, i): AppendOutcome =>
        r.stream.startsWith("bad-")
          ? { _tag: "Rejected", error: new WrongExpectedRevision({ stream: r.stream, expected: 0, actual: "no_stream" }) }
          : { _tag: "Written", result: { events: [], nextRevision: i, position: i + 1 } }
      )
    })
  /** Lets the oldest waiting batch finish (waits until one is waiting). */
  const release = Effect.gen(function*() {
    while (gates.length === 0) yield* Effect.sleep("1 millis")
    yield* Deferred.succeed(gates.shift()!, undefined)
  })
  return { batches, write, release, failNextBatch: () => void (failNext = true) }
})

const settle = Effect.sleep("20 millis")

describe("group commit", () => {
  it("batches what arrives during a write, one append per stream per batch, in arrival order", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const writer = yield* scriptedWriter
      let committed = 0
      const gc = yield* makeGroupCommit({ write: writer.write, onCommitted: () => committed++, workers: 1, maxBatchEvents: 100 })
      const first = yield* Effect.forkChild(gc.submit(request("a-1")), { startImmediately: true })
      yield* settle
      const queued = yield* Effect.forEach(
        ["b-1", "c-1", "a-1", "bad-1", "b-1", "d-1"],
        (s) => Effect.forkChild(Effect.exit(gc.submit(request(s))), { startImmediately: true })
      )
      yield* settle
      yield* writer.release // first batch: a-1 alone
      yield* writer.release // second: b, c, a, bad, d — the second b-1 waits
      yield* writer.release // third: b-1
      yield* Fiber.join(first)
      const exits = yield* Effect.forEach(queued, Fiber.join)
      expect(writer.batches).toEqual([["a-1"], ["b-1", "c-1", "a-1", "bad-1", "d-1"], ["b-1"]])
      expect(exits.map((e) => e._tag)).toEqual(["Success", "Success", "Success", "Failure", "Success", "Success"])
      expect(Exit.isFailure(exits[3]!) && String(exits[3]!.cause)).toContain("WrongExpectedRevision")
      expect(committed).toBe(3)
    }))))

  it("caps a batch's events but lets a larger append go alone", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const writer = yield* scriptedWriter
      const gc = yield* makeGroupCommit({ write: writer.write, onCommitted: () => {}, workers: 1, maxBatchEvents: 10 })
      const fibers = yield* Effect.forEach(
        [request("big-1", 25), request("s-1", 6), request("s-2", 6), request("s-3", 3)],
        (r) => Effect.forkChild(gc.submit(r), { startImmediately: true })
      )
      for (let i = 0; i < 3; i++) yield* writer.release
      yield* Effect.forEach(fibers, Fiber.join)
      expect(writer.batches).toEqual([["big-1"], ["s-1", "s-3"], ["s-2"]])
    }))))

  it("fails every append of a batch whose write failed, and only those", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const writer = yield* scriptedWriter
      const gc = yield* makeGroupCommit({ write: writer.write, onCommitted: () => {}, workers: 1, maxBatchEvents: 100 })
      writer.failNextBatch()
      const lost = yield* Effect.forEach(["x-1", "y-1"], (s) => Effect.forkChild(Effect.exit(gc.submit(request(s))), { startImmediately: true }))
      yield* writer.release
      const later = yield* Effect.forkChild(gc.submit(request("z-1")), { startImmediately: true })
      yield* writer.release
      const exits = yield* Effect.forEach(lost, Fiber.join)
      expect(exits.every((e) => Exit.isFailure(e) && String(e.cause).includes("connection lost"))).toBe(true)
      expect((yield* Fiber.join(later)).position).toBe(1)
    }))))

  it("drops an append whose caller gave up before it was taken", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const writer = yield* scriptedWriter
      const gc = yield* makeGroupCommit({ write: writer.write, onCommitted: () => {}, workers: 1, maxBatchEvents: 100 })
      const busy = yield* Effect.forkChild(gc.submit(request("a-1")), { startImmediately: true })
      yield* settle
      const abandoned = yield* Effect.forkChild(gc.submit(request("gone-1")), { startImmediately: true })
      const kept = yield* Effect.forkChild(gc.submit(request("kept-1")), { startImmediately: true })
      yield* Fiber.interrupt(abandoned)
      yield* writer.release
      yield* writer.release
      yield* Fiber.join(busy)
      yield* Fiber.join(kept)
      expect(writer.batches).toEqual([["a-1"], ["kept-1"]])
    }))))
})
