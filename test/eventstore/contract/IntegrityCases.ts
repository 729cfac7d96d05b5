/** Contract cases: metadata, the hash chain and tamper evidence, positions, head, checkpoints, ping. */
import assert from "node:assert/strict"
import { Effect, Option } from "effect"
import type { RecordedEvent } from "../../../src/eventstore/EventStoreTypes.ts"
import { GENESIS_HASH, hashEvent, makeChainVerifier } from "../../../src/eventstore/HashChain.ts"
import {
  assertIsoTime,
  assertStrictlyIncreasing,
  type ContractCase,
  events,
  newEvent,
  readAllOf,
  run,
  streamIn,
  uniqueCategory,
  uniqueCheckpoint,
  uniqueStream
} from "./ContractSupport.ts"

const verify = (list: ReadonlyArray<RecordedEvent>) =>
  run(
    Effect.gen(function*() {
      const verifier = makeChainVerifier()
      for (const event of list) yield* verifier.check(event)
      return verifier.report()
    })
  )

export const integrityCases: ReadonlyArray<ContractCase> = [
  {
    name: "metadata: correlationId, causationId, userId, occurredAt and schemaVersion are kept; recordedAt is set",
    run: async (store) => {
      const stream = uniqueStream()
      const before = Date.now()
      const metadata = {
        correlationId: "corr-1",
        causationId: crypto.randomUUID(),
        userId: "alice",
        occurredAt: "2024-02-03T04:05:06.789Z",
        schemaVersion: 3
      }
      await run(store.append(stream, [newEvent("Described", { a: 1 }, metadata), newEvent("Described", { a: 2 })]))
      const after = Date.now()
      const [full, bare] = await readAllOf(store, stream)
      assert.equal(full?.metadata.correlationId, metadata.correlationId)
      assert.equal(full?.metadata.causationId, metadata.causationId)
      assert.equal(full?.metadata.userId, metadata.userId)
      assert.equal(full?.metadata.occurredAt, metadata.occurredAt)
      assert.equal(full?.metadata.schemaVersion, 3)
      assert.equal(bare?.metadata.schemaVersion, 1, "schemaVersion defaults to 1")
      assert.equal(bare?.metadata.correlationId, undefined)
      assertIsoTime(bare?.metadata.occurredAt, "default occurredAt")
      for (const event of [full!, bare!]) {
        assertIsoTime(event.recordedAt, "recordedAt")
        const at = Date.parse(event.recordedAt)
        // a server clock may differ from ours a little; minutes would be a bug
        assert.ok(at > before - 120_000 && at < after + 120_000, `recordedAt ${event.recordedAt} is about now`)
        assert.match(event.metadata.hash, /^[0-9a-f]{64}$/)
        assert.match(event.metadata.prevHash, /^[0-9a-f]{64}$/)
      }
    }
  },
  {
    name: "positions: strictly increasing across streams in append order; headPosition is the newest",
    run: async (store) => {
      const category = uniqueCategory()
      const positions: Array<number> = []
      for (let i = 0; i < 6; i++) {
        const result = await run(store.append(streamIn(category), events("Placed", 1 + (i % 3))))
        positions.push(...result.events.map((e) => e.position))
        const head = await run(store.headPosition)
        assert.ok(head >= result.position, `headPosition ${head} is at least the last append's ${result.position}`)
        const [newest] = await run(store.readAll({ direction: "backwards", maxCount: 1 }))
        assert.equal(head, newest?.position, "headPosition is the newest event's position")
      }
      assertStrictlyIncreasing(positions, "positions")
      assert.ok(positions.every((p) => Number.isSafeInteger(p) && p >= 1))
    }
  },
  {
    name: "hash chain: valid on every stream, across multi-event appends and every kind of expected revision",
    run: async (store) => {
      const category = uniqueCategory()
      const [a, b] = [streamIn(category), streamIn(category)]
      await run(store.append(a, events("Chained", 2), { expectedRevision: "no_stream" }))
      await run(store.append(b, events("Chained", 1), { expectedRevision: "any" }))
      await run(store.append(a, events("Chained", 1, 2), { expectedRevision: "any" }))
      await run(store.append(a, events("Chained", 2, 3), { expectedRevision: 2 }))
      await run(store.append(b, events("Chained", 3, 1), { expectedRevision: "stream_exists" }))
      await run(store.append(a, [newEvent("Chained", { n: 5 })]))
      await Promise.all(Array.from({ length: 6 }, (_, i) => run(store.append(b, events("Chained", 1, 10 + i), { expectedRevision: "any" }))))
      for (const [stream, count] of [[a, 6], [b, 10]] as const) {
        const list = await readAllOf(store, stream)
        assert.equal(list.length, count)
        assert.equal(list[0]!.metadata.prevHash, GENESIS_HASH, "a stream's first event links to the genesis hash")
        for (let i = 1; i < list.length; i++) {
          assert.equal(list[i]!.metadata.prevHash, list[i - 1]!.metadata.hash, `${stream}@${i} links to its predecessor`)
        }
        assert.deepEqual(await verify(list), { ok: true, checked: count })
      }
      const all = await run(store.readAll({ fromPosition: "start", filter: { streamPrefixes: [`${category}-`] } }))
      assert.deepEqual(await verify(all), { ok: true, checked: 16 }, "the store verifies in position order too")
    }
  },
  {
    name: "hash chain: a tampered event is reported at the first broken link",
    run: async (store) => {
      const stream = uniqueStream()
      await run(store.append(stream, events("Audited", 3)))
      await run(store.append(stream, events("Audited", 2, 3)))
      const list = await readAllOf(store, stream)
      const replace = (at: number, event: RecordedEvent) => list.map((e, i) => (i === at ? event : e))
      const dataChanged = await verify(replace(2, { ...list[2]!, data: { n: 999 } }))
      assert.equal(dataChanged.ok, false)
      if (!dataChanged.ok) {
        assert.equal(dataChanged.broken.revision, 2)
        assert.equal(dataChanged.broken.reason, "hash_mismatch")
        assert.equal(dataChanged.broken.eventId, list[2]!.id)
        assert.equal(dataChanged.checked, 2)
      }
      const metadataChanged = await verify(replace(1, { ...list[1]!, metadata: { ...list[1]!.metadata, userId: "mallory" } }))
      assert.equal(metadataChanged.ok ? -1 : metadataChanged.broken.revision, 1)
      const typeChanged = await verify(replace(4, { ...list[4]!, type: "Forged" }))
      assert.equal(typeChanged.ok ? -1 : typeChanged.broken.revision, 4)
      // re-hashing a forged event does not help: the next event's prevHash still names the original
      const forged = { ...list[1]!, data: { n: -1 } }
      const { hash: _, ...withoutHash } = forged.metadata
      const rehashed = { ...forged, metadata: { ...forged.metadata, hash: await run(hashEvent(forged.type, forged.data, withoutHash)) } }
      const relinked = await verify(replace(1, rehashed))
      assert.equal(relinked.ok ? "ok" : `${relinked.broken.revision}:${relinked.broken.reason}`, "2:prev_hash_mismatch")
      const dropped = await verify(list.filter((_, i) => i !== 3))
      assert.equal(dropped.ok ? "ok" : `${dropped.broken.revision}:${dropped.broken.reason}`, "4:revision_gap")
      assert.deepEqual(await verify(list), { ok: true, checked: 5 }, "the untouched copy still verifies")
    }
  },
  {
    name: "checkpoints: a missing one reads as none; store, read, overwrite; names are independent",
    run: async (store) => {
      const [first, second] = [uniqueCheckpoint(), uniqueCheckpoint()]
      assert.deepEqual(await run(store.readCheckpoint(first)), Option.none())
      await run(store.storeCheckpoint(first, 5))
      assert.deepEqual(await run(store.readCheckpoint(first)), Option.some(5))
      assert.deepEqual(await run(store.readCheckpoint(second)), Option.none(), "another name is untouched")
      await run(store.storeCheckpoint(first, 120))
      assert.deepEqual(await run(store.readCheckpoint(first)), Option.some(120))
      await run(store.storeCheckpoint(second, 7))
      assert.deepEqual(await run(store.readCheckpoint(first)), Option.some(120))
      assert.deepEqual(await run(store.readCheckpoint(second)), Option.some(7))
      const big = 2 ** 40 + 3
      await run(store.storeCheckpoint(second, big))
      assert.deepEqual(await run(store.readCheckpoint(second)), Option.some(big), "positions beyond 32 bits survive")
    }
  },
  {
    name: "checkpoints are not events: they never show up in readAll or subscriptions",
    run: async (store) => {
      const name = uniqueCheckpoint()
      const before = await run(store.headPosition)
      await run(store.storeCheckpoint(name, 42))
      await run(store.storeCheckpoint(name, 43))
      const stream = uniqueStream()
      const marker = (await run(store.append(stream, events("Marker", 1)))).events[0]!
      const since = await run(store.readAll({ fromPosition: before === 0 ? "start" : before }))
      assert.deepEqual(since.filter((e) => e.position > before).map((e) => e.id), [marker.id])
    }
  },
  {
    name: "ping succeeds and kind names the adapter",
    run: async (store) => {
      await run(store.ping)
      assert.equal(typeof store.kind, "string")
      assert.ok(store.kind.length > 0)
    }
  }
]

/** Cases that need a store nobody wrote to yet; the entries run them first, on fresh stores only. */
export const freshStoreCases: ReadonlyArray<ContractCase> = [
  {
    name: "empty store: headPosition is 0, readAll is empty, no checkpoint",
    run: async (store) => {
      assert.equal(await run(store.headPosition), 0)
      assert.deepEqual(await run(store.readAll()), [])
      assert.deepEqual(await run(store.readAll({ direction: "backwards" })), [])
      assert.deepEqual(await run(store.readCheckpoint("anything")), Option.none())
    }
  }
]
