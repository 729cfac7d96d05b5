/** One aggregate instance as an actor holds it: cached state and revision, and how a command is applied to it. */
import { Clock, Effect, Result } from "effect"
import type { Aggregate, EventCodec } from "../domain/shared/Decider.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import type { EventStoreError } from "../eventstore/EventStoreError.ts"
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"
import { ConcurrencyConflict, EventDecodeFailed } from "./ActorError.ts"
import type { CommandEnvelope, CommandResult } from "./CommandEnvelope.ts"

// Any aggregate: the registry keeps cells of every kind in one map.
export type AnyAggregate = Aggregate<any, any, any, any, any>

/** How many recent command ids a cell remembers for deduplication. */
const DEDUP_WINDOW = 1_000
const READ_PAGE = 1_000

export interface AggregateCell {
  readonly stream: string
  readonly aggregate: AnyAggregate
  state: unknown
  /** Revision of the last event folded in; -1 when the stream does not exist. */
  revision: number
  /** Global position of that event; 0 when none. */
  position: number
  loaded: boolean
  /** command id → revisions of the events it wrote (oldest first, bounded). */
  readonly applied: Map<string, { readonly from: number; readonly to: number }>
}

export const makeCell = (aggregate: AnyAggregate, id: string): AggregateCell => ({
  stream: `${aggregate.category}-${id}`,
  aggregate,
  state: aggregate.decider.initialState,
  revision: -1,
  position: 0,
  loaded: false,
  applied: new Map()
})

/** Drops the cached state: the next command reloads from the store. */
export const forget = (cell: AggregateCell) => {
  cell.state = cell.aggregate.decider.initialState
  cell.revision = -1
  cell.position = 0
  cell.loaded = false
  cell.applied.clear()
}

export const remember = (cell: AggregateCell, commandId: string | undefined, from: number, to: number) => {
  if (commandId === undefined) return
  cell.applied.set(commandId, { from, to })
  if (cell.applied.size > DEDUP_WINDOW) cell.applied.delete(cell.applied.keys().next().value!)
}

const decode = (cell: AggregateCell, recorded: RecordedEvent) => {
  const decoded = cell.aggregate.events.decode({
    type: recorded.type,
    data: recorded.data,
    schemaVersion: recorded.metadata.schemaVersion
  })
  return Result.isSuccess(decoded)
    ? Effect.succeed(decoded.success)
    : Effect.fail(
      new EventDecodeFailed({
        stream: cell.stream,
        revision: recorded.revision,
        type: recorded.type,
        reason: decoded.failure.message
      })
    )
}

/** Folds in every event written after the cell's revision (by this process or another). */
export const catchUp = (cell: AggregateCell): Effect.Effect<void, EventStoreError | EventDecodeFailed, EventStore> =>
  Effect.gen(function*() {
    const store = yield* EventStore
    let from = -1
    let causation: string | undefined
    while (true) {
      const page = yield* store.readStream(cell.stream, { fromRevision: cell.revision + 1, maxCount: READ_PAGE })
      for (const recorded of page) {
        const event = yield* decode(cell, recorded)
        cell.state = cell.aggregate.decider.evolve(cell.state, event)
        // Consecutive events with one causation id were written by one command.
        if (recorded.metadata.causationId !== causation) from = recorded.revision
        causation = recorded.metadata.causationId
        if (causation !== undefined) remember(cell, causation, from, recorded.revision)
        cell.revision = recorded.revision
        cell.position = recorded.position
      }
      if (page.length < READ_PAGE) break
    }
    cell.loaded = true
  })

export const ensureLoaded = (cell: AggregateCell) => (cell.loaded ? Effect.void : catchUp(cell))

/** The first result of an already applied command, read back from the store. */
export const replayResult = (cell: AggregateCell, range: { from: number; to: number }) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const recorded = yield* store.readStream(cell.stream, { fromRevision: range.from, maxCount: range.to - range.from + 1 })
    const events = yield* Effect.forEach(recorded, (r) => decode(cell, r))
    return {
      events,
      recorded,
      revision: cell.revision,
      position: recorded.at(-1)?.position ?? cell.position,
      deduplicated: true
    } satisfies CommandResult<unknown>
  })

/** A domain event as it is appended: encoded, with the command's ids, user and time in its metadata. */
export const toStored = (codec: EventCodec<unknown>, envelope: CommandEnvelope<unknown>, now: number, event: unknown) => {
  const encoded = codec.encode(event)
  return {
    type: encoded.type,
    data: encoded.data,
    metadata: {
      correlationId: envelope.correlationId ?? envelope.commandId,
      causationId: envelope.commandId,
      userId: envelope.actor.userId,
      occurredAt: new Date(now).toISOString(),
      schemaVersion: encoded.schemaVersion
    }
  }
}

/**
 * Applies one command: decide on the cached state, append at the cached revision, and on
 * a conflict catch up and decide again (at most `maxConflictRetries` times). A failed
 * append of unknown outcome drops the cache, so the next command starts from the store.
 */
export const applyCommand = (
  cell: AggregateCell,
  envelope: CommandEnvelope<unknown>,
  options: { readonly settings: unknown; readonly maxConflictRetries: number }
): Effect.Effect<CommandResult<unknown>, unknown, EventStore> =>
  Effect.gen(function*() {
    const store = yield* EventStore
    yield* ensureLoaded(cell)
    const { decider, events: codec } = cell.aggregate
    let fresh = false
    for (let attempt = 0; attempt <= options.maxConflictRetries; attempt++) {
      const seen = envelope.commandId === undefined ? undefined : cell.applied.get(envelope.commandId)
      if (seen) return yield* replayResult(cell, seen)
      const now = yield* Clock.currentTimeMillis
      const decision = decider.decide(envelope.command, cell.state, {
        now,
        actor: envelope.actor,
        settings: options.settings
      })
      const events = Result.isFailure(decision) ? [] : decision.success
      if (events.length === 0) {
        // A rejection or a no-op appends nothing, so no expected revision checks the cached state:
        // it may be behind another process's writes. Once: catch up, and decide again if it was.
        if (!fresh) {
          fresh = true
          const before = cell.revision
          yield* catchUp(cell)
          if (cell.revision !== before) {
            attempt--
            continue
          }
        }
        if (Result.isFailure(decision)) return yield* Effect.fail(decision.failure)
        return { events, recorded: [], revision: cell.revision, position: cell.position, deduplicated: false }
      }
      const toAppend = events.map((event) => toStored(codec, envelope, now, event))
      const appended = yield* store
        .append(cell.stream, toAppend, { expectedRevision: cell.revision < 0 ? "no_stream" : cell.revision })
        .pipe(
          Effect.map((result) => ({ result })),
          Effect.catchTag("WrongExpectedRevision", () => Effect.succeed(undefined)),
          Effect.tapError(() => Effect.sync(() => forget(cell)))
        )
      if (appended === undefined) {
        yield* catchUp(cell)
        continue
      }
      const { result } = appended
      const from = cell.revision + 1
      for (const event of events) cell.state = decider.evolve(cell.state, event)
      cell.revision = result.nextRevision
      cell.position = result.position
      remember(cell, envelope.commandId, from, result.nextRevision)
      return { events, recorded: result.events, revision: result.nextRevision, position: result.position, deduplicated: false }
    }
    return yield* new ConcurrencyConflict({ stream: cell.stream, attempts: options.maxConflictRetries + 1 })
  })
