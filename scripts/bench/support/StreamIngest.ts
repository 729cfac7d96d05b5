/**
 * The one place the ingest benchmark calls the stream ingester: the Streams service and the ingest engine
 * (src/ingest/IngestEngine.ts) over the node file source, on the embedded event store (PGlite in memory) and
 * the S3 server given. The file grows at full speed and is followed into a multipart upload of
 * `originals/<streamId>`, chunk by chunk; `end()` when the writer is done (as `POST /streams/:id/end` would
 * say), so the run does not wait out STREAM_TIMEOUT_SECONDS.
 */
import { Effect, Fiber, Layer, Logger, ManagedRuntime, Queue } from "effect"
import { ActorSystem } from "../../../src/actors/ActorSystem.ts"
import { defaultDomainSettings } from "../../../src/domain/shared/DomainSettings.ts"
import { uploadedBytes } from "../../../src/domain/stream/StreamState.ts"
import { PgliteEventStore } from "../../../src/eventstore/embedded/PgliteEventStore.ts"
import { ingestStream } from "../../../src/ingest/IngestEngine.ts"
import { nodeFileSource } from "../../../src/ingest/node/NodeFileSource.ts"
import { S3ObjectStore, type S3ObjectStoreOptions } from "../../../src/objectstore/s3/S3ObjectStore.ts"
import { NodeDigests } from "../../../src/runtime/NodeDigests.ts"
import { Streams } from "../../../src/streams/Streams.ts"
import { originalKey } from "../../../src/uploads/UploadObjectKeys.ts"

export interface IngestInput {
  /** The growing file (the writer creates it before the ingester starts). */
  readonly file: string
  readonly s3: S3ObjectStoreOptions
  /** CHUNK_SIZE_MB in bytes: each sealed chunk is one part. */
  readonly chunkSizeBytes: number
  /** STREAM_PARALLEL_PARTS: parts uploading at once. */
  readonly parallelParts: number
}

export interface IngestRun {
  /** Bytes of the file stored as parts so far (sealed and uploaded). */
  uploadedBytes(): number
  /** The writer finished: seal the tail as the last part and complete the multipart upload. */
  end(): void
  /** Resolves once the object is complete in S3: its key, size and part count. */
  readonly completed: Promise<{ readonly key: string; readonly size: number; readonly parts: number }>
  /** Releases whatever the ingester holds (its event store, actors). */
  stop(): Promise<void>
}

const GiB = 1024 ** 3
const owner = { userId: "bench", roles: ["user" as const] }

/** Starts following `input.file`. */
export const startIngest = async (input: IngestInput): Promise<IngestRun> => {
  const runtime = ManagedRuntime.make(
    Streams.layer.pipe(
      Layer.provideMerge(Layer.mergeAll(
        ActorSystem.layer({
          mailboxSize: 100,
          idleMillis: 60_000,
          maxLive: 100,
          maxConflictRetries: 3,
          // room for a 1 GiB run in the week's allowance and the file size limit
          settings: { ...defaultDomainSettings, chunkSizeBytes: input.chunkSizeBytes, weeklyUploadLimitBytes: 64 * GiB, maxFileSizeBytes: 64 * GiB }
        }).pipe(Layer.provideMerge(PgliteEventStore.layer({}))),
        S3ObjectStore.layer(input.s3),
        NodeDigests.layer
      )),
      Layer.provideMerge(Logger.layer([]))
    )
  )
  const streamId = `bench-${Date.now().toString(36)}`
  const file = nodeFileSource(input.file)
  let ended = false
  // the file source, told when its producer is done (a watched file never says so; a push does)
  const source = { ...file, snapshot: Effect.map(file.snapshot, (snap) => snap && { ...snap, ended }) }
  let stored = 0
  const wake = await runtime.runPromise(Queue.dropping<void>(1))
  const fiber = runtime.runFork(Effect.gen(function*() {
    const streams = yield* Streams
    yield* streams.start({ streamId, owner, source: "watch", sourceRef: input.file })
    const progress = yield* Effect.forkChild(Effect.forever(Effect.andThen(
      Effect.sleep("20 millis"),
      Effect.map(streams.current(streamId), ({ state }) => {
        if ("parts" in state) stored = uploadedBytes(state.parts)
      })
    )))
    const outcome = yield* ingestStream(streams, streamId, source, { chunkSizeBytes: input.chunkSizeBytes, idleTimeoutMs: 600_000, pollMs: 20, parallelParts: input.parallelParts, growingParts: process.env.GROWING_PARTS !== "0", wake })
    yield* Fiber.interrupt(progress)
    if (outcome.status !== "finalized") return yield* Effect.fail(new Error(`the stream ended ${outcome.status}: ${JSON.stringify(outcome)}`))
    const { state } = yield* streams.current(streamId)
    if (state.status !== "Finalized") return yield* Effect.fail(new Error(`the stream is ${state.status} after its finalization`))
    stored = state.totalSize
    return { key: originalKey(streamId), size: state.totalSize, parts: state.partCount }
  }))
  return {
    uploadedBytes: () => stored,
    end: () => {
      ended = true
      Queue.offerUnsafe(wake, undefined)
    },
    completed: runtime.runPromise(Fiber.join(fiber)),
    stop: () => runtime.dispose()
  }
}
