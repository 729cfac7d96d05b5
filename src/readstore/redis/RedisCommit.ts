/** Folds a batch's writes, in order, into their final per-key effect, so one command per key and kind suffices. */
import type { PreparedWrite } from "../ReadStoreKeys.ts"

export interface Coalesced {
  /** model → id → JSON, or undefined for a delete. */
  readonly docs: Map<string, Map<string, string | undefined>>
  /** [model, index, value] → id → score, or undefined for a removal. */
  readonly indexes: Map<readonly [string, string, string], Map<string, number | undefined>>
}

export const coalesce = (writes: ReadonlyArray<PreparedWrite>): Coalesced => {
  const docs = new Map<string, Map<string, string | undefined>>()
  const indexKeys = new Map<string, readonly [string, string, string]>()
  const indexes = new Map<readonly [string, string, string], Map<string, number | undefined>>()
  for (const w of writes) {
    if (w._tag === "Put" || w._tag === "Delete") {
      let byId = docs.get(w.model)
      if (!byId) docs.set(w.model, (byId = new Map()))
      // The last write to an id wins, as if the writes were applied one by one.
      byId.set(w.id, w._tag === "Put" ? w.json : undefined)
    } else {
      const name = `${w.model}\u0000${w.index}\u0000${w.value}`
      let key = indexKeys.get(name)
      if (!key) indexKeys.set(name, (key = [w.model, w.index, w.value] as const))
      let byId = indexes.get(key)
      if (!byId) indexes.set(key, (byId = new Map()))
      byId.set(w.id, w._tag === "IndexAdd" ? w.score : undefined)
    }
  }
  return { docs, indexes }
}
