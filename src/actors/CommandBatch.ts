/**
 * Mailbox batching: the commands waiting for one aggregate are decided in order against the
 * evolving state and appended in ONE event-store write, so a hot aggregate (a busy room) is
 * not bounded by one append's latency. Each command keeps its own outcome.
 */
import { Clock, Effect, Exit, Result } from "effect"
import { EventStore } from "../eventstore/EventStore.ts"
import type { EventStoreError } from "../eventstore/EventStoreError.ts"
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"
import { ConcurrencyConflict, type EventDecodeFailed } from "./ActorError.ts"
import { type AggregateCell, catchUp, ensureLoaded, forget, remember, replayResult, toStored } from "./AggregateCell.ts"
import type { CommandEnvelope, CommandResult } from "./CommandEnvelope.ts"

type BatchExit = Exit.Exit<CommandResult<unknown>, unknown>

/** How one command of the batch came out of deciding, before the append. */
type Outcome =
  | { readonly _tag: "Rejected"; readonly error: unknown }
  /** `offset`: where its events start among the batch's events. */
  | { readonly _tag: "Decided"; readonly events: ReadonlyArray<unknown>; readonly offset: number }
  | { readonly _tag: "Applied"; readonly range: { readonly from: number; readonly to: number } }
  | { readonly _tag: "SameAs"; readonly index: number }

const decideAll = (cell: AggregateCell, envelopes: ReadonlyArray<CommandEnvelope<unknown>>, now: number, settings: unknown) => {
  const { decider } = cell.aggregate
  let state = cell.state
  const outcomes: Array<Outcome> = []
  const events: Array<unknown> = []
  const stored: Array<ReturnType<typeof toStored>> = []
  // A command id already decided (with events) earlier in this batch answers like a retry.
  const inBatch = new Map<string, number>()
  for (const envelope of envelopes) {
    const id = envelope.commandId
    const seen = id === undefined ? undefined : cell.applied.get(id)
    const earlier = id === undefined ? undefined : inBatch.get(id)
    if (seen !== undefined) {
      outcomes.push({ _tag: "Applied", range: seen })
      continue
    }
    if (earlier !== undefined) {
      outcomes.push({ _tag: "SameAs", index: earlier })
      continue
    }
    const decision = decider.decide(envelope.command, state, { now, actor: envelope.actor, settings })
    if (Result.isFailure(decision)) {
      outcomes.push({ _tag: "Rejected", error: decision.failure })
      continue
    }
    const decided = decision.success
    if (id !== undefined && decided.length > 0) inBatch.set(id, outcomes.length)
    outcomes.push({ _tag: "Decided", events: decided, offset: events.length })
    for (const event of decided) {
      state = decider.evolve(state, event)
      events.push(event)
      stored.push(toStored(cell.aggregate.events, envelope, now, event))
    }
  }
  return { state, outcomes, events, stored }
}

/**
 * Applies several commands to one aggregate with one append. A rejected command fails alone; on a
 * concurrency conflict the cell catches up and the whole batch is decided again (at most
 * `maxConflictRetries` times), as a single command would be; command-id dedup holds across and
 * within batches. An append of unknown outcome drops the cache and fails the commands whose
 * decision depended on it.
 */
export const applyBatch = (
  cell: AggregateCell,
  envelopes: ReadonlyArray<CommandEnvelope<unknown>>,
  options: { readonly settings: unknown; readonly maxConflictRetries: number }
): Effect.Effect<ReadonlyArray<BatchExit>, never, EventStore> =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const all = (exit: BatchExit) => envelopes.map(() => exit)
    const loaded = yield* Effect.exit(ensureLoaded(cell))
    if (Exit.isFailure(loaded)) return all(Exit.failCause(loaded.cause))
    let fresh = false
    for (let attempt = 0; attempt <= options.maxConflictRetries; attempt++) {
      const now = yield* Clock.currentTimeMillis
      const batch = decideAll(cell, envelopes, now, options.settings)
      const base = { revision: cell.revision, position: cell.position }
      if (batch.stored.length === 0) {
        // Nothing to append, so no expected-revision check: the cached state may be behind another
        // process's writes (a member who joined there). Once per batch: catch up, and decide again if it was.
        if (!fresh) {
          fresh = true
          const caught = yield* Effect.exit(catchUp(cell))
          if (Exit.isFailure(caught)) return all(Exit.failCause(caught.cause))
          if (cell.revision !== base.revision) {
            attempt--
            continue
          }
        }
        return yield* settle(cell, batch.outcomes, base, [])
      }
      const appended = yield* store
        .append(cell.stream, batch.stored, { expectedRevision: cell.revision < 0 ? "no_stream" : cell.revision })
        .pipe(
          Effect.map((result) => ({ result })),
          Effect.catchTag("WrongExpectedRevision", () => Effect.succeed(undefined)),
          Effect.exit
        )
      if (Exit.isFailure(appended)) {
        forget(cell)
        // Decisions made before the first written event did not depend on the lost write.
        const first = batch.outcomes.findIndex((o) => o._tag === "Decided" && o.events.length > 0)
        const settled = yield* settle(cell, batch.outcomes.slice(0, first), base, [])
        return [...settled, ...envelopes.slice(first).map((): BatchExit => Exit.failCause(appended.cause))]
      }
      if (appended.value === undefined) {
        const caught = yield* Effect.exit(catchUp(cell))
        if (Exit.isFailure(caught)) return all(Exit.failCause(caught.cause))
        continue
      }
      const { result } = appended.value
      cell.state = batch.state
      cell.revision = result.nextRevision
      cell.position = result.position
      const exits = yield* settle(cell, batch.outcomes, base, result.events)
      batch.outcomes.forEach((o, i) => {
        if (o._tag === "Decided" && o.events.length > 0) {
          const from = base.revision + 1 + o.offset
          remember(cell, envelopes[i]!.commandId, from, from + o.events.length - 1)
        }
      })
      return exits
    }
    return all(Exit.fail(new ConcurrencyConflict({ stream: cell.stream, attempts: options.maxConflictRetries + 1 })))
  })

/** Each command's own result, as if it had been applied alone at its place in the batch. */
const settle = (
  cell: AggregateCell,
  outcomes: ReadonlyArray<Outcome>,
  base: { readonly revision: number; readonly position: number },
  recorded: ReadonlyArray<RecordedEvent>
): Effect.Effect<Array<BatchExit>, never, EventStore> =>
  Effect.gen(function*() {
    const exits: Array<BatchExit> = []
    let head = base
    for (const outcome of outcomes) {
      switch (outcome._tag) {
        case "Rejected":
          exits.push(Exit.fail(outcome.error))
          break
        case "Decided": {
          const mine = recorded.slice(outcome.offset, outcome.offset + outcome.events.length)
          const last = mine.at(-1)
          if (last !== undefined) head = { revision: last.revision, position: last.position }
          exits.push(Exit.succeed({ events: outcome.events, recorded: mine, ...head, deduplicated: false }))
          break
        }
        case "Applied":
          exits.push(yield* Effect.exit(replayResult(cell, outcome.range) as Effect.Effect<CommandResult<unknown>, EventStoreError | EventDecodeFailed, EventStore>))
          break
        case "SameAs": {
          const first = exits[outcome.index]!
          exits.push(Exit.map(first, (r) => ({ ...r, deduplicated: true })))
          break
        }
      }
    }
    return exits
  })
