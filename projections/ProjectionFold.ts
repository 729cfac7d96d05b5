/** The pure heart of the runner: folds a batch of events over the documents they touch into one commit's writes. */
import { Result } from "effect"
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"
import type { Write } from "../src/readstore/ReadStoreTypes.ts"
import type { AnyProjection, DocRef, IndexEntry } from "./Projection.ts"
import { ProjectionBug } from "./ProjectionError.ts"

/** Documents by `docKey`; `undefined` = known absent. */
export type DocMap = Map<string, unknown>

export const docKey = (model: string, id: string): string => `${model}\u0000${id}`
const splitKey = (key: string) => {
  const i = key.indexOf("\u0000")
  return { model: key.slice(0, i), id: key.slice(i + 1) }
}

export interface FoldResult {
  readonly writes: ReadonlyArray<Write>
  /** Final value of every document the batch changed (for the runner's cache). */
  readonly changed: DocMap
  /** Events actually folded (the others were not handled). */
  readonly applied: number
}

/** The refs every event of the batch touches, deduplicated, that are not already in `known`. */
export const refsToLoad = (projection: AnyProjection, events: ReadonlyArray<RecordedEvent>, known: DocMap): Result.Result<Map<string, Array<string>>, ProjectionBug> => {
  const byModel = new Map<string, Array<string>>()
  const seen = new Set<string>()
  for (const event of events) {
    let refs: ReadonlyArray<DocRef<Record<string, unknown>>>
    try {
      refs = handles(projection, event) ? projection.touches(event) : []
    } catch (e) {
      return Result.fail(bug(projection, event, `touches threw: ${String(e)}`))
    }
    for (const { model, id } of refs) {
      const key = docKey(model, id)
      if (known.has(key) || seen.has(key)) continue
      if (!(model in projection.models)) return Result.fail(bug(projection, event, `touches names an unknown model ${model}`))
      seen.add(key)
      const ids = byModel.get(model)
      ids ? ids.push(id) : byModel.set(model, [id])
    }
  }
  return Result.succeed(byModel)
}

const handledTypes = new WeakMap<AnyProjection, ReadonlySet<string>>()
const handles = (projection: AnyProjection, event: RecordedEvent) => {
  let types = handledTypes.get(projection)
  if (!types) handledTypes.set(projection, (types = new Set(projection.handles)))
  return types.has(event.type)
}

const bug = (projection: AnyProjection, event: RecordedEvent, reason: string) =>
  new ProjectionBug({ projection: projection.name, position: event.position, reason })

const entriesOf = (projection: AnyProjection, model: string, id: string, doc: unknown): ReadonlyArray<IndexEntry> =>
  doc === undefined ? [] : projection.models[model]?.indexes?.(doc, id) ?? []

/**
 * Folds `events` in order. `loaded` must hold every document the events touch (present or
 * known absent). Writes are the net effect per document (one put or delete) and index
 * changes diffed between the entries before the batch and after it.
 */
export const foldBatch = (projection: AnyProjection, loaded: DocMap, events: ReadonlyArray<RecordedEvent>): Result.Result<FoldResult, ProjectionBug> => {
  const working: DocMap = new Map()
  /** Index entries of each touched document as it was before the batch. */
  const before = new Map<string, ReadonlyArray<IndexEntry>>()
  let applied = 0
  for (const event of events) {
    if (!handles(projection, event)) continue
    try {
      // An event touches a handful of documents: an array beats a Set here.
      const allowed: Array<string> = []
      for (const ref of projection.touches(event)) {
        const key = docKey(ref.model, ref.id)
        allowed.push(key)
        // Taken before evolve runs, so a definition that mutates a document in place cannot hide an index change.
        if (!before.has(key) && !working.has(key)) before.set(key, entriesOf(projection, ref.model, ref.id, loaded.get(key)))
      }
      const docs = {
        get: (model: string, id: string) => {
          const key = docKey(model, id)
          if (!allowed.includes(key)) throw new Error(`read ${model}/${id}, which touches did not name`)
          return working.has(key) ? working.get(key) : loaded.get(key)
        }
      }
      for (const change of projection.evolve(docs, event)) {
        const key = docKey(change.model, change.id)
        if (!allowed.includes(key)) return Result.fail(bug(projection, event, `changed ${change.model}/${change.id}, which touches did not name`))
        working.set(key, change.doc)
      }
    } catch (e) {
      return Result.fail(bug(projection, event, String(e)))
    }
    applied++
  }
  const writes: Array<Write> = []
  try {
    for (const [key, doc] of working) {
      const { model, id } = splitKey(key)
      writes.push(doc === undefined ? { _tag: "Delete", model, id } : { _tag: "Put", model, id, doc })
      const old = new Map((before.get(key) ?? []).map((e) => [`${e.index}\u0000${e.value ?? ""}`, e]))
      for (const e of entriesOf(projection, model, id, doc)) {
        const k = `${e.index}\u0000${e.value ?? ""}`
        const previous = old.get(k)
        old.delete(k)
        if (previous?.score !== e.score) writes.push({ _tag: "IndexAdd", model, index: e.index, value: e.value ?? "", id, score: e.score })
      }
      for (const e of old.values()) writes.push({ _tag: "IndexRemove", model, index: e.index, value: e.value ?? "", id })
    }
  } catch (e) {
    const last = events[events.length - 1]!
    return Result.fail(bug(projection, last, `indexes threw: ${String(e)}`))
  }
  return Result.succeed({ writes, changed: working, applied })
}
