/**
 * The chunk step on real parts (PostgreSQL, fs object store): the original is the staged bytes re-cut into
 * parts; a retry after some parts were recorded uploads only the rest; when the multipart upload was
 * lost it starts over; missing staged bytes fail for good.
 */
import { createHash, randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import type { Digests } from "../../src/digest/Digests.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { UploadAggregate } from "../../src/domain/upload/UploadAggregate.ts"
import type { ChunkPart } from "../../src/domain/upload/UploadState.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import type { EventStore } from "../../src/eventstore/EventStore.ts"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { NodeDigests } from "../../src/runtime/NodeDigests.ts"
import { SYSTEM_ACTOR } from "../../src/uploads/SystemActor.ts"
import { originalKey, stagingKey } from "../../src/uploads/UploadObjectKeys.ts"
import { chunkStep } from "../../src/workers/ChunkStep.ts"
import type { StepContext } from "../../src/workers/StepContext.ts"
import { classifyFailure } from "../../src/workers/StepFailure.ts"
import { type FreshPostgresSchema, freshPostgresSchema } from "../support/postgres.ts"

const MiB = 1024 * 1024
const PART = 5 * MiB
type Services = ActorSystem | EventStore | ObjectStore | Digests

let dir: string
let pg: FreshPostgresSchema
let runtime: ManagedRuntime.ManagedRuntime<Services, unknown>
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kf-chunk-"))
  pg = await freshPostgresSchema("kf_chunk")
  runtime = ManagedRuntime.make(Layer.mergeAll(
    ActorSystem.layer({ mailboxSize: 100, idleMillis: 60_000, maxLive: 100, maxConflictRetries: 3, settings: defaultDomainSettings }).pipe(
      Layer.provideMerge(PostgresEventStore.layer({ url: pg.url, schema: pg.schema }))
    ),
    FsObjectStore.layer({ root: join(dir, "objects") }),
    NodeDigests.layer,
    Logger.layer([])
  )) as ManagedRuntime.ManagedRuntime<Services, unknown>
  await runtime.runPromise(Effect.void)
}, 60_000)
afterAll(async () => {
  await runtime?.dispose()
  await pg?.drop()
  rmSync(dir, { recursive: true, force: true })
})

const alice = { userId: "alice", roles: ["user"] } as const
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** An upload whose bytes arrived in three staged pieces (as three tus PATCHes would leave them), then claimed. */
const receivedUpload = (uploadId: string, data: Uint8Array, pieces: ReadonlyArray<number>) =>
  runtime.runPromise(Effect.gen(function*() {
    const actors = yield* ActorSystem
    const store = yield* ObjectStore
    yield* actors.send(UploadAggregate, uploadId, {
      command: { _tag: "CreateUpload", uploadId, filename: "big.mp4", declaredSize: data.length, contentType: "video/mp4" },
      actor: alice
    })
    let offset = 0
    for (const length of pieces) {
      yield* store.put(stagingKey(uploadId, offset), data.subarray(offset, offset + length))
      yield* actors.send(UploadAggregate, uploadId, { command: { _tag: "AppendBytes", uploadId, offset, length }, actor: alice })
      offset += length
    }
  }))

/** Claims the chunk step with a 1 ms lease (so the next claim may take over at once). */
const claim = (uploadId: string, workerId: string) =>
  runtime.runPromise(Effect.gen(function*() {
    const actors = yield* ActorSystem
    const result = yield* actors.send(UploadAggregate, uploadId, {
      command: { _tag: "ClaimStep", uploadId, step: "chunk", workerId, leaseMs: 1 },
      actor: SYSTEM_ACTOR
    })
    yield* Effect.sleep("5 millis")
    const event = result.events[0]!
    return event._tag === "StepClaimed" ? event.attempt : 0
  }))

/** A step context for `workerId`'s claim, recording chunks through the aggregate and noting their part numbers. */
const contextFor = (uploadId: string, workerId: string, attempt: number, recorded: Array<number>) =>
  runtime.runPromise(Effect.gen(function*() {
    const actors = yield* ActorSystem
    const { state } = yield* actors.current(UploadAggregate, uploadId)
    if (state.status === "Initial") throw new Error("no upload")
    const ctx: StepContext = {
      uploadId,
      step: "chunk",
      attempt,
      workerId,
      upload: state,
      chunkSizeBytes: PART,
      recordChunk: (multipartUploadId: string, part: ChunkPart) =>
        actors.send(UploadAggregate, uploadId, {
          command: { _tag: "RecordChunk", uploadId, workerId, attempt, multipartUploadId, ...part },
          actor: SYSTEM_ACTOR
        }).pipe(Effect.tap(() => Effect.sync(() => void recorded.push(part.partNumber))), Effect.asVoid, Effect.orDie),
      milestone: () => Effect.void,
      progress: () => {}
    }
    return ctx
  }))

