/** The embedded store keeps everything in its data directory: reopening it finds the log, the chains and the checkpoints. */
import { Effect, Stream } from "effect"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { events, openPglite, run, verifyChains } from "./SqlStores.ts"

describe("PGlite event store: persistence", () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "keyframe-pglite-test-"))
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it("reopens the same data directory with the events, hash chains, positions and checkpoints", async () => {
    const dataDir = join(root, "nested", "store") // parents are created
    const first = await openPglite(dataDir)
    await run(first.store.append("upload-a1", events("Created", 3)))
    await run(first.store.append("room-r1", events("Opened", 2)))
    await run(first.store.storeCheckpoint("catalog", 4))
    const before = await run(first.store.readAll())
    const head = await run(first.store.headPosition)
    await first.close()

    const second = await openPglite(dataDir)
    try {
      expect(await run(second.store.readAll())).toEqual(before)
      expect(await run(second.store.headPosition)).toBe(head)
      expect(await run(second.store.readCheckpoint("catalog"))).toMatchObject({ _tag: "Some", value: 4 })
      // Appends continue the streams and the log where they stopped (cold head cache: it must read).
      const more = await run(second.store.append("upload-a1", events("Renamed", 1), { expectedRevision: 2 }))
      expect(more.nextRevision).toBe(3)
      expect(more.position).toBeGreaterThan(head)
      const all = await run(second.store.readAll())
      expect((await verifyChains(all)).ok).toBe(true)
      const replayed = await run(second.store.subscribeToAll().pipe(Stream.take(all.length), Stream.runCollect))
      expect(replayed).toEqual(all)
    } finally {
      await second.close()
    }
  }, 60_000)

  it("fails with EventStoreUnavailable, not a defect, when the directory cannot be used", async () => {
    const file = join(root, "a-file")
    await writeFile(file, "not a directory")
    const open = Effect.gen(function*() {
      return yield* EventStore
    }).pipe(Effect.provide(PgliteEventStore.layer({ dataDir: join(file, "store") })))
    expect(await run(Effect.flip(open))).toMatchObject({ _tag: "EventStoreUnavailable" })
  }, 60_000)
})
