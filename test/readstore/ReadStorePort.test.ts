/**
 * makeReadStore runs every input check of the port before the adapter's raw implementation: a raw
 * store that records its calls shows that bad slots, names, ids, cursors, limits, batches and leases
 * never reach it, whatever the method, and that good input arrives checked and prepared.
 */
import { Effect, Exit, Option } from "effect"
import { describe, expect, it } from "vitest"
import { makeReadStore, type RawReadStore, type ReadStoreShape } from "../../src/readstore/ReadStore.ts"
import { encodeCursor } from "../../src/readstore/ReadStoreKeys.ts"
import type { ListOptions, Slot, Write } from "../../src/readstore/ReadStoreTypes.ts"
import { type Call, callRecorder } from "../support/CallRecorder.ts"


const recordingStore = (): { readonly store: ReadStoreShape; readonly calls: Array<Call> } => {
  const { calls, record } = callRecorder()
  const raw: RawReadStore = {
    kind: "recording",
    getMany: (slot, model, ids) => record(["getMany", slot, model, ids], ids.map(() => "doc")),
    list: (slot, model, index, read) => record(["list", slot, model, index, read], { items: [] }),
    checkpoint: (slot) => record(["checkpoint", slot], Option.none()),
    active: (projection) => record(["active", projection], Option.none()),
    commit: (batch) => record(["commit", batch], undefined),
    acquireLease: (name, holder, ttlMillis) => record(["acquireLease", name, holder, ttlMillis], true),
    renewLease: (name, holder, ttlMillis) => record(["renewLease", name, holder, ttlMillis], true),
    releaseLease: (name, holder) => record(["releaseLease", name, holder], undefined),
    drop: (slot) => record(["drop", slot], undefined),
    ping: Effect.sync(() => void calls.push(["ping"]))
  }
  return { store: makeReadStore(raw), calls }
}

const failureOf = async (effect: Effect.Effect<unknown, { readonly _tag: string }>) => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return { _tag: "success", argument: undefined }
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  return reason && "error" in reason
    ? (reason.error as { readonly _tag: string; readonly argument?: string })
    : { _tag: `defect: ${String(exit.cause)}`, argument: undefined }
}

const slot: Slot = { projection: "videos", version: 1, generation: 0 }
const list = (options: Partial<ListOptions>) => (s: ReadStoreShape) =>
  s.list(slot, "video", "all", { limit: 5, order: "asc", ...options } as ListOptions)
const put = (model: string, id: string, doc: unknown): Write => ({ _tag: "Put", model, id, doc })

/** [what, call, expected `argument` of the ReadStoreInvalidArgument]. */
const badCalls: ReadonlyArray<readonly [string, (s: ReadStoreShape) => Effect.Effect<unknown, { readonly _tag: string }>, string]> = [
  ["get: a projection name with :", (s) => s.get({ projection: "Bad:Name", version: 1, generation: 0 }, "video", "a"), "projection"],
  ["get: an empty id", (s) => s.get(slot, "video", ""), "id"],
  ["getMany: a negative version", (s) => s.getMany({ ...slot, version: -1 }, "video", ["a"]), "slot"],
  ["getMany: a model name with a space", (s) => s.getMany(slot, "a model", ["a"]), "model"],
  ["getMany: an id over 512 characters", (s) => s.getMany(slot, "video", ["a", "x".repeat(513)]), "id"],
  ["list: a limit of 0", list({ limit: 0 }), "limit"],
  ["list: a limit over 1000", list({ limit: 1001 }), "limit"],
  ["list: an unknown order", list({ order: "up" as "asc" }), "order"],
  ["list: a cursor not from an index", list({ cursor: "%%not-a-cursor" }), "cursor"],
  ["list: a bad index name", (s) => s.list(slot, "video", "1st", { limit: 5, order: "asc" }), "index"],
  ["checkpoint: a fractional generation", (s) => s.checkpoint({ ...slot, generation: 0.5 }), "slot"],
  ["active: an upper-case projection", (s) => s.active("Videos"), "projection"],
  ["commit: a negative checkpoint", (s) => s.commit({ slot, writes: [], checkpoint: -1 }), "checkpoint"],
  ["commit: a fractional fence", (s) => s.commit({ slot, writes: [], after: 1.5 }), "after"],
  ["commit: a document that is not JSON", (s) => s.commit({ slot, writes: [put("video", "a", 1), put("video", "b", { n: 1n })] }), "writes[1].doc"],
  ["commit: an infinite score", (s) =>
    s.commit({ slot, writes: [{ _tag: "IndexAdd", model: "video", index: "all", value: "", id: "a", score: Infinity }] }), "writes[0].score"],
  ["acquireLease: an empty name", (s) => s.acquireLease("", "node-a", 1000), "lease"],
  ["acquireLease: an empty holder", (s) => s.acquireLease("videos:v1", "", 1000), "holder"],
  ["renewLease: a zero ttl", (s) => s.renewLease("videos:v1", "node-a", 0), "ttl"],
  ["releaseLease: a name with a space", (s) => s.releaseLease("a lease", "node-a"), "lease"],
  ["drop: a projection name with :", (s) => s.drop({ ...slot, projection: "a:b" }), "projection"]
]

