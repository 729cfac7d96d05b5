/**
 * Runs one projection into one read store slot: a catch-up subscription from the slot's
 * checkpoint, events folded in batches of what has arrived, each batch committed with its
 * checkpoint in one atomic write. Any failure restarts it from the stored checkpoint.
 *
 * Several nodes may run the same slot on one read store: only the holder of the slot's lease
 * folds (the leader); the others (followers) poll the stored checkpoint, so their waits, lag and
 * status stay true, and take the lease when it is free or has expired. Every leader commit is
 * fenced on the checkpoint it folded from: a leader that lost its lease without noticing gets
 * CheckpointMoved instead of applying a batch twice, and becomes a follower.
 */
import { Clock, Deferred, Duration, Effect, Exit, Fiber, Option, Queue, type Scope, Stream } from "effect"
import { EventStore } from "../src/eventstore/EventStore.ts"
import { type EventStoreError, EventStoreUnavailable } from "../src/eventstore/EventStoreError.ts"
import type { EventFilter, RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"
import { ReadStore } from "../src/readstore/ReadStore.ts"
import type { ReadStoreError } from "../src/readstore/ReadStoreError.ts"
import { slotSegment } from "../src/readstore/ReadStoreKeys.ts"
import type { Slot } from "../src/readstore/ReadStoreTypes.ts"
import type { AnyProjection } from "./Projection.ts"
import { LeaseLost, ProjectionBug, ProjectionWaitTimeout } from "./ProjectionError.ts"
import { makeBatchApplier } from "./BatchApplier.ts"

export interface SlotRunnerOptions {
  /** Most events folded into one commit. */
  readonly batchSize: number
  /** Documents kept between batches. Only the lease holder writes its slot, so the cache is exact. */
  readonly cacheSize: number
  /** First pause before a restart after a failure; doubles up to `retryMax`, resets after a commit. */
  readonly retryBase: Duration.Input
  readonly retryMax: Duration.Input
  /**
   * How often a waiter asks the event store whether events it skips are all that is left, and a
   * follower reads the stored checkpoint and tries to take the lease.
   */
  readonly probeInterval: Duration.Input
  /** The slot's lease: a leader renews it every third of this; a crashed leader's lapses after it. */
  readonly leaseTtl: Duration.Input
}

export const defaultSlotRunnerOptions: SlotRunnerOptions = {
  batchSize: 500,
  cacheSize: 10_000,
  retryBase: "100 millis",
  retryMax: "10 seconds",
  probeInterval: "100 millis",
  leaseTtl: "10 seconds"
}

/** Who a runner is to the other runners of its slot. */
export interface SlotRunnerLeadership {
  /** Its lease holder id; default a new random one (so each runner is its own holder). */
  readonly holder?: string | undefined
  /**
   * Asked whenever the runner has taken the lease, before it folds: false gives the lease back
   * and keeps it following (ProjectionRunner: the slot is no longer the active one, so it must
   * not be written again, e.g. after another node swapped a rebuild in and dropped it).
   */
  readonly mayLead?: Effect.Effect<boolean, ReadStoreError> | undefined
}

/** The lease that decides who folds a slot. */
export const slotLease = (slot: Slot): string => slotSegment(slot)

/** The lease's time to live in whole milliseconds (at least 1), as the read store takes it. */
export const leaseTtlMillis = (options: { readonly leaseTtl?: Duration.Input | undefined } | undefined): number =>
  Math.max(1, Math.round(Duration.toMillis(options?.leaseTtl ?? defaultSlotRunnerOptions.leaseTtl)))

export interface SlotStatus {
  readonly projection: string
  readonly slot: Slot
  readonly state: "starting" | "running" | "retrying" | "stopped"
  /** "leader": holds the slot's lease and folds; "follower": reads the leader's checkpoint. */
  readonly role: "leader" | "follower"
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
  /** The checkpoint as this runner knows it now (what `status` says), read synchronously by queries. */
  readonly checkpointNow: () => number
  readonly lag: Effect.Effect<Lag, EventStoreError>
  /** Resolves once every event this projection handles up to `position` is folded in (read-your-writes). */
  waitFor(position: number, timeout: Duration.Input): Effect.Effect<void, ProjectionWaitTimeout | EventStoreError>
  /** Stops the runner (an in-flight commit either lands whole or not at all); a leader releases its lease. */
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
  options: Partial<SlotRunnerOptions> & SlotRunnerLeadership = {}
): Effect.Effect<SlotRunner, never, EventStore | ReadStore | Scope.Scope> =>
  Effect.gen(function*() {
    const opts = { ...defaultSlotRunnerOptions, ...options }
    const events = yield* EventStore
    const store = yield* ReadStore
    const filter = filterOf(projection)
    const retryBase = Duration.toMillis(opts.retryBase)
    const retryMax = Duration.toMillis(opts.retryMax)
    const probeMillis = Duration.toMillis(opts.probeInterval)
    const ttlMillis = leaseTtlMillis(opts)
    const lease = slotLease(slot)
    const holder = options.holder ?? crypto.randomUUID()
    const mayLead = options.mayLead ?? Effect.succeed(true)

    let state: SlotStatus["state"] = "starting"
    let role: SlotStatus["role"] = "follower"
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

    /** Best effort: an unreleased lease lapses after its TTL anyway. */
    const release = store.releaseLease(lease, holder).pipe(Effect.timeout("2 seconds"), Effect.ignore)

    /** Follows the leader's commits until this runner holds the lease and may lead. */
    const follow = Effect.gen(function*() {
      role = "follower"
      for (;;) {
        const stored = Option.getOrElse(yield* store.checkpoint(slot), () => 0)
        if (stored > checkpoint) advance(stored)
        state = "running"
        if (yield* store.acquireLease(lease, holder, ttlMillis)) {
          if (yield* mayLead.pipe(Effect.onError(() => release))) return
          yield* release
        }
        yield* Effect.sleep(Duration.millis(probeMillis))
      }
    })

    /** Renews the lease every third of its TTL; fails as soon as it cannot. */
    const keepLease = Effect.gen(function*() {
      for (;;) {
        yield* Effect.sleep(Duration.millis(ttlMillis / 3))
        if (!(yield* store.renewLease(lease, holder, ttlMillis))) return yield* new LeaseLost({ projection: projection.name, lease })
      }
    })

    /** One term as leader: from the stored checkpoint until something fails (the lease too). */
    const fold = Effect.scoped(Effect.gen(function*() {
      state = "starting"
      const stored = Option.getOrUndefined(yield* store.checkpoint(slot))
      applier.reset(stored ?? 0)
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

    const lead = Effect.suspend(() => {
      role = "leader"
      return Effect.raceFirst(fold, keepLease)
    }).pipe(
      // Why it stopped leading is in the status before its role says follower (release is a round trip).
      Effect.tapError((error) => Effect.sync(() => void (lastError = error.message))),
      Effect.ensuring(Effect.suspend(() => {
        role = "follower"
        applier.reset(0)
        return release
      }))
    )

    const supervised = Effect.andThen(follow, lead).pipe(
      Effect.catchDefect((defect) =>
        Effect.fail(new ProjectionBug({ projection: projection.name, position: checkpoint, reason: `defect: ${String(defect)}` }))
      ),
      Effect.catch((error) =>
        Effect.gen(function*() {
          lastError = error.message
          if (error._tag === "CheckpointMoved" || error._tag === "LeaseLost") {
            // Another runner folds this slot now: follow it (no backoff, nothing is broken).
            yield* Effect.logWarning(`projection ${projection.name}: ${error.message}; following the new leader`)
            return yield* Effect.sleep(Duration.millis(probeMillis))
          }
          state = "retrying"
          restarts++
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
        role,
        checkpoint,
        eventsApplied,
        batches,
        restarts,
        ...(lastError !== undefined ? { lastError } : {})
      })),
      checkpointNow: () => checkpoint,
      lag,
      waitFor,
      stop: Effect.suspend(() => Fiber.interrupt(fiber)).pipe(Effect.ensuring(Effect.sync(() => void (state = "stopped"))))
    } satisfies SlotRunner
  })
