/** The read store contract: every adapter must pass these, on the same inputs. */
import { Cause, Effect, Exit, Layer, Option } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ReadStore } from "../../src/readstore/ReadStore.ts"
import type { ListOptions, Slot, Write } from "../../src/readstore/ReadStoreTypes.ts"

/** Gives a store with nothing else in it (a fresh memory store, or Redis under a new key prefix). */
export type FreshStore = () => Layer.Layer<ReadStore>

const slot = (projection = "videos", version = 1, generation = 0): Slot => ({ projection, version, generation })
const put = (model: string, id: string, doc: unknown): Write => ({ _tag: "Put", model, id, doc })
const add = (id: string, score: number, value = "", index = "all", model = "video"): Write => ({
  _tag: "IndexAdd",
  model,
  index,
  value,
  id,
  score
})

export const failureTag = (exit: Exit.Exit<unknown, unknown>): string | undefined =>
  Exit.isFailure(exit) ? (Cause.findErrorOption(exit.cause).pipe(Option.getOrUndefined) as { _tag?: string } | undefined)?._tag : undefined

/** Pages through a whole index. */
const listAll = (s: Slot, index: string, options: Omit<ListOptions, "cursor">) =>
  Effect.gen(function*() {
    const store = yield* ReadStore
    const out: Array<string> = []
    let cursor: string | undefined
    do {
      const page = yield* store.list(s, "video", index, { ...options, cursor })
      out.push(...page.items.map((i) => i.id))
      cursor = page.next
    } while (cursor)
    return out
  })

