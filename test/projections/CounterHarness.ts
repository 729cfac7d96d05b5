/** Test plumbing for runner suites: appending counter events, and reading a whole counter read model back. */
import { Effect, Option } from "effect"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { ReadStore } from "../../src/readstore/ReadStore.ts"
import type { Slot } from "../../src/readstore/ReadStoreTypes.ts"
import { type CategoryDoc, referenceFold, type StreamDoc } from "./StreamCounter.ts"

export interface Step {
  readonly stream: string
  readonly types: ReadonlyArray<string>
}

/** Appends each step (one append per step, so a step's events share a transaction) and returns what was recorded. */
export const appendSteps = (steps: ReadonlyArray<Step>) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const out: Array<RecordedEvent> = []
    for (const step of steps) {
      const result = yield* store.append(step.stream, step.types.map((type) => ({ type, data: { t: type } })))
      out.push(...result.events)
    }
    return out
  })

export interface Dump {
  readonly streams: ReadonlyArray<readonly [string, StreamDoc]>
  readonly categories: ReadonlyArray<readonly [string, CategoryDoc]>
  /** Index listings: stream/all desc, stream/byCategory per category asc, category/active desc. */
  readonly indexes: Record<string, ReadonlyArray<string>>
}

const listIds = (slot: Slot, model: string, index: string, value: string, order: "asc" | "desc") =>
  Effect.gen(function*() {
    const store = yield* ReadStore
    const ids: Array<string> = []
    let cursor: string | undefined
    do {
      const page = yield* store.list(slot, model, index, { value, cursor, limit: 7, order })
      ids.push(...page.items.map((i) => i.id))
      cursor = page.next
    } while (cursor)
    return ids
  })

/** Reads the whole model through the port: documents via the "all" indexes, then every index listing. */
export const dumpSlot = (slot: Slot) =>
  Effect.gen(function*() {
    const store = yield* ReadStore
    const streamIds = yield* listIds(slot, "stream", "all", "", "desc")
    const categoryIds = yield* listIds(slot, "category", "all", "", "desc")
    const streamDocs = yield* store.getMany(slot, "stream", streamIds)
    const categoryDocs = yield* store.getMany(slot, "category", categoryIds)
    const indexes: Record<string, ReadonlyArray<string>> = {
      "stream/all": streamIds,
      "category/all": categoryIds,
      "category/active": yield* listIds(slot, "category", "active", "", "desc")
    }
    for (const category of [...categoryIds].sort()) {
      indexes[`stream/byCategory/${category}`] = yield* listIds(slot, "stream", "byCategory", category, "asc")
    }
    const byId = <D>(ids: ReadonlyArray<string>, docs: ReadonlyArray<unknown>) =>
      ids.map((id, i) => [id, docs[i] as D] as const).sort(([a], [b]) => (a < b ? -1 : 1))
    return {
      streams: byId<StreamDoc>(streamIds, streamDocs),
      categories: byId<CategoryDoc>(categoryIds, categoryDocs),
      indexes
    } satisfies Dump
  })

const sortedIds = <D>(docs: Map<string, D>, score: (d: D) => number, order: "asc" | "desc") => {
  const ids = [...docs.entries()].sort(([a, x], [b, y]) => score(x) - score(y) || (a < b ? -1 : 1)).map(([id]) => id)
  return order === "asc" ? ids : ids.reverse()
}

/** What `dumpSlot` must return after folding `events` (computed without any store). */
export const expectedDump = (events: ReadonlyArray<RecordedEvent>): Dump => {
  const { streams, categories } = referenceFold(events)
  const active = new Map([...categories].filter(([, c]) => c.streams > 0))
  const indexes: Record<string, ReadonlyArray<string>> = {
    "stream/all": sortedIds(streams, (s) => s.lastPosition, "desc"),
    "category/all": sortedIds(categories, (c) => c.events, "desc"),
    "category/active": sortedIds(active, (c) => c.streams, "desc")
  }
  for (const category of [...categories.keys()].sort()) {
    const members = new Map([...streams].filter(([, s]) => s.category === category))
    indexes[`stream/byCategory/${category}`] = sortedIds(members, (s) => s.firstPosition, "asc")
  }
  const byId = <D>(m: Map<string, D>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
  return { streams: byId(streams), categories: byId(categories), indexes }
}

export const checkpointOf = (slot: Slot) => Effect.map(ReadStore.use((s) => s.checkpoint(slot)), Option.getOrElse(() => 0))