const originalBytes = (uploadId: string) =>
  runtime.runPromise(ObjectStore.use((s) =>
    Effect.flatMap(s.get(originalKey(uploadId)), (got) =>
      Effect.promise(async () => new Uint8Array(await new Response(got.body).arrayBuffer())))
  ))

describe("chunk step", () => {
  it("re-cuts the staged pieces into CHUNK_SIZE parts, and a retry uploads only the parts after the last recorded one", async () => {
    const data = new Uint8Array(randomBytes(16 * MiB + 123))
    await receivedUpload("up-resume", data, [3 * MiB, 7 * MiB, 6 * MiB + 123])
    // Attempt 1 stored and recorded parts 1 and 2, then died.
    const first = await claim("up-resume", "w-1")
    await runtime.runPromise(Effect.gen(function*() {
      const store = yield* ObjectStore
      const actors = yield* ActorSystem
      const id = yield* store.createMultipartUpload(originalKey("up-resume"), { contentType: "video/mp4" })
      for (const n of [1, 2]) {
        const bytes = data.subarray((n - 1) * PART, n * PART)
        const etag = yield* store.uploadPart(originalKey("up-resume"), id, n, bytes, bytes.length)
        yield* actors.send(UploadAggregate, "up-resume", {
          command: { _tag: "RecordChunk", uploadId: "up-resume", workerId: "w-1", attempt: first, multipartUploadId: id, partNumber: n, etag, size: bytes.length },
          actor: SYSTEM_ACTOR
        })
      }
    }))
    const attempt = await claim("up-resume", "w-2")
    expect(attempt).toBe(2)
    const recorded: Array<number> = []
    const result = await runtime.runPromise(chunkStep(await contextFor("up-resume", "w-2", attempt, recorded)))
    expect(recorded).toEqual([3, 4])
    expect(result.details).toEqual({ original: "originals/up-resume", sizeBytes: data.length, sha256: sha(data), parts: 4 })
    expect(sha(await originalBytes("up-resume"))).toBe(sha(data))
  })

  it("starts the original over when the recorded multipart upload is gone", async () => {
    const data = new Uint8Array(randomBytes(11 * MiB))
    await receivedUpload("up-lost", data, [11 * MiB])
    const first = await claim("up-lost", "w-1")
    await runtime.runPromise(Effect.gen(function*() {
      const store = yield* ObjectStore
      const actors = yield* ActorSystem
      const id = yield* store.createMultipartUpload(originalKey("up-lost"))
      const etag = yield* store.uploadPart(originalKey("up-lost"), id, 1, data.subarray(0, PART), PART)
      yield* actors.send(UploadAggregate, "up-lost", {
        command: { _tag: "RecordChunk", uploadId: "up-lost", workerId: "w-1", attempt: first, multipartUploadId: id, partNumber: 1, etag, size: PART },
        actor: SYSTEM_ACTOR
      })
      yield* store.abortMultipartUpload(originalKey("up-lost"), id)
    }))
    const attempt = await claim("up-lost", "w-2")
    const recorded: Array<number> = []
    const result = await runtime.runPromise(chunkStep(await contextFor("up-lost", "w-2", attempt, recorded)))
    expect(recorded).toEqual([1, 2, 3])
    expect(result.details?.["sha256"]).toBe(sha(data))
    expect(sha(await originalBytes("up-lost"))).toBe(sha(data))
  })

  it("fails for good, with a readable reason, when staged bytes are missing", async () => {
    const data = new Uint8Array(randomBytes(2 * MiB))
    await receivedUpload("up-missing", data, [MiB, MiB])
    await runtime.runPromise(ObjectStore.use((s) => s.delete(stagingKey("up-missing", MiB))))
    const attempt = await claim("up-missing", "w-1")
    const exit = await runtime.runPromiseExit(chunkStep(await contextFor("up-missing", "w-1", attempt, [])))
    expect(exit._tag).toBe("Failure")
    if (exit._tag !== "Failure") return
    const failure = classifyFailure(exit.cause, 300)
    expect(failure).toMatchObject({ retryable: false, leaseLost: false })
    expect(failure.reason).toMatch(/^the uploaded bytes at offset 1048576 are missing from storage/)
  })
})
