/**
 * Real parts for the ingest tests: an embedded event store (PGlite in memory), the actor system, the S3 server
 * (s3rver), the node digests and the Streams service; plus a writer that grows a file in bursts.
 */
import { appendFile, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createHash, randomBytes } from "node:crypto"
import { Effect, Layer, Logger, ManagedRuntime, Stream } from "effect"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { defaultDomainSettings, type DomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { S3ObjectStore } from "../../src/objectstore/s3/S3ObjectStore.ts"
import { NodeDigests } from "../../src/runtime/NodeDigests.ts"
import { Streams } from "../../src/streams/Streams.ts"
import { startS3 } from "../support/s3.ts"

export const MiB = 1024 * 1024
export const CHUNK = 5 * MiB

export const startIngest = async (settings: Partial<DomainSettings> = {}) => {
  const s3 = await startS3()
  const dir = await mkdtemp(join(tmpdir(), "kf-ingest-"))
  const runtime = ManagedRuntime.make(
    Streams.layer.pipe(
      Layer.provideMerge(Layer.mergeAll(
        ActorSystem.layer({
          mailboxSize: 100,
          idleMillis: 60_000,
          maxLive: 1000,
          maxConflictRetries: 3,
          settings: { ...defaultDomainSettings, chunkSizeBytes: CHUNK, ...settings }
        }).pipe(Layer.provideMerge(PgliteEventStore.layer({}))),
        S3ObjectStore.layer(s3.options),
        NodeDigests.layer
      )),
      Layer.provideMerge(Logger.layer([]))
    )
  )
  await runtime.runPromise(Effect.void)
  const run = <A, E>(effect: Effect.Effect<A, E, Streams | ActorSystem | EventStore | ObjectStore>) => runtime.runPromise(effect)
  return {
    dir,
    run,
    runtime,
    events: (stream: string) =>
      run(EventStore.use((s) => s.readStream(stream))).then((es) => es.map((e) => ({ type: e.type, data: e.data as Record<string, any> }))),
    object: async (key: string) => {
      const got = await run(ObjectStore.use((s) => Effect.flatMap(s.get(key), (r) => Stream.runCollect(Stream.fromReadableStream({ evaluate: () => r.body, onError: (e) => e })))))
      const hash = createHash("sha256")
      let size = 0
      for (const chunk of got) {
        hash.update(chunk)
        size += chunk.byteLength
      }
      return { sha256: hash.digest("hex"), size }
    },
    stop: async () => {
      await runtime.dispose()
      await s3.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

export type IngestHarness = Awaited<ReturnType<typeof startIngest>>

/** Appends random bytes to `path` in `bursts` of `burstBytes`, `pauseMs` apart; returns the file's SHA-256 hasher input as it grows. */
export const growFile = async (path: string, bursts: number, burstBytes: number, pauseMs: number) => {
  const hash = createHash("sha256")
  for (let i = 0; i < bursts; i++) {
    const bytes = randomBytes(burstBytes)
    await appendFile(path, bytes)
    hash.update(bytes)
    if (i < bursts - 1) await new Promise((r) => setTimeout(r, pauseMs))
  }
  return hash.digest("hex")
}

export const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")
