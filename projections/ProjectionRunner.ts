/**
 * Runs every projection of the process (DESIGN.md §1 read side): picks each one's slot from
 * the read store's active pointer, builds a new version beside the old one and swaps when it
 * has caught up, and answers read-your-writes waits, lag and status for /readyz and /metrics.
 *
 * Several nodes may share one read store: each runs every projection, but only the holder of a
 * slot's lease folds it (SlotRunner); the others follow its checkpoint. A node re-reads the
 * active pointers every `watchInterval` and moves to a slot another node swapped in. A rebuild
 * runs on the node that was asked; its old slot is dropped under that slot's lease, once no
 * runner anywhere folds it.
 */
import { Clock, Context, Deferred, Duration, Effect, Exit, Layer, Option, Schedule, Scope } from "effect"
import { EventStore } from "../src/eventstore/EventStore.ts"
import type { EventStoreError } from "../src/eventstore/EventStoreError.ts"
import { ReadStore } from "../src/readstore/ReadStore.ts"
import type { ReadStoreError } from "../src/readstore/ReadStoreError.ts"
import type { Slot } from "../src/readstore/ReadStoreTypes.ts"
import type { AnyProjection } from "./Projection.ts"
import { ProjectionNotRunning, ProjectionWaitTimeout, RebuildInProgress } from "./ProjectionError.ts"
import { buildBeside, type RebuildProgress } from "./ProjectionRebuild.ts"
import { defaultSlotRunnerOptions, type Lag, leaseTtlMillis, slotLease, type SlotRunner, type SlotRunnerOptions, type SlotStatus, startSlotRunner } from "./SlotRunner.ts"

export interface ProjectionRunnerOptions {
  readonly runner?: Partial<SlotRunnerOptions> | undefined
  /** How often a build checks whether it has caught up. */
  readonly buildPollInterval?: Duration.Input | undefined
  /** How often the active pointers are re-read, to follow a swap another node made (default 1 s). */
  readonly watchInterval?: Duration.Input | undefined
}

export interface ProjectionStatus {
  readonly projection: string
  readonly version: number
  /** "starting": reading its pointer; "building": a new version is built, the old one is still served;
   *  "superseded": a newer version is active, this process does not write. */
  readonly state: "starting" | "serving" | "building" | "superseded"
  readonly active: Slot | undefined
  readonly runner: SlotStatus | undefined
  readonly rebuild: RebuildProgress | undefined
}

export interface ProjectionRunnerShape {
  /** Resolves once the active build of `projection` has folded in every event it handles up to `position`. */
  waitFor(projection: string, position: number, timeout: Duration.Input): Effect.Effect<void, ProjectionWaitTimeout | ProjectionNotRunning | EventStoreError>
  readonly status: Effect.Effect<ReadonlyArray<ProjectionStatus>>
  lag(projection: string): Effect.Effect<Lag, ProjectionNotRunning | EventStoreError>
  /** The slot queries should read. */
  active(projection: string): Effect.Effect<Slot, ProjectionNotRunning>
  /**
   * What a query needs to know about a projection, from memory (no store round trip, no effect): the
   * slot it reads, how far the served runner has folded (0 while none serves), the types it folds.
   * Undefined for an unknown projection.
   */
  served(projection: string): ServedModel | undefined
  /**
   * Starts a rebuild from the start of history beside the live build; it swaps in when caught up.
   * RebuildInProgress when one runs, here or on another node sharing the read store.
   */
  rebuild(projection: string): Effect.Effect<void, ProjectionNotRunning | RebuildInProgress | ReadStoreError>
}

export interface ServedModel {
  readonly active: Slot | undefined
  readonly checkpoint: number
  readonly handles: ReadonlySet<string>
}

interface Entry {
  readonly projection: AnyProjection
  readonly handles: ReadonlySet<string>
  state: ProjectionStatus["state"]
  active: Slot | undefined
  /** The runner writing the active slot (none while an upgrade builds, or when superseded). */
  serving: SlotRunner | undefined
  building: boolean
  /** The slot this process is building (its runner may fold it before it is active). */
  target: Slot | undefined
  progress: RebuildProgress | undefined
  /** Completed and replaced whenever `serving` changes, so waiters move to the new runner. */
  changed: Deferred.Deferred<void>
}

export class ProjectionRunner extends Context.Service<ProjectionRunner, ProjectionRunnerShape>()("keyframe/ProjectionRunner") {
  static layer(projections: ReadonlyArray<AnyProjection>, options: ProjectionRunnerOptions = {}): Layer.Layer<ProjectionRunner, never, EventStore | ReadStore> {
    return Layer.effect(ProjectionRunner, makeProjectionRunner(projections, options))
  }
}

const sameSlot = (a: Slot, b: Slot) => a.projection === b.projection && a.version === b.version && a.generation === b.generation

