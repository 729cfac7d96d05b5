/** Append semantics of the SQL adapters that the contract suite does not reach: group commit, replays, the hash chain, head guesses. */
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import postgres from "postgres"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { EventStoreShape } from "../../src/eventstore/EventStore.ts"
import type { AppendResult, NewEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { type OpenStore, events, failureOf, openPglite, postgresSuite, run, uniqueStream, verifyChains } from "./SqlStores.ts"

interface Target {
  readonly name: string
  /** Opens a store; on PostgreSQL every call is another "process" on the same schema. */
  readonly open: () => Promise<OpenStore>
  /** The transaction ids (xmin) of the rows of these streams (to see which appends shared one). */
  readonly xmins: (streams: ReadonlyArray<string>) => Promise<Array<string>>
  readonly close: () => Promise<void>
}

const pgliteTarget = async (): Promise<Target> => {
  const shared = await openPglite()
  return {
    name: "embedded (PGlite)",
    open: async () => ({ store: shared.store, close: async () => {} }), // one process owns a PGlite
    xmins: async () => [],
    close: shared.close
  }
}

const postgresTarget = async (): Promise<Target> => {
  const suite = await postgresSuite()
  const sql = postgres(suite.url, { max: 1, onnotice: () => {} })
  return {
    name: "PostgreSQL",
    open: () => suite.open(),
    xmins: async (streams) =>
      (await sql.unsafe(`SELECT DISTINCT xmin::text AS x FROM "${suite.schema}".events WHERE stream = ANY($1)`, [
        streams as Array<string>
      ])).map((r) => String(r.x)),
    close: async () => {
      await sql.end()
      await suite.close()
    }
  }
}

const withIds = (list: ReadonlyArray<NewEvent>, ids: ReadonlyArray<string>) => list.map((e, i) => ({ ...e, id: ids[i] }))

for (const [label, makeTarget] of [["embedded (PGlite)", pgliteTarget], ["PostgreSQL", postgresTarget]] as const) {
  describe(`SQL adapter appends: ${label}`, () => {
    let target: Target
    let store: EventStoreShape
    beforeAll(async () => {
      target = await makeTarget()
      store = (await target.open()).store
    }, 60_000)
    afterAll(async () => {
      await target?.close()
    })

    it("group commit: appends queued behind a transaction share the next one, each with its own outcome", async () => {
      const existing = uniqueStream("gc")
      const replayed = uniqueStream("gc")
      const duplicated = uniqueStream("gc")
      const created = uniqueStream("gc")
      await run(store.append(existing, events("Old", 2)))
      const replayIds = [crypto.randomUUID(), crypto.randomUUID()]
      const original = await run(store.append(replayed, withIds(events("Once", 2), replayIds)))
      const dupId = crypto.randomUUID()
      await run(store.append(duplicated, withIds(events("Old", 1), [dupId])))
      await run(store.append(created, events("Old", 1)))
      // A 2,000-event append fills a transaction on its own: what arrives meanwhile waits for the next.
      const blocker = run(store.append(uniqueStream("gcblock"), events("Big", 2000)))
      const fresh = Array.from({ length: 5 }, () => uniqueStream("gc"))
      const results = await Promise.allSettled([
        ...fresh.map((s) => run(store.append(s, events("New", 1)))),
        run(store.append(existing, events("Next", 1), { expectedRevision: 1 })),
        run(store.append(existing + "x", events("Next", 1), { expectedRevision: 5 })), // no such stream
        run(store.append(replayed, withIds(events("Once", 2), replayIds))),
        run(store.append(duplicated, withIds(events("Old", 2), [dupId, crypto.randomUUID()]))),
        run(store.append(created, events("Again", 1), { expectedRevision: "no_stream" })),
        run(store.append(uniqueStream("gc"), [{ type: "not a type!", data: {} }]))
      ])
      await blocker
      const value = (i: number) => (results[i]!.status === "fulfilled" ? results[i]!.value as AppendResult : undefined)
      const reason = (i: number) => (results[i]!.status === "rejected" ? (results[i] as PromiseRejectedResult).reason : undefined)
      for (let i = 0; i < 5; i++) expect(value(i)?.nextRevision).toBe(0)
      expect(value(5)?.nextRevision).toBe(2)
      expect(reason(6)).toMatchObject({ _tag: "WrongExpectedRevision", actual: "no_stream" })
      expect(value(7)).toEqual(original)
      expect(reason(8)).toMatchObject({ _tag: "DuplicateEventId", eventId: dupId })
      expect(reason(9)).toMatchObject({ _tag: "WrongExpectedRevision", actual: 0 })
      expect(reason(10)).toMatchObject({ _tag: "InvalidEvent" })
      // Rejected appends wrote nothing.
      expect((await run(store.readStream(duplicated))).length).toBe(1)
      expect((await run(store.readStream(created))).length).toBe(1)
      expect((await run(store.readStream(replayed))).length).toBe(2)
      // The good appends went in one transaction (PostgreSQL: rows of one transaction share xmin).
      if (target.name === "PostgreSQL") expect(await target.xmins(fresh)).toHaveLength(1)
    }, 60_000)

    it("a replayed append returns the first result, from any store instance, and writes nothing", async () => {
      const stream = uniqueStream("replay")
      const ids = [crypto.randomUUID().toUpperCase(), crypto.randomUUID()]
      const first = await run(store.append(stream, withIds(events("Paid", 2), ids), { expectedRevision: "no_stream" }))
      expect(first.events.map((e) => e.id)).toEqual(ids.map((id) => id.toLowerCase()))
      const head = await run(store.headPosition)
      // Same ids (any case), even with an expected revision that no longer holds.
      expect(await run(store.append(stream, withIds(events("Paid", 2), ids), { expectedRevision: "no_stream" }))).toEqual(first)
      expect(await run(store.append(stream, withIds(events("Paid", 2), ids.map((i) => i.toLowerCase()))))).toEqual(first)
      const other = await target.open() // cold head cache on PostgreSQL
      expect(await run(other.store.append(stream, withIds(events("Paid", 2), ids)))).toEqual(first)
      expect(await run(store.headPosition)).toBe(head)
      // Some ids, other types, or another order: not a replay.
      expect(await failureOf(store.append(stream, withIds(events("Paid", 2), [ids[0]!, crypto.randomUUID()]))))
        .toMatchObject({ _tag: "DuplicateEventId", eventId: ids[0]!.toLowerCase() })
      expect(await failureOf(store.append(stream, withIds(events("Refunded", 2), ids))))
        .toMatchObject({ _tag: "DuplicateEventId" })
      expect(await failureOf(store.append(stream, withIds(events("Paid", 2), [ids[1]!, ids[0]!]))))
        .toMatchObject({ _tag: "DuplicateEventId" })
      // A run of written events is a replay too (ids are all we know of the first append): it returns them.
      expect((await run(store.append(stream, withIds(events("Paid", 1), [ids[1]!])))).events).toEqual(first.events.slice(1))
      expect((await run(store.readStream(stream))).length).toBe(2)
    }, 60_000)

    it("chains every event onto its stream's actual head under concurrent 'any' appends from two stores", async () => {
      const streams = [uniqueStream("chain"), uniqueStream("chain"), uniqueStream("chain")]
      const other = await target.open()
      await Promise.all(Array.from({ length: 60 }, (_, i) =>
        run((i % 2 === 0 ? store : other.store).append(streams[i % 3]!, events("Linked", 1 + (i % 3), i * 10)))))
      const all = (await run(store.readAll())).filter((e) => streams.includes(e.stream))
      expect(all.length).toBe(120)
      expect(await verifyChains(all)).toEqual({ ok: true, checked: 120 })
      for (const stream of streams) {
        const read = await run(store.readStream(stream))
        expect(read.map((e) => e.revision)).toEqual(read.map((_, i) => i))
        expect(read[0]!.metadata.prevHash).toBe("0".repeat(64))
        read.slice(1).forEach((e, i) => expect(e.metadata.prevHash).toBe(read[i]!.metadata.hash))
      }
    }, 60_000)

    it("a head guessed wrong (another store appended) falls back to the locked path", async () => {
      const stream = uniqueStream("guess")
      const other = await target.open()
      await run(store.append(stream, events("A", 1)))
      await run(other.store.append(stream, events("B", 2)))
      const third = await run(store.append(stream, events("C", 1)))
      expect(third.nextRevision).toBe(3)
      expect(await failureOf(store.append(stream, events("D", 1), { expectedRevision: 2 })))
        .toMatchObject({ _tag: "WrongExpectedRevision", actual: 3 })
      expect((await run(store.append(stream, events("E", 1), { expectedRevision: 3 }))).nextRevision).toBe(4)
      const read = await run(store.readStream(stream))
      expect(read.map((e) => e.type)).toEqual(["A", "B", "B", "C", "E"])
      expect((await verifyChains(read)).ok).toBe(true)
    }, 60_000)

    it("takes occurredAt (unless given) and recordedAt from the caller's Clock", async () => {
      const at = "2020-02-02T02:02:02.000Z"
      const result = await run(Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse(at))
        return yield* store.append(uniqueStream("clock"), [
          { type: "Ticked", data: {} },
          { type: "Ticked", data: {}, metadata: { occurredAt: "2019-01-01T00:00:00Z" } }
        ])
      }).pipe(Effect.provide(TestClock.layer())))
      expect(result.events.map((e) => [e.metadata.occurredAt, e.recordedAt])).toEqual([[at, at], ["2019-01-01T00:00:00.000Z", at]])
      const read = await run(store.readStream(result.events[0]!.stream))
      expect(read.map((e) => e.recordedAt)).toEqual([at, at])
    }, 60_000)

    it("creates a new stream once when two stores race with no_stream", async () => {
      const stream = uniqueStream("race")
      const other = await target.open()
      const outcomes = await Promise.allSettled(
        [store, other.store, store, other.store].map((s) => run(s.append(stream, events("Born", 1), { expectedRevision: "no_stream" })))
      )
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1)
      for (const o of outcomes.filter((o) => o.status === "rejected")) {
        expect((o as PromiseRejectedResult).reason).toMatchObject({ _tag: "WrongExpectedRevision", actual: 0 })
      }
    }, 60_000)
  })
}
