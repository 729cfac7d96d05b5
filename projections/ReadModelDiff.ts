/**
 * Reads a whole read model back through the port and compares two builds of it (a live one
 * and a fresh replay): documents by id, and the index listings the documents imply. Every
 * model must have an "all" index (all of ours do) so its documents can be enumerated.
 */
import { Effect } from "effect"
import type { ReadStoreShape } from "../src/readstore/ReadStore.ts"
import type { Slot } from "../src/readstore/ReadStoreTypes.ts"
import { canonicalJson } from "../src/eventstore/HashChain.ts"
import type { AnyProjection, IndexEntry } from "./Projection.ts"
import type { ModelDocs } from "./ProjectionReplay.ts"

const PAGE = 1000

const listAll = (store: ReadStoreShape, slot: Slot, model: string, index: string, value: string) =>
  Effect.gen(function*() {
    const items: Array<{ id: string; score: number; doc: unknown }> = []
    let cursor: string | undefined
    do {
      const page = yield* store.list(slot, model, index, { value, cursor, limit: PAGE, order: "asc" })
      items.push(...page.items)
      cursor = page.next
    } while (cursor)
    return items
  })

/** Every document of every model of the projection in `slot`. */
export const dumpSlot = (store: ReadStoreShape, projection: AnyProjection, slot: Slot) =>
  Effect.gen(function*() {
    const out: ModelDocs = new Map()
    for (const model of Object.keys(projection.models)) {
      const items = yield* listAll(store, slot, model, "all", "")
      out.set(model, new Map(items.map((i) => [i.id, i.doc])))
    }
    return out
  })

export interface ModelDiff {
  readonly model: string
  /** Live documents changed after the compared position, left out. */
  readonly skipped: number
  readonly live: number
  readonly replay: number
  readonly onlyLive: ReadonlyArray<string>
  readonly onlyReplay: ReadonlyArray<string>
  readonly different: ReadonlyArray<{ readonly id: string; readonly live: unknown; readonly replay: unknown }>
  /** Index partitions whose live listing differs from what the replayed documents imply. */
  readonly indexMismatches: ReadonlyArray<{ readonly index: string; readonly value: string; readonly live: ReadonlyArray<string>; readonly expected: ReadonlyArray<string> }>
}

export interface DiffReport {
  readonly projection: string
  readonly equal: boolean
  readonly models: ReadonlyArray<ModelDiff>
}

const entriesOf = (projection: AnyProjection, model: string, id: string, doc: unknown): ReadonlyArray<IndexEntry> =>
  projection.models[model]?.indexes?.(doc, id) ?? []

/**
 * Compares `live` with `replay` (documents compared as canonical JSON). With `checkIndexes`,
 * also lists, in the live slot, every index partition the replayed documents populate and
 * compares it, in order, with the expected one. At most `sample` ids are kept per kind of difference.
 */
export const diffReadModels = (
  projection: AnyProjection,
  live: { readonly store: ReadStoreShape; readonly slot: Slot; readonly docs: ModelDocs },
  replay: ModelDocs,
  options: { readonly checkIndexes?: boolean; readonly sample?: number; readonly ignoreChangedAfter?: number } = {}
) =>
  Effect.gen(function*() {
    const sample = options.sample ?? 20
    const models: Array<ModelDiff> = []
    // Live documents changed after the replayed position (the live model moved on meanwhile) are left out.
    const after = options.ignoreChangedAfter
    const newer = (doc: unknown) =>
      after !== undefined && typeof doc === "object" && doc !== null && typeof (doc as { position?: unknown }).position === "number" &&
      (doc as { position: number }).position > after
    for (const model of Object.keys(projection.models)) {
      const skipped = new Set([...(live.docs.get(model) ?? new Map<string, unknown>())].filter(([, doc]) => newer(doc)).map(([id]) => id))
      const a = new Map([...(live.docs.get(model) ?? new Map<string, unknown>())].filter(([id]) => !skipped.has(id)))
      const b = new Map([...(replay.get(model) ?? new Map<string, unknown>())].filter(([id]) => !newer(live.docs.get(model)?.get(id))))
      const onlyLive = [...a.keys()].filter((id) => !b.has(id))
      const onlyReplay = [...b.keys()].filter((id) => !a.has(id))
      const different: Array<ModelDiff["different"][number]> = []
      let differentCount = 0
      for (const [id, doc] of b) {
        if (!a.has(id) || canonicalJson(a.get(id)) === canonicalJson(doc)) continue
        if (differentCount++ < sample) different.push({ id, live: a.get(id), replay: doc })
      }
      const indexMismatches: Array<ModelDiff["indexMismatches"][number]> = []
      if (options.checkIndexes) {
        const expected = new Map<string, { index: string; value: string; entries: Array<{ id: string; score: number }> }>()
        for (const [id, doc] of b) {
          for (const e of entriesOf(projection, model, id, doc)) {
            const key = `${e.index}\u0000${e.value ?? ""}`
            let p = expected.get(key)
            if (!p) expected.set(key, (p = { index: e.index, value: e.value ?? "", entries: [] }))
            p.entries.push({ id, score: e.score })
          }
        }
        for (const p of expected.values()) {
          const want = p.entries.sort((x, y) => x.score - y.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)).map((e) => e.id)
          const got = (yield* listAll(live.store, live.slot, model, p.index, p.value)).map((i) => i.id).filter((id) => !skipped.has(id))
          if (got.join("\n") !== want.join("\n") && indexMismatches.length < sample) {
            indexMismatches.push({ index: p.index, value: p.value, live: got.slice(0, sample), expected: want.slice(0, sample) })
          }
        }
      }
      models.push({
        model,
        skipped: skipped.size,
        live: a.size,
        replay: b.size,
        onlyLive: onlyLive.slice(0, sample),
        onlyReplay: onlyReplay.slice(0, sample),
        different,
        indexMismatches
      })
    }
    const equal = models.every((m) =>
      m.onlyLive.length === 0 && m.onlyReplay.length === 0 && m.different.length === 0 && m.indexMismatches.length === 0
    )
    return { projection: projection.name, equal, models } satisfies DiffReport
  })
