/**
 * What this process read from a read model since the model last moved: documents and pages kept with
 * the checkpoint they were read at, and handed out again while the served checkpoint is still that one.
 * The read store commits documents and checkpoint together, so an unchanged checkpoint means unchanged
 * documents: a hit is exactly what the store would answer, with no store call (a Redis round trip, or
 * an effect run for the memory store). Any fold of the model makes every entry of it a miss.
 */
import { LruMap } from "../../collections/LruMap.ts"
import { slotSegment } from "../../readstore/ReadStoreKeys.ts"
import type { ListPage } from "../../readstore/ReadStoreTypes.ts"
import type { OpenReadModel } from "./ReadModel.ts"

/** Entries kept at most (documents and pages together); documents are shared with the store, frozen. */
const CAPACITY = 20_000

/** Returned by `document` / `page` when nothing current is kept. */
export const MISS: unique symbol = Symbol("FoldedReads.MISS")

export interface FoldedReads {
  /** The document (undefined: none) as of `model.checkpoint`, or MISS. */
  document(model: OpenReadModel, name: string, id: string): unknown | typeof MISS
  rememberDocument(model: OpenReadModel, name: string, id: string, doc: unknown): void
  page(model: OpenReadModel, key: string): ListPage | typeof MISS
  rememberPage(model: OpenReadModel, key: string, page: ListPage): void
}

export const makeFoldedReads = (capacity = CAPACITY): FoldedReads => {
  const entries = new LruMap<string, { readonly checkpoint: number; readonly value: unknown }>(capacity)
  const get = (model: OpenReadModel, key: string): unknown | typeof MISS => {
    const entry = entries.get(`${slotSegment(model.slot)}\u0000${key}`)
    return entry !== undefined && entry.checkpoint === model.checkpoint ? entry.value : MISS
  }
  // read at `model.checkpoint` or later (the store may have moved on since): a later check then misses
  const set = (model: OpenReadModel, key: string, value: unknown) =>
    entries.set(`${slotSegment(model.slot)}\u0000${key}`, { checkpoint: model.checkpoint, value })
  return {
    document: (model, name, id) => get(model, `d\u0000${name}\u0000${id}`),
    rememberDocument: (model, name, id, doc) => set(model, `d\u0000${name}\u0000${id}`, doc),
    page: (model, key) => get(model, `p\u0000${key}`) as ListPage | typeof MISS,
    rememberPage: (model, key, page) => set(model, `p\u0000${key}`, page)
  }
}