export const readStoreContract = (name: string, fresh: FreshStore) =>
  describe(`ReadStore contract: ${name}`, () => {
    const run = <A, E>(effect: Effect.Effect<A, E, ReadStore>, layer = fresh()) => Effect.runPromise(Effect.provide(effect, layer))
    const runExit = <A, E>(effect: Effect.Effect<A, E, ReadStore>) => Effect.runPromiseExit(Effect.provide(effect, fresh()))

    it("stores JSON documents by id; get, getMany and deletes", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const s = slot()
        yield* store.commit({ slot: s, writes: [put("video", "a", { title: "A", n: 1, tags: ["x"] }), put("video", "b", null)] })
        const a = yield* store.get(s, "video", "a")
        const missing = yield* store.get(s, "video", "zz")
        const many = yield* store.getMany(s, "video", ["b", "zz", "a"])
        yield* store.commit({ slot: s, writes: [{ _tag: "Delete", model: "video", id: "a" }] })
        const deleted = yield* store.get(s, "video", "a")
        const otherModel = yield* store.get(s, "owner", "b")
        return { a, missing, many, deleted, otherModel }
      }))
      expect(result.a).toEqual(Option.some({ title: "A", n: 1, tags: ["x"] }))
      expect(Option.isNone(result.missing)).toBe(true)
      expect(result.many).toEqual([null, undefined, { title: "A", n: 1, tags: ["x"] }])
      expect(Option.isNone(result.deleted)).toBe(true)
      expect(Option.isNone(result.otherModel)).toBe(true)
    })

    // copies (Redis) or deeply frozen shared values (memory: parsed once, then no garbage per read)
    it("no caller can change a stored document: not through the committed value, nor through a returned one", async () => {
      const doc = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const original = { list: [1] }
        yield* store.commit({ slot: slot(), writes: [put("video", "a", original)] })
        original.list.push(2)
        const first = (yield* store.get(slot(), "video", "a")).pipe(Option.getOrThrow) as { list: Array<number> }
        try {
          first.list.push(3)
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError) // frozen
        }
        return yield* store.get(slot(), "video", "a")
      }))
      expect(doc).toEqual(Option.some({ list: [1] }))
    })

    it("a commit is all or nothing: an invalid last write leaves documents, indexes and checkpoint untouched", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const s = slot()
        yield* store.commit({ slot: s, writes: [put("video", "a", 1)], checkpoint: 5 })
        const bad = yield* Effect.exit(store.commit({
          slot: s,
          writes: [put("video", "a", 2), put("video", "b", 2), add("b", 1), add("c", Number.NaN)],
          checkpoint: 9
        }))
        const badName = yield* Effect.exit(store.commit({ slot: s, writes: [put("video", "b", 3), put("bad:model", "x", 1)], checkpoint: 9 }))
        return {
          bad: failureTag(bad),
          badName: failureTag(badName),
          docs: yield* store.getMany(s, "video", ["a", "b"]),
          index: yield* store.list(s, "video", "all", { limit: 10, order: "asc" }),
          checkpoint: yield* store.checkpoint(s)
        }
      }))
      expect(result.bad).toBe("ReadStoreInvalidArgument")
      expect(result.badName).toBe("ReadStoreInvalidArgument")
      expect(result.docs).toEqual([1, undefined])
      expect(result.index.items).toEqual([])
      expect(result.checkpoint).toEqual(Option.some(5))
    })

    it("writes in one batch apply in order (last write to an id wins)", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const s = slot()
        yield* store.commit({
          slot: s,
          writes: [
            put("video", "a", 1),
            { _tag: "Delete", model: "video", id: "a" },
            put("video", "b", 1),
            put("video", "b", 2),
            add("a", 1),
            { _tag: "IndexRemove", model: "video", index: "all", value: "", id: "a" },
            add("b", 1),
            add("b", 7)
          ]
        })
        return { docs: yield* store.getMany(s, "video", ["a", "b"]), index: yield* store.list(s, "video", "all", { limit: 10, order: "asc" }) }
      }))
      expect(result.docs).toEqual([undefined, 2])
      expect(result.index.items).toEqual([{ id: "b", score: 7, doc: 2 }])
    })

    it("checkpoints and keys are separate per slot (projection, version, generation)", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const none = yield* store.checkpoint(slot())
        yield* store.commit({ slot: slot("videos", 1), writes: [put("video", "a", "v1")], checkpoint: 10 })
        yield* store.commit({ slot: slot("videos", 2), writes: [put("video", "a", "v2")], checkpoint: 3 })
        yield* store.commit({ slot: slot("videos", 1, 1), writes: [put("video", "a", "v1.1")] })
        yield* store.commit({ slot: slot("videos-x", 1), writes: [put("video", "a", "x")], checkpoint: 99 })
        return {
          none,
          checkpoints: yield* Effect.forEach([slot("videos", 1), slot("videos", 2), slot("videos", 1, 1)], store.checkpoint),
          docs: yield* Effect.forEach(
            [slot("videos", 1), slot("videos", 2), slot("videos", 1, 1), slot("videos-x", 1)],
            (s) => store.get(s, "video", "a")
          )
        }
      }))
      expect(Option.isNone(result.none)).toBe(true)
      expect(result.checkpoints).toEqual([Option.some(10), Option.some(3), Option.none()])
      expect(result.docs).toEqual(["v1", "v2", "v1.1", "x"].map(Option.some))
    })

    it("the active slot pointer is set by a commit and swaps atomically with it", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const before = yield* store.active("videos")
        yield* store.commit({ slot: slot("videos", 1), writes: [], activate: true })
        const first = yield* store.active("videos")
        yield* store.commit({ slot: slot("videos", 2, 3), writes: [put("video", "a", 1)], checkpoint: 4, activate: true })
        return { before, first, second: yield* store.active("videos"), other: yield* store.active("uploads") }
      }))
      expect(Option.isNone(result.before)).toBe(true)
      expect(result.first).toEqual(Option.some(slot("videos", 1)))
      expect(result.second).toEqual(Option.some(slot("videos", 2, 3)))
      expect(Option.isNone(result.other)).toBe(true)
    })

    it("drop removes one slot's documents, indexes and checkpoint, nothing else", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        for (const s of [slot("videos", 1), slot("videos", 1, 1), slot("videos", 11), slot("videos-2", 1)]) {
          yield* store.commit({ slot: s, writes: [put("video", "a", s.version), add("a", 1), add("a", 1, "alice", "byOwner")], checkpoint: 7 })
        }
        yield* store.commit({ slot: slot("videos", 1), writes: [], activate: true })
        yield* store.drop(slot("videos", 1))
        const gone = slot("videos", 1)
        return {
          doc: yield* store.get(gone, "video", "a"),
          index: (yield* store.list(gone, "video", "byOwner", { value: "alice", limit: 5, order: "asc" })).items,
          checkpoint: yield* store.checkpoint(gone),
          others: yield* Effect.forEach([slot("videos", 1, 1), slot("videos", 11), slot("videos-2", 1)], (s) =>
            Effect.all([store.get(s, "video", "a"), store.checkpoint(s)])),
          active: yield* store.active("videos")
        }
      }))
      expect(Option.isNone(result.doc)).toBe(true)
      expect(result.index).toEqual([])
      expect(Option.isNone(result.checkpoint)).toBe(true)
      expect(result.others).toEqual([[Option.some(1), Option.some(7)], [Option.some(11), Option.some(7)], [Option.some(1), Option.some(7)]])
      // The pointer belongs to the projection, not to a slot: dropping never moves it.
      expect(result.active).toEqual(Option.some(slot("videos", 1)))
    })

    it("a large batch (5,000 documents and index entries for one model) is applied whole", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const s = slot()
        const ids = Array.from({ length: 5_000 }, (_, i) => `v${i}`)
        yield* store.commit({ slot: s, writes: ids.flatMap((id, i) => [put("video", id, { i }), add(id, i)]), checkpoint: 1 })
        const docs = yield* store.getMany(s, "video", ids)
        const last = yield* store.list(s, "video", "all", { limit: 2, order: "desc" })
        return { found: docs.filter((d) => d !== undefined).length, last: last.items.map((i) => i.id), checkpoint: yield* store.checkpoint(s) }
      }))
      expect(result).toEqual({ found: 5_000, last: ["v4999", "v4998"], checkpoint: Option.some(1) })
    })

    it("a fenced commit applies on its expected checkpoint; on any other it fails with CheckpointMoved and changes nothing", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const s = slot()
        const other = slot("videos", 1, 1)
        // 0 means "no checkpoint yet".
        yield* store.commit({ slot: s, writes: [put("video", "a", 1), add("a", 1)], checkpoint: 5, after: 0 })
        yield* store.commit({ slot: s, writes: [put("video", "b", 2), add("b", 2)], checkpoint: 9, after: 5 })
        const stale = yield* Effect.flip(store.commit({
          slot: s,
          writes: [put("video", "a", 99), { _tag: "Delete", model: "video", id: "b" }, add("c", 3), put("video", "c", 3)],
          checkpoint: 12,
          after: 5,
          activate: true
        }))
        const fresh = yield* Effect.flip(store.commit({ slot: s, writes: [put("video", "z", 0)], after: 0 }))
        // The fence is per slot: another slot has its own (none yet).
        yield* store.commit({ slot: other, writes: [put("video", "a", "other")], checkpoint: 3, after: 0 })
        const before = {
          docs: yield* store.getMany(s, "video", ["a", "b", "c", "z"]),
          index: (yield* store.list(s, "video", "all", { limit: 10, order: "asc" })).items.map((i) => i.id),
          checkpoint: yield* store.checkpoint(s),
          active: yield* store.active("videos")
        }
        // A fence alone (no new checkpoint) checks without moving it; after a drop the slot has none again.
        yield* store.commit({ slot: s, writes: [put("video", "d", 4)], after: 9 })
        const still = yield* store.checkpoint(s)
        yield* store.drop(s)
        yield* store.commit({ slot: s, writes: [], checkpoint: 1, after: 0 })
        return { stale, fresh, before, still, afterDrop: yield* store.checkpoint(s), other: yield* store.checkpoint(other) }
      }))
      expect(result.stale).toMatchObject({ _tag: "CheckpointMoved", slot: slot(), expected: 5, actual: 9 })
      expect(result.fresh).toMatchObject({ _tag: "CheckpointMoved", expected: 0, actual: 9 })
      expect(result.before).toEqual({ docs: [1, 2, undefined, undefined], index: ["a", "b"], checkpoint: Option.some(9), active: Option.none() })
      expect(result.still).toEqual(Option.some(9))
      expect(result.afterDrop).toEqual(Option.some(1))
      expect(result.other).toEqual(Option.some(3))
    })

    it("a lease has one holder at a time; only its holder renews or releases it", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const ttl = 60_000
        const first = yield* store.acquireLease("videos:v1", "node-a", ttl)
        const taken = yield* store.acquireLease("videos:v1", "node-b", ttl)
        const again = yield* store.acquireLease("videos:v1", "node-a", ttl)
        const otherName = yield* store.acquireLease("videos:v1.1", "node-b", ttl)
        const renewByOther = yield* store.renewLease("videos:v1", "node-b", ttl)
        const renewByHolder = yield* store.renewLease("videos:v1", "node-a", ttl)
        yield* store.releaseLease("videos:v1", "node-b")
        const afterForeignRelease = yield* store.acquireLease("videos:v1", "node-b", ttl)
        yield* store.releaseLease("videos:v1", "node-a")
        const afterRelease = yield* store.acquireLease("videos:v1", "node-b", ttl)
        const formerHolderRenews = yield* store.renewLease("videos:v1", "node-a", ttl)
        return { first, taken, again, otherName, renewByOther, renewByHolder, afterForeignRelease, afterRelease, formerHolderRenews }
      }))
      expect(result).toEqual({
        first: true,
        taken: false,
        again: true,
        otherName: true,
        renewByOther: false,
        renewByHolder: true,
        afterForeignRelease: false,
        afterRelease: true,
        formerHolderRenews: false
      })
    })

    it("a lease not renewed within its TTL expires: its holder cannot renew it, another can take it", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        yield* store.acquireLease("videos:v2", "node-a", 150)
        const during = yield* store.acquireLease("videos:v2", "node-b", 150)
        yield* Effect.sleep("400 millis")
        const renew = yield* store.renewLease("videos:v2", "node-a", 150)
        const takeover = yield* store.acquireLease("videos:v2", "node-b", 60_000)
        return { during, renew, takeover }
      }))
      expect(result).toEqual({ during: false, renew: false, takeover: true })
    })

    it("lists an index in score order, ties by id, per partition, with paging", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const s = slot()
        const writes: Array<Write> = []
        for (const [id, score, owner] of [["a", 3, "alice"], ["b", 1, "bob"], ["c", 3, "alice"], ["d", 2, "alice"], ["e", -1.5, "bob"]] as const) {
          writes.push(put("video", id, { id }), add(id, score), add(id, score, owner, "byOwner"))
        }
        yield* store.commit({ slot: s, writes })
        const firstPage = yield* store.list(s, "video", "all", { limit: 2, order: "desc" })
        return {
          asc: yield* listAll(s, "all", { limit: 2, order: "asc" }),
          desc: yield* listAll(s, "all", { limit: 2, order: "desc" }),
          alice: yield* listAll(s, "byOwner", { value: "alice", limit: 1, order: "desc" }),
          nobody: yield* store.list(s, "video", "byOwner", { value: "carol", limit: 5, order: "asc" }),
          firstPage,
          exact: yield* store.list(s, "video", "all", { limit: 5, order: "asc" })
        }
      }))
      expect(result.asc).toEqual(["e", "b", "d", "a", "c"])
      expect(result.desc).toEqual(["c", "a", "d", "b", "e"])
      expect(result.alice).toEqual(["c", "a", "d"])
      expect(result.nobody).toEqual({ items: [] })
      expect(result.firstPage.items).toEqual([{ id: "c", score: 3, doc: { id: "c" } }, { id: "a", score: 3, doc: { id: "a" } }])
      expect(result.firstPage.next).toBeTypeOf("string")
      expect(result.exact.next).toBeUndefined()
    })

    it("paging is stable under inserts and deletes between pages (no repeat, no skip of entries that stayed)", async () => {
      const result = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const s = slot()
        yield* store.commit({ slot: s, writes: [10, 20, 30, 40, 50, 60].flatMap((n) => [put("video", `v${n}`, n), add(`v${n}`, n)]) })
        const page1 = yield* store.list(s, "video", "all", { limit: 2, order: "desc" }) // v60 v50
        // newer entries land before the cursor, one lands between pages, the cursor's own entry goes away
        yield* store.commit({
          slot: s,
          writes: [
            put("video", "v70", 70), add("v70", 70), put("video", "v45", 45), add("v45", 45),
            { _tag: "Delete", model: "video", id: "v50" }, { _tag: "IndexRemove", model: "video", index: "all", value: "", id: "v50" }
          ]
        })
        const page2 = yield* store.list(s, "video", "all", { limit: 2, order: "desc", cursor: page1.next })
        const page3 = yield* store.list(s, "video", "all", { limit: 10, order: "desc", cursor: page2.next })
        return [page1, page2, page3].map((p) => p.items.map((i) => i.id))
      }))
      expect(result).toEqual([["v60", "v50"], ["v45", "v40"], ["v30", "v20", "v10"]])
    })

    it("re-adding an id moves it to its new score", async () => {
      const ids = await run(Effect.gen(function*() {
        const store = yield* ReadStore
        const s = slot()
        yield* store.commit({ slot: s, writes: ["a", "b", "c"].flatMap((id, i) => [put("video", id, id), add(id, i)]) })
        yield* store.commit({ slot: s, writes: [add("a", 10)] })
        return yield* listAll(s, "all", { limit: 10, order: "asc" })
      }))
      expect(ids).toEqual(["b", "c", "a"])
    })

    it("rejects bad arguments with ReadStoreInvalidArgument", async () => {
      const s = slot()
      const exits = await Promise.all([
        runExit(ReadStore.use((st) => st.list(s, "video", "all", { limit: 0, order: "asc" }))),
        runExit(ReadStore.use((st) => st.list(s, "video", "all", { limit: 5, order: "asc", cursor: "%%not-a-cursor" }))),
        runExit(ReadStore.use((st) => st.get({ projection: "Bad:Name", version: 1, generation: 0 }, "video", "a"))),
        runExit(ReadStore.use((st) => st.get(s, "video", ""))),
        runExit(ReadStore.use((st) => st.commit({ slot: s, writes: [], checkpoint: -1 }))),
        runExit(ReadStore.use((st) => st.commit({ slot: s, writes: [put("video", "a", { n: 1n })] }))),
        runExit(ReadStore.use((st) => st.commit({ slot: s, writes: [], after: 1.5 }))),
        runExit(ReadStore.use((st) => st.acquireLease("", "node-a", 1000))),
        runExit(ReadStore.use((st) => st.acquireLease("videos:v1", "", 1000))),
        runExit(ReadStore.use((st) => st.renewLease("videos:v1", "node-a", 0)))
      ])
      expect(exits.map(failureTag)).toEqual(Array(10).fill("ReadStoreInvalidArgument"))
    })

    it("property: paging through any index gives the model's order, whatever the page size", async () => {
      const op = fc.oneof(
        fc.record({ kind: fc.constant("add" as const), id: fc.constantFrom("a", "b", "c", "d", "e", "f", "g"), score: fc.integer({ min: -3, max: 3 }) }),
        fc.record({ kind: fc.constant("remove" as const), id: fc.constantFrom("a", "b", "c", "d", "e", "f", "g") })
      )
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 5 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), async (batches, limit, desc) => {
          const model = new Map<string, number>()
          const s = slot()
          const ids = await run(Effect.gen(function*() {
            const store = yield* ReadStore
            for (const batch of batches) {
              const writes: Array<Write> = batch.map((o) =>
                o.kind === "add"
                  ? add(o.id, o.score)
                  : { _tag: "IndexRemove", model: "video", index: "all", value: "", id: o.id }
              )
              for (const o of batch) o.kind === "add" ? model.set(o.id, o.score) : model.delete(o.id)
              yield* store.commit({ slot: s, writes: [...writes, ...["a", "b", "c", "d", "e", "f", "g"].map((id) => put("video", id, id))] })
            }
            return yield* listAll(s, "all", { limit, order: desc ? "desc" : "asc" })
          }))
          const expected = [...model.entries()].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1)).map(([id]) => id)
          expect(ids).toEqual(desc ? expected.reverse() : expected)
        }),
        { numRuns: 40 }
      )
    })
  })
