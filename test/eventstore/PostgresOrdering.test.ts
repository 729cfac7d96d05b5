/**
 * Out-of-order commits on PostgreSQL (DESIGN.md §5): several store instances (as several
 * processes would) append at once while another subscribes; the subscriber must see every
 * event exactly once, in strictly increasing position order, also when it resumes from a
 * checkpoint.
 *
 * Can these tests fail? The first two, run with `unorderedCommits: true` (the appends without
 * the commit-order lock), failed in every try: events skipped ("missing position …"). The
 * last two show it deterministically with a transaction held open on purpose: a writer that
 * ignores the lock makes the subscriber skip its event, and `deliveryProblems` reports it;
 * one that takes the lock makes the adapter's append wait, and nothing is skipped (removing
 * the lock from the adapter's statements fails that test: the append no longer waits).
 */
import { Effect, Fiber, Stream } from "effect"
import postgres from "postgres"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { EventStoreShape } from "../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { deliveryProblems, postgresSuite, run, uniqueStream, verifyChains } from "./SqlStores.ts"

const APPENDERS = 8
const ROUNDS = 20
const EVENTS_PER_ROUND = 25
/** Append sizes an appender cycles through (25 events per round): mostly single events, some batches. */
const SIZES = [1, 1, 3, 1, 1, 5, 1, 2, 1, 1, 4, 1, 1, 1, 1] // sums to 25

/** Collects a subscription in the background until `count` events or `stop()`. */
const collect = (stream: Stream.Stream<RecordedEvent, unknown>) => {
  const received: Array<RecordedEvent> = []
  const fiber = Effect.runFork(stream.pipe(Stream.runForEach((e) => Effect.sync(() => received.push(e)))))
  return {
    received,
    waitFor: async (count: number, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs
      while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      return received.length >= count
    },
    stop: () => run(Fiber.interrupt(fiber))
  }
}

/** One appender: 25 events per round over its own streams and streams shared by everybody, 3 appends at a time. */
const appendRounds = async (store: EventStoreShape, me: number, rounds: number) => {
  const written: Array<RecordedEvent> = []
  for (let round = 0; round < rounds; round++) {
    const jobs = SIZES.map((size, i) => async () => {
      const stream = i % 4 === 0 ? `ordshared-s${i % 3}` : `ord${me}-s${i % 5}`
      const result = await run(
        store.append(stream, Array.from({ length: size }, (_, k) => ({ type: "Ordered", data: { me, round, i, k } })))
      )
      written.push(...result.events)
    })
    for (let i = 0; i < jobs.length; i += 3) await Promise.all(jobs.slice(i, i + 3).map((job) => job()))
  }
  return written
}

