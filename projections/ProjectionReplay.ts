/**
 * Replays history into a slot without a subscription (for the replay CLI, audits and the
 * benchmark): pages through the event store's read-all with the projection's filter and
 * folds each page as one atomic batch, up to a given position.
 */
import { Effect } from "effect"
import { EventStore } from "../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"
import type { ReadStoreShape } from "../src/readstore/ReadStore.ts"
import type { Slot } from "../src/readstore/ReadStoreTypes.ts"
import { makeBatchApplier } from "./BatchApplier.ts"
import type { AnyProjection } from "./Projection.ts"
import { filterOf } from "./SlotRunner.ts"

export interface ReplayOptions {
  /** Last position to fold in (inclusive); default: the head when the replay starts. */
  readonly upTo?: number | undefined
  readonly batchSize?: number | undefined
}

export interface ReplayResult {
  readonly projection: string
  readonly eventsRead: number
  readonly eventsApplied: number
  /** Last position folded in (0 when none). */
  readonly checkpoint: number
  readonly seconds: number
}

export const replayProjection = (projection: AnyProjection, store: ReadStoreShape, slot: Slot, options: ReplayOptions = {}) =>
  Effect.gen(function*() {
    const events = yield* EventStore
    const upTo = options.upTo ?? (yield* events.headPosition)
    const batchSize = options.batchSize ?? 1000
    const applier = makeBatchApplier(projection, slot, store, 50_000)
    const filter = filterOf(projection)
    const started = performance.now()
    let from = 1
    let eventsRead = 0
    let eventsApplied = 0
    let checkpoint = 0
    while (from <= upTo) {
      const page: ReadonlyArray<RecordedEvent> = yield* events.readAll({ fromPosition: from, maxCount: batchSize, filter })
      const batch = page.filter((e) => e.position <= upTo)
      if (batch.length > 0) {
        eventsApplied += yield* applier.apply(batch)
        eventsRead += batch.length
        checkpoint = batch[batch.length - 1]!.position
      }
      if (page.length < batchSize || batch.length < page.length) break
      from = page[page.length - 1]!.position + 1
    }
    return {
      projection: projection.name,
      eventsRead,
      eventsApplied,
      checkpoint,
      seconds: (performance.now() - started) / 1000
    } satisfies ReplayResult
  })

/** The same fold, one event at a time with plain maps and no store: what any build of the model must equal. */
export const foldSequential = (projection: AnyProjection, events: ReadonlyArray<RecordedEvent>): ModelDocs => {
  const models: ModelDocs = new Map(Object.keys(projection.models).map((m) => [m, new Map()]))
  const handled = new Set(projection.handles)
  const prefixes = projection.streamPrefixes
  for (const event of events) {
    if (!handled.has(event.type) || (prefixes && !prefixes.some((p) => event.stream.startsWith(p)))) continue
    const docs = { get: (model: string, id: string) => models.get(model)?.get(id) }
    for (const change of projection.evolve(docs, event)) {
      const byId = models.get(change.model)!
      change.doc === undefined ? byId.delete(change.id) : byId.set(change.id, change.doc)
    }
  }
  return models
}

/** model → id → document. */
export type ModelDocs = Map<string, Map<string, unknown>>
