/**
 * Runs one projection into one read store slot: a catch-up subscription from the slot's
 * checkpoint, events folded in batches of what has arrived, each batch committed with its
 * checkpoint in one atomic write. Any failure restarts it from the stored checkpoint.
 */
import { Clock, Deferred, Duration, Effect, Exit, Fiber, Option, Queue, type Scope, Stream } from "effect"
import { EventStore } from "../src/eventstore/EventStore.ts"
import { type EventStoreError, EventStoreUnavailable } from "../src/eventstore/EventStoreError.ts"
import type { EventFilter, RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"
import { ReadStore } from "../src/readstore/ReadStore.ts"
import type { Slot } from "../src/readstore/ReadStoreTypes.ts"
import type { AnyProjection } from "./Projection.ts"
import { ProjectionBug, ProjectionWaitTimeout } from "./ProjectionError.ts"
import { makeBatchApplier } from "./BatchApplier.ts"

export interface SlotRunnerOptions {
  /** Most events folded into one commit. */
  readonly batchSize: number
  /** Documents kept between batches. The runner is its slot's only writer, so the cache is exact. */
  readonly cacheSize: number
  /** First pause before a restart after a failure; doubles up to `retryMax`, resets after a commit. */
  readonly retryBase: Duration.Input
  readonly retryMax: Duration.Input
  /** How often a waiter asks the event store whether events it skips are all that is left. */
  readonly probeInterval: Duration.Input
}

export const defaultSlotRunnerOptions: SlotRunnerOptions = {
  batchSize: 500,
  cacheSize: 10_000,
  retryBase: "100 millis",
  retryMax: "10 seconds",
  probeInterval: "100 millis"
}

export interface SlotStatus {
  readonly projection: string
  readonly slot: Slot
  readonly state: "starting" | "running" | "retrying" | "stopped"
  /** Last position folded in (0 before the first). */
  readonly checkpoint: number
  readonly eventsApplied: number
  readonly batches: number
  readonly restarts: number
  readonly lastError?: string | undefined
}

export interface Lag {
  readonly head: number
  readonly checkpoint: number
  /** Head minus checkpoint; 0 when no event this projection handles is left. */
  readonly positionsBehind: number
  /** Age of the oldest event not yet folded in. */
  readonly secondsBehind: number
  readonly caughtUp: boolean
}

export interface SlotRunner {
  readonly projection: AnyProjection
  readonly slot: Slot
  readonly status: Effect.Effect<SlotStatus>
  readonly lag: Effect.Effect<Lag, EventStoreError>
  /** Resolves once every event this projection handles up to `position` is folded in (read-your-writes). */
  waitFor(position: number, timeout: Duration.Input): Effect.Effect<void, ProjectionWaitTimeout | EventStoreError>
  /** Stops the runner (an in-flight commit either lands whole or not at all). */
  readonly stop: Effect.Effect<void>
}

export const filterOf = (projection: AnyProjection): EventFilter => ({
  eventTypes: projection.handles,
  ...(projection.streamPrefixes ? { streamPrefixes: projection.streamPrefixes } : {})
})

/** Starts the runner; it stops with `stop` or when the scope closes. */
export const startSlotRunner = (
  projection: AnyProjection,
  slot: Slot,
  options: Partial<SlotRunnerOptions> = {}
): Effect.Effect<SlotRunner, never, EventStore | ReadStore | Scope.Scope> =>
  Effect.gen(function*() {
    const opts = { ...defaultSlotRunnerOptions, ...options }
    const events = yield* EventStore
    const store = yield* ReadStore
    const filter = filterOf(projection)
    const retryBase = Duration.toMillis(opts.retryBase)
    const retryMax = Duration.toMillis(opts.retryMax)
    const probeMillis = Duration.toMillis(opts.probeInterval)

    let state: SlotStatus["state"] = "starting"
    let checkpoint = 0
    let eventsApplied = 0
    let batches = 0
    let restarts = 0
    let lastError: string | undefined
    let delay = retryBase
    /** Completed and replaced on every commit, to wake waiters. */
    let progressed = Deferred.makeUnsafe<void>()

    const advance = (position: number) => {
      checkpoint = position
      Deferred.doneUnsafe(progressed, Exit.void)
      progressed = Deferred.makeUnsafe<void>()
    }

    const applier = makeBatchApplier(projection, slot, store, opts.cacheSize)
    const applyBatch = (batch: ReadonlyArray<RecordedEvent>) =>
      Effect.map(applier.apply(batch), (applied) => {
        eventsApplied += applied
        batches++
        delay = retryBase
        advance(batch[batch.length - 1]!.position)
      })

    /** One life of the runner: from the stored checkpoint until something fails. */
    const runOnce = Effect.scoped(Effect.gen(function*() {
      state = "starting"
      applier.reset()
      const stored = Option.getOrUndefined(yield* store.checkpoint(slot))
      advance(stored ?? 0)
      const queue = yield* Stream.toQueue(events.subscribeToAll({ after: stored ?? "start", filter }), {
        capacity: opts.batchSize * 2
      })
      state = "running"
      for (;;) {
        const batch = yield* Queue.takeBetween(queue, 1, opts.batchSize).pipe(
          Effect.catchTag("Done", () => Effect.fail(new EventStoreUnavailable({ reason: "the subscription ended" })))
        )
        yield* applyBatch(batch)
      }
    }))

    const supervised = runOnce.pipe(
      Effect.catchDefect((defect) =>
        Effect.fail(new ProjectionBug({ projection: projection.name, position: checkpoint, reason: `defect: ${String(defect)}` }))
      ),
      Effect.catch((error) =>
        Effect.gen(function*() {
          state = "retrying"
          restarts++
          lastError = error.message
          yield* Effect.logWarning(`projection ${projection.name}: ${error.message}; restarting in ${delay} ms`)
          yield* Effect.sleep(Duration.millis(delay))
          delay = Math.min(delay * 2, retryMax)
        })
      ),
      Effect.forever
    )
    const fiber = yield* Effect.forkScoped(supervised, { startImmediately: true })

    /** True when no event this projection handles lies in (checkpoint, position] and `position` is visible. */
    const nothingLeftUpTo = (position: number) =>
      Effect.gen(function*() {
        // Adapters show a prefix of the log: once `position` (or a later one) is readable, so is all before it.
        const atOrAfter = yield* events.readAll({ fromPosition: position, maxCount: 1 })
        if (atOrAfter.length === 0) return false
        const next = yield* events.readAll({ fromPosition: checkpoint + 1, maxCount: 1, filter })
        return next.length === 0 || next[0]!.position > position
      })

    const waitFor = (position: number, timeout: Duration.Input) =>
      Effect.gen(function*() {
        let lastProbe = Number.NEGATIVE_INFINITY
        for (;;) {
          const wake = progressed
          if (checkpoint >= position) return
          const now = yield* Clock.currentTimeMillis
          if (now - lastProbe >= probeMillis) {
            lastProbe = now
            if (yield* nothingLeftUpTo(position)) return
          }
          yield* Effect.timeoutOption(Deferred.await(wake), probeMillis)
        }
      }).pipe(
        Effect.timeoutOrElse({
          duration: timeout,
          orElse: () => Effect.fail(new ProjectionWaitTimeout({ projection: projection.name, position, checkpoint }))
        })
      )

    const lag = Effect.gen(function*() {
      const head = yield* events.headPosition
      const at = checkpoint
      const next = at >= head ? [] : yield* events.readAll({ fromPosition: at + 1, maxCount: 1, filter })
      if (next.length === 0) return { head, checkpoint: at, positionsBehind: 0, secondsBehind: 0, caughtUp: true }
      const now = yield* Clock.currentTimeMillis
      const age = (now - Date.parse(next[0]!.recordedAt)) / 1000
      return { head, checkpoint: at, positionsBehind: head - at, secondsBehind: Math.max(0, age), caughtUp: false }
    })

    return {
      projection,
      slot,
      status: Effect.sync(() => ({
        projection: projection.name,
        slot,
        state,
        checkpoint,
        eventsApplied,
        batches,
        restarts,
        ...(lastError !== undefined ? { lastError } : {})
      })),
      lag,
      waitFor,
      stop: Effect.suspend(() => Fiber.interrupt(fiber)).pipe(Effect.ensuring(Effect.sync(() => void (state = "stopped"))))
    } satisfies SlotRunner
  })