describe("PostgreSQL: concurrent appenders and a live subscriber", () => {
  let suite: Awaited<ReturnType<typeof postgresSuite>>
  beforeAll(async () => {
    suite = await postgresSuite()
  })
  afterAll(async () => {
    await suite?.close()
  })

  it("delivers every event once, in increasing position order, with 8 appending stores", async () => {
    const appenders = await Promise.all(Array.from({ length: APPENDERS }, () => suite.open({ poolSize: 2 })))
    const reader = await suite.open({ poolSize: 2 })
    const start = await run(reader.store.headPosition)
    const subscription = collect(reader.store.subscribeToAll({ after: start }))
    const written = (await Promise.all(appenders.map((a, me) => appendRounds(a.store, me, ROUNDS)))).flat()
    expect(written.length).toBe(APPENDERS * ROUNDS * EVENTS_PER_ROUND)
    await subscription.waitFor(written.length, 15_000)
    await new Promise((r) => setTimeout(r, 300)) // anything extra (a duplicate) would arrive now
    await subscription.stop()
    const committed = (await run(reader.store.readAll({ fromPosition: start + 1 })))
    expect(committed.length).toBe(written.length)
    expect(deliveryProblems(subscription.received, committed).slice(0, 10)).toEqual([])
    expect(subscription.received.map((e) => e.id)).toEqual(committed.map((e) => e.id))
    expect(new Set(written.map((e) => e.id))).toEqual(new Set(committed.map((e) => e.id)))
    expect((await verifyChains(await run(reader.store.readAll()))).ok).toBe(true)
  }, 120_000)

  it("resumes from a stored checkpoint without a gap or a duplicate while appends go on", async () => {
    const appenders = await Promise.all(Array.from({ length: 4 }, () => suite.open({ poolSize: 2 })))
    const reader = await suite.open({ poolSize: 2 })
    const start = await run(reader.store.headPosition)
    const rounds = 6
    const total = 4 * rounds * EVENTS_PER_ROUND
    const writing = Promise.all(appenders.map((a, me) => appendRounds(a.store, 100 + me, rounds)))
    // First consumer: half the events, then it stores its checkpoint and goes away mid-stream.
    const first = await run(
      reader.store.subscribeToAll({ after: start }).pipe(Stream.take(total / 2), Stream.runCollect)
    )
    await run(reader.store.storeCheckpoint("ordering-resume", first[first.length - 1]!.position))
    // Second consumer (another store instance): from the checkpoint, while appenders still write.
    const other = await suite.open({ poolSize: 2 })
    const checkpoint = await run(other.store.readCheckpoint("ordering-resume"))
    expect(checkpoint._tag).toBe("Some")
    const rest = collect(other.store.subscribeToAll({ after: checkpoint._tag === "Some" ? checkpoint.value : 0 }))
    await writing
    await rest.waitFor(total - total / 2, 15_000)
    await new Promise((r) => setTimeout(r, 300))
    await rest.stop()
    const committed = await run(other.store.readAll({ fromPosition: start + 1 }))
    expect(committed.length).toBe(total)
    expect(deliveryProblems([...first, ...rest.received], committed).slice(0, 10)).toEqual([])
  }, 120_000)

  describe("a transaction that commits late", () => {
    const rawEvent = async (sql: postgres.Sql, schema: string, stream: string) =>
      Number((await sql.unsafe(
        `INSERT INTO "${schema}".events (stream, revision, id, type, data, metadata, recorded_at)
         VALUES ($1, 0, $2, 'Late', '{}', '{}', now()) RETURNING position`,
        [stream, crypto.randomUUID()]
      ))[0]!.position)

    /** A subscriber that is live (it has received a marker appended after it started). */
    const liveSubscriber = async (store: EventStoreShape) => {
      const subscription = collect(store.subscribeToAll({ after: "end" }))
      await new Promise((r) => setTimeout(r, 200))
      await run(store.append(uniqueStream("marker"), [{ type: "Marker", data: {} }]))
      expect(await subscription.waitFor(1)).toBe(true)
      return subscription
    }

    it("is skipped by a subscriber when its writer ignores the commit-order lock (the check catches it)", async () => {
      const { store } = await suite.open()
      const subscription = await liveSubscriber(store)
      const sql = postgres(suite.url, { max: 1, onnotice: () => {} })
      try {
        const reserved = await sql.reserve()
        await reserved.unsafe("BEGIN")
        const late = await rawEvent(reserved, suite.schema, uniqueStream("late")) // drawn, not committed
        const after = await run(store.append(uniqueStream("after"), [{ type: "After", data: {} }]))
        expect(after.position).toBeGreaterThan(late)
        expect(await subscription.waitFor(2)).toBe(true) // it moved past `late`
        await reserved.unsafe("COMMIT")
        reserved.release()
        await run(store.append(uniqueStream("later"), [{ type: "Later", data: {} }]))
        expect(await subscription.waitFor(3)).toBe(true)
        await new Promise((r) => setTimeout(r, 1500)) // past the safety poll: still never delivered
        await subscription.stop()
        const committed = await run(store.readAll({ fromPosition: subscription.received[0]!.position }))
        expect(deliveryProblems(subscription.received, committed)).toEqual([
          expect.stringMatching(new RegExp(`^missing position ${late} `))
        ])
      } finally {
        await sql.end()
      }
    }, 30_000)

    it("makes the adapter's append wait when its writer takes the lock, so nothing is skipped", async () => {
      const { store } = await suite.open()
      const subscription = await liveSubscriber(store)
      const sql = postgres(suite.url, { max: 1, onnotice: () => {} })
      try {
        const reserved = await sql.reserve()
        await reserved.unsafe("BEGIN")
        await reserved.unsafe(`SELECT pg_advisory_xact_lock(hashtext('keyframe.order:${suite.schema}'))`)
        const late = await rawEvent(reserved, suite.schema, uniqueStream("late"))
        let appended = false
        const append = run(store.append(uniqueStream("after"), [{ type: "After", data: {} }])).then((r) => {
          appended = true
          return r
        })
        await new Promise((r) => setTimeout(r, 500))
        expect(appended).toBe(false) // waiting for the late transaction
        await reserved.unsafe("COMMIT")
        reserved.release()
        const after = await append
        expect(after.position).toBeGreaterThan(late)
        expect(await subscription.waitFor(3)).toBe(true)
        await subscription.stop()
        expect(subscription.received.slice(1).map((e) => e.position)).toEqual([late, after.position])
      } finally {
        await sql.end()
      }
    }, 30_000)
  })
})
