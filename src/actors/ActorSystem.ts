/**
 * The actor registry (DESIGN.md §1): one actor per aggregate id, each with a bounded
 * mailbox handled in order (waiting commands batched into one append), passivated when idle,
 * with a cap on live actors.
 */
import { Context, Deferred, Effect, Exit, Layer, Schedule } from "effect"
import type { Aggregate } from "../domain/shared/Decider.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import type { EventStoreError } from "../eventstore/EventStoreError.ts"
import { ActorBusy, type ConcurrencyConflict, type EventDecodeFailed } from "./ActorError.ts"
import { type AggregateCell, type AnyAggregate, applyCommand, catchUp, ensureLoaded, makeCell } from "./AggregateCell.ts"
import { applyBatch } from "./CommandBatch.ts"
import type { CommandEnvelope, CommandResult } from "./CommandEnvelope.ts"

export interface ActorSystemOptions {
  /** Commands waiting per actor before it answers busy. */
  readonly mailboxSize: number
  /** An actor with nothing to do for this long is stopped (its state is reloaded when needed). */
  readonly idleMillis: number
  /** Live actors at most; past it the least recently used idle actor is stopped first. */
  readonly maxLive: number
  /** Conflicting writes tolerated per command before ConcurrencyConflict. */
  readonly maxConflictRetries: number
  /** The settings every decider receives in its context. */
  readonly settings: unknown
  /** When set, read for every command instead of `settings` (runtime overrides, src/settings/RuntimeSettings.ts). */
  readonly currentSettings?: (() => unknown) | undefined
  /**
   * This actor system is the only writer of its event store (the embedded store: one process opens
   * it, and only actors append): `current` then answers from a loaded actor's state without asking the
   * store for newer events (a round trip per upload PATCH otherwise). Default false.
   */
  readonly soleWriter?: boolean | undefined
  /**
   * Commands waiting in one mailbox that are decided together and appended in one write
   * (CommandBatch.ts); 1 = one append per command. Default 100.
   */
  readonly maxBatch?: number | undefined
}

export type SendError<DomainError> =
  | DomainError
  | ActorBusy
  | ConcurrencyConflict
  | EventDecodeFailed
  | EventStoreError

export interface ActorSystemShape {
  /** Sends a command to the aggregate `id` and waits for its outcome. */
  send<State, Command, Event, DomainError, Settings>(
    aggregate: Aggregate<State, Command, Event, DomainError, Settings>,
    id: string,
    envelope: CommandEnvelope<Command>
  ): Effect.Effect<CommandResult<Event>, SendError<DomainError>>
  /** The aggregate's current state, caught up with the store (or, for a sole writer, as the actor holds it), in mailbox order. */
  current<State, Command, Event, DomainError, Settings>(
    aggregate: Aggregate<State, Command, Event, DomainError, Settings>,
    id: string
  ): Effect.Effect<{ readonly state: State; readonly revision: number; readonly position: number }, SendError<never>>
  /** Live actors and commands waiting in all mailboxes (for /metrics). */
  readonly stats: Effect.Effect<{ readonly live: number; readonly queued: number }>
}

interface Job {
  readonly run: (cell: AggregateCell) => Effect.Effect<unknown, unknown, EventStore>
  readonly done: Deferred.Deferred<unknown, unknown>
  /** Set for a command: consecutive commands in a mailbox may be batched. */
  readonly envelope?: CommandEnvelope<unknown> | undefined
}

interface Mailbox {
  readonly cell: AggregateCell
  readonly jobs: Array<Job>
  running: boolean
  lastActive: number
}

export class ActorSystem extends Context.Service<ActorSystem, ActorSystemShape>()("keyframe/ActorSystem") {
  static layer(options: ActorSystemOptions): Layer.Layer<ActorSystem, never, EventStore> {
    return Layer.effect(ActorSystem, makeActorSystem(options))
  }
}

