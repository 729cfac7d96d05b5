/** The pure batch fold: net writes, index diffs, and definition bugs caught as typed failures. */
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { defineProjection } from "../../projections/Projection.ts"
import { type DocMap, docKey, foldBatch, refsToLoad } from "../../projections/ProjectionFold.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { makeStreamCounter } from "./StreamCounter.ts"

let position = 0
const event = (stream: string, type: string, data: Record<string, unknown> = {}): RecordedEvent => ({
  id: crypto.randomUUID(),
  stream,
  revision: 0,
  position: ++position,
  type,
  data: data as RecordedEvent["data"],
  metadata: { occurredAt: "2026-01-01T00:00:00.000Z", schemaVersion: 1, prevHash: "0", hash: "0" },
  recordedAt: "2026-01-01T00:00:00.000Z"
})

const counter = makeStreamCounter({ name: "counter" })

const loadAll = (events: ReadonlyArray<RecordedEvent>, existing: DocMap = new Map()) => {
  const loaded: DocMap = new Map(existing)
  const refs = Result.getOrThrow(refsToLoad(counter, events, loaded))
  for (const [model, ids] of refs) for (const id of ids) loaded.set(docKey(model, id), undefined)
  return loaded
}

describe("foldBatch", () => {
  it("folds a batch into one net write per document, skips events it does not handle", () => {
    const events = [event("a-1", "Counted"), event("a-1", "Counted"), event("a-2", "Counted"), event("a-1", "Ignored"), event("a-1", "Counted")]
    const folded = Result.getOrThrow(foldBatch(counter, loadAll(events), events))
    expect(folded.applied).toBe(4)
    const puts = folded.writes.filter((w) => w._tag === "Put")
    expect(puts.map((w) => [w.model, w.id])).toEqual([["stream", "a-1"], ["category", "a"], ["stream", "a-2"]])
    expect(puts[0]).toMatchObject({ doc: { count: 3, lastType: "Counted", lastPosition: events[4]!.position } })
    expect(puts[1]).toMatchObject({ doc: { streams: 2, events: 4 } })
  })

  it("diffs index entries against the documents before the batch", () => {
    const first = [event("b-1", "Counted"), event("b-2", "Counted")]
    const folded1 = Result.getOrThrow(foldBatch(counter, loadAll(first), first))
    const existing: DocMap = new Map(folded1.changed)
    const second = [event("b-1", "Counted"), event("b-2", "Removed")]
    const folded2 = Result.getOrThrow(foldBatch(counter, loadAll(second, existing), second))
    const indexWrites = folded2.writes.filter((w) => w._tag !== "Put" && w._tag !== "Delete")
    expect(indexWrites).toEqual([
      // b-1 moved in "all" (its last position changed); its byCategory entry kept its score, so no write
      { _tag: "IndexAdd", model: "stream", index: "all", value: "", id: "b-1", score: second[0]!.position },
      // the category's events count is its score
      { _tag: "IndexAdd", model: "category", index: "all", value: "", id: "b", score: 4 },
      { _tag: "IndexAdd", model: "category", index: "active", value: "", id: "b", score: 1 },
      { _tag: "IndexRemove", model: "stream", index: "all", value: "", id: "b-2" },
      { _tag: "IndexRemove", model: "stream", index: "byCategory", value: "b", id: "b-2" }
    ])
    expect(folded2.writes).toContainEqual({ _tag: "Delete", model: "stream", id: "b-2" })
  })

  it("a definition that mutates documents in place still gets correct index changes", () => {
    const mutating = defineProjection<{ item: { score: number } }>()({
      name: "mutating",
      version: 1,
      handles: ["Bump"],
      models: { item: { indexes: (doc) => [{ index: "all", score: doc.score }] } },
      touches: () => [{ model: "item", id: "x" }],
      evolve: (docs) => {
        const doc = docs.get("item", "x")!
        doc.score++ // a bug the fold must survive
        return [{ model: "item", id: "x", doc }]
      }
    })
    const loaded: DocMap = new Map([[docKey("item", "x"), { score: 1 }]])
    const folded = Result.getOrThrow(foldBatch(mutating, loaded, [event("i-1", "Bump")]))
    expect(folded.writes).toContainEqual({ _tag: "IndexAdd", model: "item", index: "all", value: "", id: "x", score: 2 })
  })

  it("a change to a document `touches` did not name, or a throwing evolve, is a ProjectionBug", () => {
    const sneaky = defineProjection<{ item: { n: number } }>()({
      name: "sneaky",
      version: 1,
      handles: ["Sneak", "Throw"],
      models: { item: {} },
      touches: () => [{ model: "item", id: "declared" }],
      evolve: (_docs, e) => {
        if (e.type === "Throw") throw new Error("boom")
        return [{ model: "item", id: "undeclared", doc: { n: 1 } }]
      }
    })
    const sneak = event("s-1", "Sneak")
    const boom = event("s-1", "Throw")
    const r1 = foldBatch(sneaky, new Map(), [sneak])
    const r2 = foldBatch(sneaky, new Map(), [boom])
    expect(Result.isFailure(r1) && r1.failure).toMatchObject({ _tag: "ProjectionBug", position: sneak.position })
    expect(Result.isFailure(r2) && r2.failure).toMatchObject({ _tag: "ProjectionBug", position: boom.position, reason: "Error: boom" })
  })

  it("refsToLoad asks only for documents not already known, once each", () => {
    const events = [event("c-1", "Counted"), event("c-1", "Counted"), event("c-2", "Counted"), event("c-3", "Ignored")]
    const known: DocMap = new Map([[docKey("stream", "c-2"), undefined]])
    const refs = Result.getOrThrow(refsToLoad(counter, events, known))
    expect([...refs]).toEqual([["stream", ["c-1"]], ["category", ["c"]]])
  })
})