const makeProjectionRunner = (projections: ReadonlyArray<AnyProjection>, options: ProjectionRunnerOptions) =>
  Effect.gen(function*() {
    const store = yield* ReadStore
    const context = yield* Effect.context<EventStore | ReadStore>()
    const scope = yield* Effect.scope
    const inScope = <A, E>(effect: Effect.Effect<A, E, EventStore | ReadStore | Scope.Scope>) =>
      effect.pipe(Scope.provide(scope), Effect.provideContext(context))
    const entries = new Map<string, Entry>()
    const leaseTtl = leaseTtlMillis(options.runner)
    const probe = options.runner?.probeInterval ?? defaultSlotRunnerOptions.probeInterval

    /** Whether this process's runner of `slot` may fold it: it is the active slot, or the one this process builds. */
    const mayLead = (entry: Entry, slot: Slot) =>
      Effect.suspend(() =>
        entry.target && sameSlot(entry.target, slot)
          ? Effect.succeed(true)
          : Effect.map(store.active(entry.projection.name), (active) => Option.isSome(active) && sameSlot(active.value, slot))
      )
    const runnerOptions = (entry: Entry, slot: Slot) => ({ ...options.runner, mayLead: mayLead(entry, slot) })

    /**
     * Drops a slot that was swapped out, under its lease: once held, no runner folds it (a leader
     * elsewhere gives it up when it sees the swap; runners ask mayLead before folding again).
     */
    const retire = (entry: Entry, slot: Slot) =>
      Effect.gen(function*() {
        const holder = crypto.randomUUID()
        const lease = slotLease(slot)
        const deadline = (yield* Clock.currentTimeMillis) + 3 * leaseTtl
        while (!(yield* store.acquireLease(lease, holder, leaseTtl))) {
          if ((yield* Clock.currentTimeMillis) > deadline) {
            return yield* Effect.logWarning(`projection ${entry.projection.name}: ${lease} is still folded elsewhere; its keys are left in place`)
          }
          yield* Effect.sleep(probe)
        }
        yield* store.drop(slot).pipe(Effect.ensuring(Effect.ignore(store.releaseLease(lease, holder))))
      })

    const setServing = (entry: Entry, runner: SlotRunner | undefined) => {
      entry.serving = runner
      if (runner) entry.active = runner.slot
      Deferred.doneUnsafe(entry.changed, Exit.void)
      entry.changed = Deferred.makeUnsafe<void>()
    }

    /** Builds `to` beside the active slot, then swaps: stop the old runner, let the new one pass it, activate, drop the old keys. */
    const build = (entry: Entry, to: Slot, fresh: boolean, holder?: string) =>
      Effect.gen(function*() {
        const from = entry.active
        entry.building = true
        entry.target = to
        const runner = yield* inScope(buildBeside(entry.projection, {
          from,
          to,
          fresh,
          pollInterval: options.buildPollInterval ?? "200 millis",
          runner: { ...runnerOptions(entry, to), holder },
          onProgress: (p) => void (entry.progress = p)
        }))
        entry.progress = { ...entry.progress!, state: "swapping" }
        const old = entry.serving
        if (old) yield* old.stop
        const swap = Effect.gen(function*() {
          if (old) yield* runner.waitFor((yield* old.status).checkpoint, "60 seconds")
          yield* store.commit({ slot: to, writes: [], activate: true })
        })
        yield* swap.pipe(Effect.onError(() => old ? Effect.andThen(runner.stop, restartServing(entry, old.slot)) : runner.stop))
        setServing(entry, runner)
        entry.state = "serving"
        if (from && !sameSlot(from, to)) yield* retire(entry, from)
        entry.progress = { ...entry.progress!, state: "done", fraction: 1, finishedAt: new Date(yield* Clock.currentTimeMillis).toISOString() }
      }).pipe(
        Effect.tapError((e) =>
          Effect.gen(function*() {
            entry.progress = entry.progress && { ...entry.progress, state: "failed", error: e.message }
            yield* Effect.logError(`projection ${entry.projection.name}: rebuild into ${JSON.stringify(to)} failed: ${e.message}`)
          })
        ),
        Effect.ensuring(Effect.sync(() => {
          entry.building = false
          entry.target = undefined
        }))
      )

    const restartServing = (entry: Entry, slot: Slot) =>
      Effect.map(inScope(startSlotRunner(entry.projection, slot, runnerOptions(entry, slot))), (runner) => setServing(entry, runner))

    /** Reads the pointer and decides what this process does for the projection. */
    const start = (entry: Entry) =>
      Effect.gen(function*() {
        const p = entry.projection
        const own: Slot = { projection: p.name, version: p.version, generation: 0 }
        const active = Option.getOrUndefined(yield* store.active(p.name))
        if (active === undefined) {
          yield* store.commit({ slot: own, writes: [], activate: true })
          entry.active = own
          yield* restartServing(entry, own)
          entry.state = "serving"
        } else if (active.version === p.version) {
          entry.active = active
          yield* restartServing(entry, active)
          entry.state = "serving"
        } else if (active.version < p.version) {
          entry.active = active
          entry.state = "building"
          yield* build(entry, own, false)
        } else {
          entry.active = active
          entry.state = "superseded"
          setServing(entry, undefined)
          yield* Effect.logWarning(`projection ${p.name}: version ${active.version} is active, newer than ours (${p.version}); not running it`)
        }
      }).pipe(
        Effect.tapError((e) => Effect.logWarning(`projection ${entry.projection.name}: cannot start yet: ${e.message}`)),
        Effect.retry({ schedule: Schedule.min([Schedule.exponential("200 millis"), Schedule.spaced("10 seconds")]) })
      )

    const watchMillis = Duration.toMillis(options.watchInterval ?? "1 second")

    /** Follows swaps made elsewhere: when the pointer leaves the slot this process serves, it starts over from the pointer. */
    const watch = (entry: Entry) =>
      Effect.gen(function*() {
        for (;;) {
          yield* Effect.sleep(Duration.millis(watchMillis))
          if (entry.building || entry.state === "starting") continue
          const active = yield* store.active(entry.projection.name).pipe(
            Effect.map(Option.getOrUndefined),
            Effect.catch(() => Effect.succeed(undefined))
          )
          if (active === undefined || entry.building || (entry.active !== undefined && sameSlot(active, entry.active))) continue
          yield* Effect.logInfo(`projection ${entry.projection.name}: ${slotLease(active)} was made active elsewhere; following it`)
          const old = entry.serving
          entry.state = "starting"
          entry.active = active
          setServing(entry, undefined)
          if (old) yield* old.stop
          yield* start(entry)
        }
      })

    for (const projection of projections) {
      const entry: Entry = {
        projection,
        handles: new Set(projection.handles),
        state: "starting",
        active: undefined,
        serving: undefined,
        building: false,
        target: undefined,
        progress: undefined,
        changed: Deferred.makeUnsafe<void>()
      }
      entries.set(projection.name, entry)
      yield* Effect.forkIn(Effect.andThen(start(entry), watch(entry)), scope)
    }

    const entryOf = (name: string) => {
      const entry = entries.get(name)
      return entry ? Effect.succeed(entry) : Effect.fail(new ProjectionNotRunning({ projection: name, reason: "no such projection" }))
    }

    return ProjectionRunner.of({
      waitFor: (name, position, timeout) =>
        Effect.gen(function*() {
          const entry = yield* entryOf(name)
          const waiting = Effect.gen(function*() {
            for (;;) {
              if (entry.state === "superseded") return yield* new ProjectionNotRunning({ projection: name, reason: "superseded by a newer version" })
              const changed = entry.changed
              const runner = entry.serving
              if (!runner) {
                yield* Deferred.await(changed)
                continue
              }
              const done = yield* Effect.raceFirst(
                Effect.as(runner.waitFor(position, Duration.infinity), true),
                Effect.as(Deferred.await(changed), false)
              )
              if (done) return
            }
          })
          return yield* waiting.pipe(Effect.timeoutOrElse({
            duration: timeout,
            orElse: () =>
              Effect.flatMap(
                entry.serving ? entry.serving.status : Effect.succeed(undefined),
                (s) => Effect.fail(new ProjectionWaitTimeout({ projection: name, position, checkpoint: s?.checkpoint ?? 0 }))
              )
          }))
        }),
      status: Effect.gen(function*() {
        const out: Array<ProjectionStatus> = []
        for (const entry of entries.values()) {
          out.push({
            projection: entry.projection.name,
            version: entry.projection.version,
            state: entry.state,
            active: entry.active,
            runner: entry.serving ? yield* entry.serving.status : undefined,
            rebuild: entry.progress
          })
        }
        return out
      }),
      lag: (name) =>
        Effect.flatMap(entryOf(name), (entry): Effect.Effect<Lag, ProjectionNotRunning | EventStoreError> =>
          entry.serving
            ? entry.serving.lag
            : Effect.fail(new ProjectionNotRunning({ projection: name, reason: entry.state }))),
      active: (name) =>
        Effect.flatMap(entryOf(name), (entry) =>
          entry.active ? Effect.succeed(entry.active) : Effect.fail(new ProjectionNotRunning({ projection: name, reason: entry.state }))),
      served: (name) => {
        const entry = entries.get(name)
        return entry && { active: entry.active, checkpoint: entry.serving?.checkpointNow() ?? 0, handles: entry.handles }
      },
      rebuild: (name) =>
        Effect.gen(function*() {
          const entry = yield* entryOf(name)
          if (entry.building) return yield* new RebuildInProgress({ projection: name })
          if (entry.state !== "serving" || !entry.active) return yield* new ProjectionNotRunning({ projection: name, reason: entry.state })
          entry.building = true
          const to: Slot = { ...entry.active, generation: entry.active.generation + 1 }
          // The new slot's lease, taken here so that a rebuild of it already running on another node answers 409.
          const holder = crypto.randomUUID()
          const free = yield* store.acquireLease(slotLease(to), holder, leaseTtl).pipe(Effect.onError(() => Effect.sync(() => void (entry.building = false))))
          if (!free) {
            entry.building = false
            return yield* new RebuildInProgress({ projection: name })
          }
          yield* Effect.forkIn(Effect.ignore(build(entry, to, true, holder)), scope)
        })
    })
  })
