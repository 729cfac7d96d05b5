/** The ingest engine on real files growing over time and the real S3 server (s3rver). */
import { open, readFile, rm, truncate, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Exit, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { QuotaAggregate } from "../../src/domain/quota/QuotaAggregate.ts"
import { ingestStream, type IngestOptions } from "../../src/ingest/IngestEngine.ts"
import { nodeFileSource } from "../../src/ingest/node/NodeFileSource.ts"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { Streams } from "../../src/streams/Streams.ts"
import { CHUNK, growFile, type IngestHarness, MiB, sha256Of, startIngest } from "./IngestHarness.ts"

const alice = { userId: "alice", roles: ["user" as const] }
const options: IngestOptions = { chunkSizeBytes: CHUNK, idleTimeoutMs: 1200, pollMs: 50, parallelParts: 3 }
let h: IngestHarness
let n = 0
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${++n}`

beforeAll(async () => {
  h = await startIngest()
}, 60_000)
afterAll(() => h?.stop())

/** Starts a stream for a file and runs the engine in the background. */
const ingest = (streamId: string, path: string) =>
  h.runtime.runFork(Effect.gen(function*() {
    const streams = yield* Streams
    const { state } = yield* streams.current(streamId)
    if (state.status === "Idle") yield* streams.start({ streamId, owner: alice, source: "watch", sourceRef: path })
    return yield* ingestStream(streams, streamId, nodeFileSource(path), options)
  }))

const partEvents = async (streamId: string) => (await h.events(`stream-${streamId}`)).filter((e) => e.type === "StreamPartUploaded")

describe("ingest engine", () => {
  it("seals a file growing in bursts into parts, ends it on idle, and the original is the file byte for byte", async () => {
    const id = fresh("grow")
    const path = join(h.dir, `${id}.mp4`)
    await writeFile(path, new Uint8Array())
    const fiber = ingest(id, path)
    const fileSha = await growFile(path, 10, 1.25 * MiB, 120) // 12.5 MiB over ~1.1 s: 2 full parts and a tail
    const outcome = await h.runtime.runPromise(Fiber.join(fiber))
    expect(outcome.status).toBe("finalized")
    const parts = await partEvents(id)
    expect(parts.map((p) => [p.data.partNumber, p.data.size])).toEqual([[1, CHUNK], [2, CHUNK], [3, 2.5 * MiB]])
    const finalized = (await h.events(`stream-${id}`)).find((e) => e.type === "StreamFinalized")!
    expect(finalized.data).toMatchObject({ totalSize: 12.5 * MiB, chunkCount: 3, sha256: fileSha, rewrittenParts: [] })
    expect(await h.object(`originals/${id}`)).toEqual({ sha256: fileSha, size: 12.5 * MiB })
    expect((await h.events(`stream-${id}`)).find((e) => e.type === "StreamEnded")?.data.reason).toBe("timeout")
  }, 30_000)

  it("uploads again the part a plain-MP4 recorder rewrote on close (the mdat size at the start)", async () => {
    const id = fresh("rewrite")
    const path = join(h.dir, `${id}.mp4`)
    await writeFile(path, new Uint8Array())
    const fiber = ingest(id, path)
    await growFile(path, 6, 2 * MiB, 100)
    const file = await open(path, "r+")
    await file.write(new Uint8Array([0, 0, 0, 42, 109, 100, 97, 116]), 0, 8, 0) // a new `mdat` header at offset 0
    await file.close()
    const outcome = await h.runtime.runPromise(Fiber.join(fiber))
    expect(outcome.status).toBe("finalized")
    const fileSha = sha256Of(await readFile(path))
    const events = await h.events(`stream-${id}`)
    expect(events.filter((e) => e.type === "StreamPartRewritten").map((e) => e.data.partNumber)).toEqual([1])
    expect(events.find((e) => e.type === "StreamFinalized")?.data).toMatchObject({ sha256: fileSha, rewrittenParts: [1] })
    expect((await h.object(`originals/${id}`)).sha256).toBe(fileSha)
  }, 30_000)

  it("resumes after the ingester was killed midway: no part event twice, no gap, the same final hash", async () => {
    const id = fresh("resume")
    const path = join(h.dir, `${id}.mp4`)
    await writeFile(path, new Uint8Array())
    const first = ingest(id, path)
    const writing = growFile(path, 16, MiB, 100)
    while ((await partEvents(id)).length < 2) await new Promise((r) => setTimeout(r, 50))
    await h.runtime.runPromise(Fiber.interrupt(first))
    // a part uploaded but never recorded (a crash between the two): found with ListParts and adopted, not uploaded again
    const state = await h.run(Effect.flatMap(Streams, (s) => s.active(id)))
    while ((await readFile(path)).byteLength < 3 * CHUNK) await new Promise((r) => setTimeout(r, 50))
    const third = new Uint8Array(await readFile(path)).subarray(2 * CHUNK, 3 * CHUNK)
    const orphanEtag = await h.run(ObjectStore.use((s) => s.uploadPart(state.multipart!.key, state.multipart!.uploadId, 3, third, third.byteLength)))
    const second = ingest(id, path)
    const fileSha = await writing
    const outcome = await h.runtime.runPromise(Fiber.join(second))
    expect(outcome.status).toBe("finalized")
    const parts = await partEvents(id)
    expect(parts.map((p) => p.data.partNumber)).toEqual([1, 2, 3, 4])
    expect(parts[2]?.data.etag).toBe(orphanEtag)
    expect(parts.map((p) => p.data.offset)).toEqual([0, CHUNK, 2 * CHUNK, 3 * CHUNK])
    expect((await h.object(`originals/${id}`)).sha256).toBe(fileSha)
  }, 40_000)

  it("fails a stream whose file was deleted, and aborts its multipart upload", async () => {
    const id = fresh("gone")
    const path = join(h.dir, `${id}.mp4`)
    await writeFile(path, new Uint8Array())
    const fiber = ingest(id, path)
    await growFile(path, 3, 2 * MiB, 50)
    while ((await partEvents(id)).length < 1) await new Promise((r) => setTimeout(r, 50))
    await rm(path)
    const outcome = await h.runtime.runPromise(Fiber.join(fiber))
    expect(outcome).toMatchObject({ status: "failed", reason: "source-vanished" })
    const events = await h.events(`stream-${id}`)
    const multipart = events.find((e) => e.type === "StreamMultipartStarted")!.data
    const listed = await h.runtime.runPromiseExit(ObjectStore.use((s) => s.listParts(multipart.key, multipart.multipartUploadId)))
    expect(Exit.isFailure(listed)).toBe(true)
    const quota = await h.events("quota-alice")
    expect(quota.filter((e) => e.type === "ReservationReleased" && e.data.uploadId === id)).toHaveLength(1)
  }, 30_000)

  it("fails a stream whose file was truncated below the stored offset", async () => {
    const id = fresh("shrunk")
    const path = join(h.dir, `${id}.mp4`)
    await writeFile(path, new Uint8Array())
    const fiber = ingest(id, path)
    await growFile(path, 3, 2 * MiB, 50)
    while ((await partEvents(id)).length < 1) await new Promise((r) => setTimeout(r, 50))
    await truncate(path, 1000)
    const outcome = await h.runtime.runPromise(Fiber.join(fiber))
    expect(outcome).toMatchObject({ status: "failed", reason: "source-shrank" })
    expect((await h.events(`stream-${id}`)).at(-1)?.data.detail).toMatch(/shrank to 1000 bytes, below the 5242880 bytes already stored/)
  }, 30_000)

  it("ingests two files at once as two independent streams", async () => {
    const [a, b] = [fresh("two-a"), fresh("two-b")]
    const [pa, pb] = [join(h.dir, `${a}.mp4`), join(h.dir, `${b}.mp4`)]
    await Promise.all([writeFile(pa, new Uint8Array()), writeFile(pb, new Uint8Array())])
    const [fa, fb] = [ingest(a, pa), ingest(b, pb)]
    const [sa, sb] = await Promise.all([growFile(pa, 4, 2 * MiB, 80), growFile(pb, 7, MiB, 60)])
    const outcomes = await Promise.all([h.runtime.runPromise(Fiber.join(fa)), h.runtime.runPromise(Fiber.join(fb))])
    expect(outcomes.map((o) => o.status)).toEqual(["finalized", "finalized"])
    expect((await h.object(`originals/${a}`)).sha256).toBe(sa)
    expect((await h.object(`originals/${b}`)).sha256).toBe(sb)
    expect((await partEvents(a)).length).toBe(2)
    expect((await partEvents(b)).length).toBe(2)
  }, 30_000)
})

describe("ingest engine: quota", () => {
  it("stops the stream at the chunk that crosses the weekly quota, with a readable reason, and gives the reservation back", async () => {
    const id = fresh("quota")
    const path = join(h.dir, `${id}.mp4`)
    await writeFile(path, new Uint8Array())
    const bob = { userId: `bob-${n}`, roles: ["user" as const] }
    // bob may upload 8 MiB a week: the second 5 MiB chunk crosses it
    await h.run(ActorSystem.use((a) =>
      a.send(QuotaAggregate, bob.userId, {
        command: { _tag: "SetQuotaLimit", userId: bob.userId, limitBytes: 8 * MiB, reason: "test" },
        actor: { userId: "root", roles: ["admin"] }
      })
    ))
    const fiber = h.runtime.runFork(Effect.gen(function*() {
      const streams = yield* Streams
      yield* streams.start({ streamId: id, owner: bob, source: "watch" })
      return yield* ingestStream(streams, id, nodeFileSource(path), options)
    }))
    await growFile(path, 6, 2 * MiB, 50)
    const outcome = await h.runtime.runPromise(Fiber.join(fiber))
    expect(outcome).toMatchObject({ status: "failed", reason: "quota-exceeded" })
    if (outcome.status === "failed") expect(outcome.detail).toMatch(/^Weekly upload quota exceeded: 5 MiB requested, 3 MiB of 8 MiB left/)
    expect((await partEvents(id)).length).toBe(1)
    const quota = await h.events(`quota-${bob.userId}`)
    expect(quota.map((e) => e.type)).toEqual(["QuotaLimitSet", "UploadReserved", "ReservationReleased"])
  }, 30_000)
})

describe("ingest engine: parts uploaded while written (growingParts)", () => {
  it("streams each part out as its chunk grows, abandons the one the file never fills, and the original is still the file byte for byte", async () => {
    const id = fresh("growing")
    const path = join(h.dir, `${id}.mp4`)
    await writeFile(path, new Uint8Array())
    const file = nodeFileSource(path)
    const reads: Array<[number, number]> = []
    const counted = { ...file, read: (offset: number, length: number) => (reads.push([offset, length]), file.read(offset, length)) }
    const fiber = h.runtime.runFork(Effect.gen(function*() {
      const streams = yield* Streams
      yield* streams.start({ streamId: id, owner: alice, source: "watch", sourceRef: path })
      return yield* ingestStream(streams, id, counted, { ...options, growingParts: true })
    }))
    const fileSha = await growFile(path, 10, 1.25 * MiB, 150) // 12.5 MiB over ~1.5 s: 2 full parts and a tail
    const outcome = await h.runtime.runPromise(Fiber.join(fiber))
    expect(outcome.status).toBe("finalized")
    // the same parts, numbers and sizes as sealing whole chunks: the growing third part was abandoned for the tail
    const parts = await partEvents(id)
    expect(parts.map((p) => [p.data.partNumber, p.data.size])).toEqual([[1, CHUNK], [2, CHUNK], [3, 2.5 * MiB]])
    expect(parts.map((p) => p.data.partNumber)).toEqual([...new Set(parts.map((p) => p.data.partNumber))])
    const finalized = (await h.events(`stream-${id}`)).find((e) => e.type === "StreamFinalized")!
    expect(finalized.data).toMatchObject({ totalSize: 12.5 * MiB, chunkCount: 3, sha256: fileSha, rewrittenParts: [] })
    expect(await h.object(`originals/${id}`)).toEqual({ sha256: fileSha, size: 12.5 * MiB })
    // the second chunk went out in pieces as it was written (sealing reads a whole chunk at once; so does the
    // finalization's check for rewritten parts, once): never sealed, so read whole only once
    const inSecondChunk = reads.filter(([offset]) => offset >= CHUNK && offset < 2 * CHUNK)
    expect(inSecondChunk.filter(([, length]) => length < CHUNK).length).toBeGreaterThan(1)
    expect(inSecondChunk.filter(([, length]) => length === CHUNK).length).toBe(1)
  }, 30_000)
})
