/**
 * The embedded store acknowledges an append only once its WAL is on the device. PGlite itself
 * never fsyncs (its writes survive kill -9, not a power loss): these tests watch the fsyncs
 * through the store's durability observer, through a simulated power loss that keeps only what
 * was fsynced, and through strace.
 */
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { readFileSync, statSync } from "node:fs"
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { events, openStore, run, verifyChains } from "./SqlStores.ts"

const WAL_SEGMENT = /[\\/]pg_wal[\\/][0-9A-F]{24}$/

/** The WAL writes not yet fsynced, and the WAL fsyncs so far, as the store reports them. */
const walRecorder = () => {
  const unsynced = new Set<string>()
  const recorder = {
    unsynced,
    walSyncs: 0,
    observer: {
      walWritten: (segment: string) => void unsynced.add(segment),
      synced: (path: string) => {
        if (!WAL_SEGMENT.test(path)) return
        recorder.walSyncs++
        unsynced.delete(path)
      }
    }
  }
  return recorder
}

const hasStrace = spawnSync("strace", ["-V"]).status === 0
if (!hasStrace) console.warn("PgliteDurability: strace is not installed, so the fsync trace test is skipped (CI installs it)")

describe("PGlite event store: acknowledged means durable", () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "keyframe-durability-test-"))
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it("fsyncs the WAL before each append returns, once per group-commit batch", async () => {
    const wal = walRecorder()
    const { store, close } = await openStore(PgliteEventStore.layer({ dataDir: join(root, "observed"), durability: wal.observer }))
    try {
      // One at a time: every append waits for an fsync that follows its WAL writes.
      for (let i = 0; i < 10; i++) {
        const before = wal.walSyncs
        await run(store.append(`upload-one${i}`, events("Created", 2)))
        expect(wal.walSyncs, `append ${i}: WAL fsyncs while it ran`).toBeGreaterThan(before)
        expect([...wal.unsynced], `append ${i}: WAL written but not fsynced when it returned`).toEqual([])
      }
      // 200 at once: each still waits for an fsync, but a batch shares one.
      const before = wal.walSyncs
      const waited: Array<number> = []
      await run(Effect.forEach(
        Array.from({ length: 200 }, (_, i) => i),
        (i) => store.append(`upload-many${i}`, events("Created", 1)).pipe(Effect.tap(() => Effect.sync(() => waited.push(wal.walSyncs)))),
        { concurrency: "unbounded" }
      ))
      expect(waited.every((n) => n > before)).toBe(true)
      expect([...wal.unsynced]).toEqual([])
      const burst = wal.walSyncs - before
      expect(burst).toBeGreaterThan(0)
      expect(burst, "one fsync per batch, not per append").toBeLessThanOrEqual(20)
    } finally {
      await close()
    }
  }, 120_000)

  it("loses no acknowledged append in a power loss that keeps only what was fsynced, checkpoints included", async () => {
    const dataDir = join(root, "powerloss")
    const device = join(root, "powerloss-device")
    const first = await openStore(PgliteEventStore.layer({ dataDir }))
    await run(first.store.append("upload-before", events("Created", 2)))
    await first.close()
    // The device from here on: these files, and each file's content when it was last fsynced.
    await cp(dataDir, device, { recursive: true })
    const fsynced = new Map<string, Buffer>()
    let powered = true
    const keep = (path: string) => {
      if (powered && statSync(path).isFile()) fsynced.set(relative(dataDir, path), readFileSync(path))
    }
    const second = await openStore(PgliteEventStore.layer({
      dataDir,
      durability: { synced: keep },
      checkpointInterval: "100 millis" // checkpoints (data files, pg_control, WAL recycling) among the appends
    }))
    const acknowledged: Array<string> = []
    for (let i = 0; i < 30; i++) {
      await run(second.store.append(`upload-p${i}`, events("Created", 2)))
      acknowledged.push(`upload-p${i}`)
      await new Promise((r) => setTimeout(r, 15))
    }
    powered = false
    await second.close()
    for (const [path, bytes] of fsynced) {
      await mkdir(dirname(join(device, path)), { recursive: true })
      await writeFile(join(device, path), bytes)
    }

    // Reopened on what the device kept: PostgreSQL's crash recovery replays the WAL.
    const after = await openStore(PgliteEventStore.layer({ dataDir: device }))
    try {
      const all = await run(after.store.readAll())
      const streams = new Set(all.map((e) => e.stream))
      expect(acknowledged.filter((s) => !streams.has(s)), "acknowledged but lost").toEqual([])
      expect(all.filter((e) => e.stream.startsWith("upload-p")).length).toBe(60)
      expect((await verifyChains(all)).ok).toBe(true)
    } finally {
      await after.close()
    }
    // And the power went off after checkpoints (the only fsyncs of data files), not only after WAL writes.
    expect([...fsynced.keys()].some((p) => p.startsWith("base")), "a checkpoint fsynced data files").toBe(true)
  }, 120_000)

  it.skipIf(!hasStrace)("shows an fsync(2) of a WAL segment between each append and its acknowledgement (strace; skipped when strace is not installed)", async () => {
    const dataDir = join(root, "traced")
    const log = join(root, "strace.log")
    const appender = fileURLToPath(new URL("./PgliteAppender.ts", import.meta.url))
    const count = 5
    const child = spawnSync("strace", [
      "-f", "-qq", "--seccomp-bpf", "-y", "-e", "trace=fsync,fdatasync,write", "-e", "signal=none", "-o", log,
      process.execPath, appender, dataDir, String(count)
    ], { encoding: "utf8", timeout: 100_000 })
    expect(child.status, child.stderr).toBe(0)
    const lines = (await readFile(log, "utf8")).split("\n")
    const at = (marker: string) => lines.findIndex((l) => l.includes(`write(1`) && l.includes(`"${marker}\\n"`))
    for (let i = 0; i < count; i++) {
      const begin = at(`begin ${i}`)
      const ack = at(`ack ${i}`)
      expect(begin, `begin ${i} traced`).toBeGreaterThan(-1)
      expect(ack).toBeGreaterThan(begin)
      const synced = lines.slice(begin, ack).filter((l) => /f(data)?sync\(\d+<[^>]*[\\/]pg_wal[\\/][0-9A-F]{24}>/.test(l))
      expect(synced.length, `append ${i}: WAL fsyncs before its acknowledgement`).toBeGreaterThan(0)
    }
  }, 120_000)
})
