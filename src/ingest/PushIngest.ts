/**
 * The ingest engines of HTTP-pushed streams in this process (runtime neutral): one engine per stream, fed by
 * its staged bytes (StagedSource.ts), the same IngestEngine the watch folder runs. The push routes start it
 * when they create a stream and on the first request for a stream that has none here (a restarted process: the
 * engine resumes from the stream's events), and wake it after each acknowledged body or the end, so it seals
 * at once instead of at its next poll. At start, the engines of pushed streams left live or ended are resumed
 * too, so an idle one still times out and an ended one is finalized without waiting for a request.
 *
 * An engine that stops on an error is started again with backoff while its stream is live or ended (staged
 * bytes that are gone fail the stream instead: it cannot be completed). Engines
 * are per process: a stream's requests must reach one API node (as tus's; route `/streams/:id` by id).
 */
import { Cause, Context, Effect, Exit, Layer, Queue, Semaphore } from "effect"
import { Digests } from "../digest/Digests.ts"
import { StreamAggregate } from "../domain/stream/StreamAggregate.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import { ObjectStore } from "../objectstore/ObjectStore.ts"
import { Streams } from "../streams/Streams.ts"
import { ingestStream, type IngestOutcome } from "./IngestEngine.ts"
import { StagedBytesMissing, stagedSource } from "./StagedSource.ts"

export interface PushIngestOptions {
  readonly chunkSizeBytes: number
  /** STREAM_TIMEOUT_SECONDS in ms: a pushed stream without a new body for this long ends. */
  readonly idleTimeoutMs: number
  /** Longest wait between two looks at the stream when no request wakes the engine. */
  readonly pollMs: number
  /** STREAM_PARALLEL_PARTS: parts uploaded at once per stream. */
  readonly parallelParts?: number | undefined
  /** Resume the engines of unfinished pushed streams when the layer starts (default true). */
  readonly resumeOnStart?: boolean | undefined
  /** Called with each stream's outcome (tests, logs). */
  readonly onOutcome?: ((streamId: string, outcome: IngestOutcome) => void) | undefined
}

export interface PushIngestShape {
  /** Starts the stream's engine here unless one runs; it resumes from the stream's events. */
  readonly ensure: (streamId: string) => Effect.Effect<void>
  /** The stream got bytes or was ended: its engine looks at once. */
  readonly wake: (streamId: string) => Effect.Effect<void>
  /** The streams whose engine runs in this process now. */
  readonly running: Effect.Effect<ReadonlyArray<string>>
}

const MAX_BACKOFF_MS = 30_000
const PAGE = 1000

const make = (options: PushIngestOptions) =>
  Effect.gen(function*() {
    const streams = yield* Streams
    const store = yield* ObjectStore
    const events = yield* EventStore
    const digests = yield* Digests
    const scope = yield* Effect.scope
    const engines = new Map<string, Queue.Queue<void>>()
    const starting = yield* Semaphore.make(1)

    const stillActive = (streamId: string) =>
      streams.current(streamId).pipe(
        Effect.map(({ state }) => state.status === "Live" || state.status === "Ended"),
        // the store did not answer: try the engine again (it retries what is transient itself)
        Effect.orElseSucceed(() => true)
      )

    const supervise = (streamId: string, wake: Queue.Queue<void>) =>
      Effect.gen(function*() {
        const source = stagedSource(streams, store, streamId)
        for (let backoff = 500;; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
          const exit = yield* Effect.exit(ingestStream(streams, streamId, source, { ...options, wake }).pipe(Effect.provideService(Digests, digests)))
          if (Exit.isSuccess(exit)) {
            const outcome = exit.value
            options.onOutcome?.(streamId, outcome)
            yield* Effect.logInfo(`push ingest: stream ${streamId} ${outcome.status}${outcome.status === "failed" ? `: ${outcome.detail}` : ""}`)
            return
          }
          if (!(yield* stillActive(streamId))) return
          const error = Cause.findErrorOption(exit.cause)
          if (error._tag === "Some" && error.value instanceof StagedBytesMissing) {
            // acknowledged bytes deleted behind the stream's back: it cannot be completed
            yield* Effect.ignore(streams.fail(streamId, "source-vanished", error.value.message))
            return
          }
          yield* Effect.logWarning(`push ingest: stream ${streamId} stopped; started again in ${backoff} ms`, Cause.squash(exit.cause))
          yield* Effect.sleep(backoff)
        }
      }).pipe(Effect.ensuring(Effect.sync(() => engines.delete(streamId))))

    const ensure = (streamId: string) =>
      starting.withPermits(1)(Effect.gen(function*() {
        if (engines.has(streamId)) return
        const wake = yield* Queue.dropping<void>(1)
        engines.set(streamId, wake)
        yield* Effect.forkIn(supervise(streamId, wake), scope, { startImmediately: true })
      }))

    const wake = (streamId: string) =>
      Effect.sync(() => {
        const queue = engines.get(streamId)
        if (queue !== undefined) Queue.offerUnsafe(queue, undefined)
      })

    /** Pushed streams started and neither finalized nor failed, from the history. */
    const unfinished = Effect.gen(function*() {
      const open = new Set<string>()
      for (let from = 0;;) {
        const page = yield* events.readAll({
          fromPosition: from,
          maxCount: PAGE,
          filter: { streamPrefixes: ["stream-"], eventTypes: ["StreamStarted", "StreamFinalized", "StreamFailed"] }
        })
        for (const recorded of page) {
          const decoded = StreamAggregate.events.decode({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion })
          if (decoded._tag === "Failure") continue
          const e = decoded.success
          if (e._tag === "StreamStarted") {
            if (e.source === "push") open.add(e.streamId)
          } else open.delete(e.streamId)
        }
        if (page.length < PAGE) return [...open]
        from = page.at(-1)!.position + 1
      }
    })

    if (options.resumeOnStart !== false) {
      yield* Effect.forkIn(
        Effect.gen(function*() {
          const ids = yield* unfinished
          for (const id of ids) yield* ensure(id)
          if (ids.length > 0) yield* Effect.logInfo(`push ingest: resumed ${ids.length} pushed stream(s)`)
        }).pipe(Effect.catchCause((cause) => Effect.logWarning("push ingest: unfinished pushed streams not resumed at start", Cause.squash(cause)))),
        scope
      )
    }

    return PushIngest.of({ ensure, wake, running: Effect.sync(() => [...engines.keys()]) })
  })

export class PushIngest extends Context.Service<PushIngest, PushIngestShape>()("keyframe/PushIngest") {
  /** The engines run in the layer's scope. */
  static layer(options: PushIngestOptions): Layer.Layer<PushIngest, never, Streams | ObjectStore | EventStore | Digests> {
    return Layer.effect(PushIngest, make(options))
  }
}