describe("makeReadStore: the port's input checks, before the raw store", () => {
  for (const [what, call, argument] of badCalls) {
    it(`${what} fails with ReadStoreInvalidArgument (${argument}) and never reaches the raw store`, async () => {
      const { calls, store } = recordingStore()
      const error = await failureOf(call(store))
      expect([error._tag, error.argument]).toEqual(["ReadStoreInvalidArgument", argument])
      expect(calls).toEqual([])
    })
  }

  it("every method that takes input is covered by a bad call", () => {
    const covered = new Set(badCalls.map(([what]) => what.slice(0, what.indexOf(":"))))
    const withInput = Object.entries(recordingStore().store).filter(([, v]) => typeof v === "function").map(([k]) => k)
    expect([...covered].sort()).toEqual(withInput.sort())
  })

  it("good input reaches the raw store checked: cursors decoded, documents as JSON text, get through getMany", async () => {
    const { calls, store } = recordingStore()
    const cursor = encodeCursor({ score: 3, id: "c" })
    expect(await Effect.runPromise(store.get(slot, "video", "a"))).toEqual(Option.some("doc"))
    await Effect.runPromise(store.getMany(slot, "video", ["a", "b"]))
    await Effect.runPromise(store.list(slot, "video", "all", { limit: 5, order: "desc" }))
    await Effect.runPromise(store.list(slot, "video", "byOwner", { value: "alice", cursor, limit: 2, order: "asc" }))
    await Effect.runPromise(store.checkpoint(slot))
    await Effect.runPromise(store.active("videos"))
    await Effect.runPromise(store.commit({ slot, writes: [put("video", "a", { n: 1 })], checkpoint: 4, after: 2, activate: true }))
    await Effect.runPromise(store.acquireLease("videos:v1", "node-a", 1000))
    await Effect.runPromise(store.renewLease("videos:v1", "node-a", 1000))
    await Effect.runPromise(store.releaseLease("videos:v1", "node-a"))
    await Effect.runPromise(store.drop(slot))
    await Effect.runPromise(store.ping)
    expect(store.kind).toBe("recording")
    expect(calls).toEqual([
      ["getMany", slot, "video", ["a"]],
      ["getMany", slot, "video", ["a", "b"]],
      ["list", slot, "video", "all", { value: "", cursor: undefined, limit: 5, order: "desc" }],
      ["list", slot, "video", "byOwner", { value: "alice", cursor: { score: 3, id: "c" }, limit: 2, order: "asc" }],
      ["checkpoint", slot],
      ["active", "videos"],
      ["commit", { slot, writes: [{ _tag: "Put", model: "video", id: "a", json: '{"n":1}' }], checkpoint: 4, after: 2, activate: true }],
      ["acquireLease", "videos:v1", "node-a", 1000],
      ["renewLease", "videos:v1", "node-a", 1000],
      ["releaseLease", "videos:v1", "node-a"],
      ["drop", slot],
      ["ping"]
    ])
  })
})
