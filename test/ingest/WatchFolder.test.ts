/** The watch folder on a real directory: files appearing and growing become streams; a restart resumes them. */
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { IngestOutcome } from "../../src/ingest/IngestEngine.ts"
import { runWatchFolder } from "../../src/ingest/node/WatchFolder.ts"
import { Streams } from "../../src/streams/Streams.ts"
import { CHUNK, growFile, type IngestHarness, MiB, startIngest } from "./IngestHarness.ts"

let h: IngestHarness
beforeAll(async () => {
  h = await startIngest()
}, 60_000)
afterAll(() => h?.stop())

const watchFolder = (dir: string, outcomes: Map<string, { streamId: string; outcome: IngestOutcome }>) =>
  h.runtime.runFork(Effect.flatMap(Streams, (streams) =>
    runWatchFolder(streams, {
      dir,
      extensions: ["mp4"],
      defaultOwner: "carol",
      chunkSizeBytes: CHUNK,
      idleTimeoutMs: 1500,
      pollMs: 100,
      onOutcome: (file, streamId, outcome) => outcomes.set(file, { streamId, outcome })
    })))

const until = async (check: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out")
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe("watch folder", () => {
  it("makes one stream per file for the sidecar's owner (or the default), ignores other extensions, and resumes after a restart", async () => {
    const dir = join(h.dir, "watch")
    await mkdir(dir)
    await writeFile(join(dir, "cam.json"), JSON.stringify({ owner: "dora", title: "Front door" }))
    await writeFile(join(dir, "notes.txt"), "not a video")
    const outcomes = new Map<string, { streamId: string; outcome: IngestOutcome }>()
    let watcher = watchFolder(dir, outcomes)
    const cam = growFile(join(dir, "cam.mp4"), 12, MiB, 100)
    const other = growFile(join(dir, "other.mp4"), 3, MiB, 100)
    // restart the watcher while cam.mp4 is still growing (after its first part)
    await new Promise((r) => setTimeout(r, 800))
    await h.runtime.runPromise(Fiber.interrupt(watcher))
    watcher = watchFolder(dir, outcomes)
    const [camSha, otherSha] = await Promise.all([cam, other])
    await until(() => outcomes.size === 2)
    await h.runtime.runPromise(Fiber.interrupt(watcher))
    expect([...outcomes.keys()].sort()).toEqual(["cam.mp4", "other.mp4"])
    const camStream = outcomes.get("cam.mp4")!
    expect(camStream.outcome.status).toBe("finalized")
    const events = await h.events(`stream-${camStream.streamId}`)
    expect(events.filter((e) => e.type === "StreamStarted")).toHaveLength(1)
    expect(events[0]?.data).toMatchObject({ ownerId: "dora", title: "Front door", sourceRef: "cam.mp4", source: "watch" })
    const parts = events.filter((e) => e.type === "StreamPartUploaded").map((e) => e.data.partNumber)
    expect(parts).toEqual([1, 2, 3])
    expect((await h.object(`originals/${camStream.streamId}`)).sha256).toBe(camSha)
    const otherStream = outcomes.get("other.mp4")!
    expect((await h.events(`stream-${otherStream.streamId}`))[0]?.data.ownerId).toBe("carol")
    expect((await h.object(`originals/${otherStream.streamId}`)).sha256).toBe(otherSha)
  }, 40_000)
})
