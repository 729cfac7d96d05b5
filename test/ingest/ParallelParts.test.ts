/** The ingest engine with several parts in flight (STREAM_PARALLEL_PARTS): order, resume, quota, finalization reads. */
import { randomBytes } from "node:crypto"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Fiber, Metric } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../src/domain/quota/QuotaAggregate.ts"
import type { GrowingSource } from "../../src/ingest/GrowingSource.ts"
import { ingestStream, type IngestOptions } from "../../src/ingest/IngestEngine.ts"
import { nodeFileSource } from "../../src/ingest/node/NodeFileSource.ts"
import { streamPartsUploaded } from "../../src/observability/StreamMetrics.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { Streams } from "../../src/streams/Streams.ts"
import { CHUNK, type IngestHarness, MiB, sha256Of, startIngest } from "./IngestHarness.ts"

const alice = { userId: "alice", roles: ["user" as const] }
const options: IngestOptions = { chunkSizeBytes: CHUNK, idleTimeoutMs: 800, pollMs: 50, parallelParts: 4 }
let h: IngestHarness
let n = 0
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${++n}`

beforeAll(async () => {
  h = await startIngest()
}, 60_000)
afterAll(() => h?.stop())

/** A finished file of `bytes` random bytes; returns its path and content. */
const fileOf = async (id: string, bytes: number) => {
  const path = join(h.dir, `${id}.mp4`)
  const content = randomBytes(bytes)
  await writeFile(path, content)
  return { path, content }
}

/** A real file source that counts the bytes read from it (and can say it is not rewritable, as pushed bytes are). */
const counted = (path: string, rewritable: boolean) => {
  const file = nodeFileSource(path)
  const reads = { bytes: 0 }
  const source: GrowingSource = { ...file, rewritable, read: (offset, length) => Effect.tap(file.read(offset, length), () => Effect.sync(() => void (reads.bytes += length))) }
  return { source, reads }
}

const ingest = (streamId: string, source: GrowingSource, owner = alice) =>
  h.runtime.runFork(Effect.gen(function*() {
    const streams = yield* Streams
    const { state } = yield* streams.current(streamId)
    if (state.status === "Idle") yield* streams.start({ streamId, owner, source: "watch" })
    return yield* ingestStream(streams, streamId, source, options)
  }))

/** Parts stored in the object store by the engine so far (the /metrics counter). */
const partsUploaded = () => Effect.runPromise(Metric.value(streamPartsUploaded)).then((s) => s.count)
const partEvents = async (streamId: string) => (await h.events(`stream-${streamId}`)).filter((e) => e.type === "StreamPartUploaded")
const listed = (streamId: string) =>
  h.run(Effect.gen(function*() {
    const { multipart } = yield* Effect.flatMap(Streams, (s) => s.active(streamId))
    if (multipart === null) return []
    return yield* ObjectStore.use((s) => s.listParts(multipart.key, multipart.uploadId))
  }).pipe(Effect.orElseSucceed(() => [])))

describe("ingest engine: parts in flight", () => {
  it("records parts uploaded in parallel in part order, contiguous, and the original is the file", async () => {
    const id = fresh("order")
    const { path, content } = await fileOf(id, 7 * CHUNK + MiB)
    const { source, reads } = counted(path, true)
    const outcome = await h.runtime.runPromise(Fiber.join(ingest(id, source)))
    expect(outcome.status).toBe("finalized")
    const parts = await partEvents(id)
    expect(parts.map((p) => p.data.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(parts.map((p) => p.data.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => i * CHUNK))
    expect((await h.object(`originals/${id}`)).sha256).toBe(sha256Of(content))
    // sealing reads each byte once; the rewrite check once more; the digest came from sealing (no third read)
    expect(reads.bytes).toBe(2 * content.byteLength)
  }, 30_000)

  it("does not read a source that is not rewritable again at finalization: the running digest is the original's", async () => {
    const id = fresh("noreread")
    const { path, content } = await fileOf(id, 3 * CHUNK + 123)
    const { source, reads } = counted(path, false)
    const outcome = await h.runtime.runPromise(Fiber.join(ingest(id, source)))
    expect(outcome.status).toBe("finalized")
    expect(reads.bytes).toBe(content.byteLength)
    const finalized = (await h.events(`stream-${id}`)).find((e) => e.type === "StreamFinalized")!
    expect(finalized.data).toMatchObject({ sha256: sha256Of(content), totalSize: content.byteLength, chunkCount: 4 })
  }, 30_000)

  it("adopts every part a crashed ingester uploaded but did not record, in order, up to the first whose bytes differ", async () => {
    const id = fresh("orphans")
    const { path, content } = await fileOf(id, 6 * CHUNK + MiB)
    const chunk = (i: number) => new Uint8Array(content.subarray(i * CHUNK, (i + 1) * CHUNK))
    // the crashed run: parts 1 and 2 recorded; 3, 4 stored but not recorded; 5 stored with other bytes; 6 stored
    await h.run(Effect.gen(function*() {
      const streams = yield* Streams
      yield* streams.start({ streamId: id, owner: alice, source: "watch" })
      for (const i of [0, 1]) yield* streams.uploadPart({ streamId: id, partNumber: i + 1, offset: i * CHUNK, bytes: chunk(i), observedBytes: content.byteLength })
    }))
    const state = await h.run(Effect.flatMap(Streams, (s) => s.active(id)))
    const store = (partNumber: number, bytes: Uint8Array) =>
      h.run(ObjectStore.use((s) => s.uploadPart(state.multipart!.key, state.multipart!.uploadId, partNumber, bytes, bytes.byteLength)))
    const orphan3 = await store(3, chunk(2))
    const orphan4 = await store(4, chunk(3))
    const wrong5 = await store(5, randomBytes(CHUNK))
    await store(6, chunk(5))
    const before = await partsUploaded()
    const outcome = await h.runtime.runPromise(Fiber.join(ingest(id, nodeFileSource(path))))
    expect(outcome.status).toBe("finalized")
    const parts = await partEvents(id)
    expect(parts.map((p) => p.data.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(parts.map((p) => p.data.offset)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => i * CHUNK))
    expect([parts[2]?.data.etag, parts[3]?.data.etag]).toEqual([orphan3, orphan4])
    expect(parts[4]?.data.etag).not.toBe(wrong5)
    // 3 and 4 adopted, not uploaded again; 5 (other bytes), 6 (after it) and the tail uploaded
    expect(await partsUploaded() - before).toBe(3)
    expect((await h.object(`originals/${id}`)).sha256).toBe(sha256Of(content))
    const reserved = (await h.events("quota-alice")).filter((e) => e.data.uploadId === id && e.type !== "ReservationReleased").at(-1)
    expect(reserved?.data.bytes).toBe(content.byteLength)
  }, 30_000)

  it("resumes after the ingester was stopped with several parts in flight: no part event twice or missing, the same final hash", async () => {
    const id = fresh("killed")
    const { path, content } = await fileOf(id, 10 * CHUNK + MiB)
    const first = ingest(id, nodeFileSource(path))
    // stopped once two parts are recorded: the next ones are in flight (some stored, not recorded; some half sent)
    while ((await partEvents(id)).length < 2) await new Promise((r) => setTimeout(r, 5))
    await h.runtime.runPromise(Fiber.interrupt(first))
    const recorded = (await partEvents(id)).length
    const stored = (await listed(id)).length
    const second = ingest(id, nodeFileSource(path))
    const outcome = await h.runtime.runPromise(Fiber.join(second))
    expect(outcome.status).toBe("finalized")
    const parts = await partEvents(id)
    expect(parts.map((p) => p.data.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect(parts.map((p) => p.data.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => i * CHUNK))
    expect((await h.object(`originals/${id}`)).sha256).toBe(sha256Of(await readFile(path)))
    expect(recorded).toBeLessThan(11)
    expect(stored).toBeGreaterThanOrEqual(recorded)
  }, 40_000)
})

describe("ingest engine: quota with parts in flight", () => {
  it("never stores the chunk that would cross the quota; the parts in flight before it are recorded, then the stream fails", async () => {
    const id = fresh("quota")
    const bob = { userId: `bob-${n}`, roles: ["user" as const] }
    // 17 MiB a week: parts 1-3 (15 MiB) fit, part 4 would cross
    await h.run(ActorSystem.use((a) =>
      a.send(QuotaAggregate, bob.userId, {
        command: { _tag: "SetQuotaLimit", userId: bob.userId, limitBytes: 17 * MiB, reason: "test" },
        actor: { userId: "root", roles: ["admin"] }
      })
    ))
    const { path } = await fileOf(id, 6 * CHUNK)
    const outcome = await h.runtime.runPromise(Fiber.join(ingest(id, nodeFileSource(path), bob)))
    expect(outcome).toMatchObject({ status: "failed", reason: "quota-exceeded" })
    expect((await partEvents(id)).map((p) => p.data.partNumber)).toEqual([1, 2, 3])
    const events = await h.events(`stream-${id}`)
    expect(events.at(-1)?.type).toBe("StreamFailed")
    const quota = await h.events(`quota-${bob.userId}`)
    expect(quota.map((e) => e.type)).toEqual(["QuotaLimitSet", "UploadReserved", "ReservationGrown", "ReservationGrown", "ReservationReleased"])
  }, 30_000)
})
