/**
 * The video catalog worker on the embedded stack with the real media workers: a tus upload processed to
 * ready becomes a Video (private, published, titled from the filename), once, also when the worker
 * restarts; a removed category is cleared from its videos; deleting a video removes its media objects and
 * the original, and leaves the events.
 */
import { readFileSync } from "node:fs"
import { Effect, Exit, Layer, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { Videos } from "../../src/videos/Videos.ts"
import { VideoCatalogWorker } from "../../src/workers/VideoCatalogWorker.ts"
import { testActors } from "../../src/testing/TestContext.ts"
import { clip720 } from "./Clips.ts"
import { type Pipeline, startPipeline } from "./PipelineHarness.ts"

let p: Pipeline
beforeAll(async () => {
  p = await startPipeline({ settings: { chunkSizeBytes: 5 * 1024 * 1024 } })
}, 60_000)
afterAll(() => p?.stop())

const startCatalog = async () => {
  const scope = await p.runtime.runPromise(Scope.make())
  await p.runtime.runPromise(Layer.buildWithScope(VideoCatalogWorker.layer({ retryMs: 200 }).pipe(Layer.provide(Videos.layer)), scope))
  return () => p.runtime.runPromise(Scope.close(scope, Exit.void))
}

const videoNow = (id: string) => p.runtime.runPromise(Effect.provide(Videos.use((v) => v.current(id)), Videos.layer))

const until = async <A>(read: () => Promise<A>, done: (a: A) => boolean, timeoutMs: number): Promise<A> => {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > end) return value
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe("video catalog worker", () => {
  it("makes a ready upload a Video once, and a delete removes its media objects", async () => {
    const stop = await startCatalog()
    const data = new Uint8Array(readFileSync(await clip720()))
    const id = await p.upload(data, "alice", "Beach day.mp4")
    expect((await p.waitFor(id, ["Ready", "Failed"], 90_000)).status).toBe("Ready")

    const created = await until(() => videoNow(id), (v) => v.state.status === "Active", 20_000)
    expect(created.state).toMatchObject({ status: "Active", ownerId: "alice", title: "Beach day", visibility: "private", published: true })
    expect(created.revision).toBe(0)
    await new Promise((r) => setTimeout(r, 1200)) // past a checkpoint save

    // a restarted worker (checkpoint or not) replays UploadReady: still one VideoCreated
    await stop()
    const stopAgain = await startCatalog()
    await new Promise((r) => setTimeout(r, 1000))
    expect((await videoNow(id)).revision).toBe(0)

    // the catalog was seeded at start; removing a category clears it from its videos
    const catalog = await p.runtime.runPromise(Effect.provide(Videos.use((v) => v.catalog), Videos.layer))
    expect(catalog.state.categories.map((c) => c.slug)).toEqual(["gaming", "tutorials", "vlogs", "music", "sports", "cooking"])
    const asAlice = { actor: testActors.alice }
    await p.runtime.runPromise(Effect.provide(Videos.use((v) => v.change(asAlice, id, { category: "music" })), Videos.layer))
    expect((await videoNow(id)).state).toMatchObject({ category: "music" })
    await p.runtime.runPromise(Effect.provide(Videos.use((v) => v.removeCategory({ actor: testActors.carol }, "music")), Videos.layer))
    const cleared = await until(() => videoNow(id), (v) => v.state.status === "Active" && v.state.category === null, 20_000)
    expect(cleared.state).toMatchObject({ category: null })

    expect((await p.keys(`media/${id}/`)).length).toBeGreaterThan(3)
    expect(await p.keys(`originals/${id}`)).toEqual([`originals/${id}`])
    const quotaBefore = await p.quota("alice")
    expect(quotaBefore.status === "Tracked" && quotaBefore.periods.reduce((n, period) => n + period.committedBytes, 0)).toBe(data.length)
    await p.runtime.runPromise(Effect.provide(Videos.use((v) => v.remove({ actor: testActors.alice }, id)), Videos.layer))
    await until(() => p.keys(`media/${id}/`), (keys) => keys.length === 0, 20_000)
    expect(await p.keys(`media/${id}/`)).toEqual([])
    expect(await until(() => p.keys(`originals/${id}`), (k) => k.length === 0, 5_000)).toEqual([])
    const stored = await p.runtime.runPromise(EventStore.use((s) => s.readStream(`video-${id}`)))
    expect(stored.map((e) => e.type)).toEqual(["VideoCreated", "VideoCategorySet", "VideoCategorySet", "VideoDeleted"])
    // the week's quota keeps counting the deleted video's bytes
    expect(await p.quota("alice")).toEqual(quotaBefore)
    // the upload's own history is kept too
    expect((await p.events(id)).some((e) => e._tag === "UploadReady")).toBe(true)
    await stopAgain()
  }, 150_000)
})