const makeActorSystem = (options: ActorSystemOptions) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<EventStore>()
    const scope = yield* Effect.scope
    // Insertion order doubles as recency: a used actor is moved to the end.
    const actors = new Map<string, Mailbox>()

    const evictOneIdle = (): boolean => {
      for (const [key, box] of actors) {
        if (!box.running && box.jobs.length === 0) {
          actors.delete(key)
          return true
        }
      }
      return false
    }

    const maxBatch = Math.max(1, options.maxBatch ?? 100)
    // a getter: each decision reads the settings in force when it is made
    const settingsNow = options.currentSettings
    const applyOptions = {
      get settings() {
        return settingsNow === undefined ? options.settings : settingsNow()
      },
      maxConflictRetries: options.maxConflictRetries
    }

    // The next jobs to run together: consecutive commands (at most maxBatch), or one other job.
    const takeBatch = (box: Mailbox): Array<Job> => {
      let n = 1
      if (box.jobs[0]!.envelope !== undefined) {
        while (n < maxBatch && n < box.jobs.length && box.jobs[n]!.envelope !== undefined) n++
      }
      return box.jobs.splice(0, n)
    }

    const drain = (box: Mailbox): Effect.Effect<void> => {
      let inFlight: Array<Job> = []
      return Effect.gen(function*() {
        while (box.jobs.length > 0) {
          inFlight = takeBatch(box)
          if (inFlight.length === 1) {
            const job = inFlight[0]!
            Deferred.doneUnsafe(job.done, yield* Effect.exit(job.run(box.cell)))
          } else {
            // A defect (a decider that throws) answers the whole batch instead of stalling the mailbox.
            const batch = yield* Effect.exit(applyBatch(box.cell, inFlight.map((job) => job.envelope!), applyOptions))
            inFlight.forEach((job, i) => Deferred.doneUnsafe(job.done, Exit.isSuccess(batch) ? batch.value[i]! : batch))
          }
          inFlight = []
        }
        // No yield between the last emptiness check and this flag: a sender either saw
        // `running` and queued for this loop, or will start a new one.
        box.running = false
        box.lastActive = Date.now()
      }).pipe(
        Effect.provideContext(context),
        Effect.onInterrupt(() =>
          Effect.sync(() => {
            for (const job of [...inFlight, ...box.jobs.splice(0)]) Deferred.doneUnsafe(job.done, Exit.interrupt())
          })
        )
      )
    }

    const enqueue = (aggregate: AnyAggregate, id: string, run: Job["run"], envelope?: CommandEnvelope<unknown>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.suspend(() => {
          const key = `${aggregate.category}-${id}`
          let box = actors.get(key)
          if (box === undefined) {
            if (actors.size >= options.maxLive && !evictOneIdle()) {
              return Effect.fail(new ActorBusy({ stream: key, reason: "too_many_actors" }))
            }
            box = { cell: makeCell(aggregate, id), jobs: [], running: false, lastActive: Date.now() }
          } else {
            actors.delete(key)
          }
          actors.set(key, box)
          if (box.jobs.length >= options.mailboxSize) {
            return Effect.fail(new ActorBusy({ stream: key, reason: "mailbox_full" }))
          }
          const done = Deferred.makeUnsafe<unknown, unknown>()
          box.jobs.push({ run, done, envelope })
          const start = box.running ? Effect.void : ((box.running = true), Effect.asVoid(Effect.forkIn(drain(box), scope)))
          return Effect.andThen(start, restore(Deferred.await(done)))
        })
      )

    // Passivation: drop actors idle for longer than idleMillis.
    yield* Effect.sync(() => {
      const cutoff = Date.now() - options.idleMillis
      for (const [key, box] of actors) {
        if (!box.running && box.jobs.length === 0 && box.lastActive < cutoff) actors.delete(key)
      }
    }).pipe(
      Effect.repeat(Schedule.spaced(Math.max(250, Math.floor(options.idleMillis / 2)))),
      Effect.forkIn(scope)
    )

    const send: ActorSystemShape["send"] = (aggregate, id, envelope) =>
      enqueue(aggregate, id, (cell) => applyCommand(cell, envelope, applyOptions), envelope) as never

    const current: ActorSystemShape["current"] = (aggregate, id) =>
      enqueue(aggregate, id, (cell) =>
        Effect.map(options.soleWriter === true ? ensureLoaded(cell) : catchUp(cell), () => ({
          state: cell.state,
          revision: cell.revision,
          position: cell.position
        }))) as never

    const stats = Effect.sync(() => {
      let queued = 0
      for (const box of actors.values()) queued += box.jobs.length
      return { live: actors.size, queued }
    })

    return ActorSystem.of({ send, current, stats })
  })
