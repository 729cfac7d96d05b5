/** A small test projection: per-stream counters and per-category totals, with indexes, plus a plain sequential reference fold. */
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { defineProjection } from "../../projections/Projection.ts"

export interface StreamDoc {
  readonly stream: string
  readonly category: string
  readonly count: number
  readonly lastType: string
  readonly lastPosition: number
  readonly firstPosition: number
}

export interface CategoryDoc {
  readonly category: string
  readonly streams: number
  readonly events: number
}

export type CounterModels = {
  readonly stream: StreamDoc
  readonly category: CategoryDoc
}

/** Handled: Counted (+1), Reset (count 0), Removed (deletes the stream doc). Not handled: anything else. */
export const COUNTER_EVENT_TYPES = ["Counted", "Reset", "Removed"] as const

const categoryOf = (stream: string) => stream.slice(0, stream.indexOf("-"))

export const makeStreamCounter = (options: { name: string; version?: number; streamPrefixes?: ReadonlyArray<string> }) =>
  defineProjection<CounterModels>()({
    name: options.name,
    version: options.version ?? 1,
    handles: COUNTER_EVENT_TYPES,
    streamPrefixes: options.streamPrefixes,
    models: {
      stream: {
        indexes: (doc) => [
          { index: "all", score: doc.lastPosition },
          { index: "byCategory", value: doc.category, score: doc.firstPosition }
        ]
      },
      category: {
        // "active" lists only categories with streams left: an entry that comes and goes with the document's content.
        indexes: (doc) => [{ index: "all", score: doc.events }, ...(doc.streams > 0 ? [{ index: "active", score: doc.streams }] : [])]
      }
    },
    touches: (event) => [{ model: "stream", id: event.stream }, { model: "category", id: categoryOf(event.stream) }],
    evolve: (docs, event) => {
      const category = categoryOf(event.stream)
      const current = docs.get("stream", event.stream)
      const totals = docs.get("category", category) ?? { category, streams: 0, events: 0 }
      switch (event.type) {
        case "Removed":
          if (!current) return []
          return [
            { model: "stream", id: event.stream, doc: undefined },
            { model: "category", id: category, doc: { ...totals, streams: totals.streams - 1, events: totals.events + 1 } }
          ]
        default: {
          const next: StreamDoc = {
            stream: event.stream,
            category,
            count: event.type === "Reset" ? 0 : (current?.count ?? 0) + 1,
            lastType: event.type,
            lastPosition: event.position,
            firstPosition: current?.firstPosition ?? event.position
          }
          return [
            { model: "stream", id: event.stream, doc: next },
            { model: "category", id: category, doc: { ...totals, streams: totals.streams + (current ? 0 : 1), events: totals.events + 1 } }
          ]
        }
      }
    }
  })

/** The same model, folded one event at a time with no store: what any run must end with. */
export const referenceFold = (events: ReadonlyArray<RecordedEvent>) => {
  const streams = new Map<string, StreamDoc>()
  const categories = new Map<string, CategoryDoc>()
  const projection = makeStreamCounter({ name: "reference" })
  for (const event of events) {
    if (!projection.handles.includes(event.type)) continue
    const docs = {
      get: (model: string, id: string) => (model === "stream" ? streams.get(id) : categories.get(id))
    } as Parameters<typeof projection.evolve>[0]
    for (const change of projection.evolve(docs, event)) {
      const map = (change.model === "stream" ? streams : categories) as Map<string, unknown>
      change.doc === undefined ? map.delete(change.id) : map.set(change.id, change.doc)
    }
  }
  return { streams, categories }
}
