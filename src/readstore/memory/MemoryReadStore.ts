/** The embedded read store: everything in process memory, rebuilt from the event history at start. */
import { Clock, Effect, Layer, Option } from "effect"
import { makeReadStore, type RawReadStore, ReadStore, type ReadStoreShape } from "../ReadStore.ts"
import { CheckpointMoved, ReadStoreCorrupted } from "../ReadStoreError.ts"
import { encodeCursor, slotSegment } from "../ReadStoreKeys.ts"
import type { ListItem, Slot } from "../ReadStoreTypes.ts"
import { deepFreeze } from "../FrozenDocument.ts"
import { SortedIndex } from "./SortedIndex.ts"

/**
 * A stored document: its JSON text, and the value parsed from it on the first read, deeply frozen — every
 * later read returns that same object (no parse, no garbage per read) and no caller can change it.
 */
interface StoredDoc {
  readonly json: string
  value?: unknown
}

interface SlotData {
  /** model → id → document. */
  readonly docs: Map<string, Map<string, StoredDoc>>
  /** `<model>\0<index>\0<value>` → entries. */
  readonly indexes: Map<string, SortedIndex>
  checkpoint: number | undefined
}

const indexKey = (model: string, index: string, value: string) => `${model}\u0000${index}\u0000${value}`

/** The document's value, parsed once; a ReadStoreCorrupted naming `key` if its text is not JSON (never, short of a bug). */
const valueOf = (key: string, stored: StoredDoc): unknown | ReadStoreCorrupted => {
  if ("value" in stored) return stored.value
  try {
    return (stored.value = deepFreeze(JSON.parse(stored.json)))
  } catch (e) {
    return new ReadStoreCorrupted({ key, reason: String(e) })
  }
}

export const makeMemoryReadStore = (): ReadStoreShape => {
  const slots = new Map<string, SlotData>()
  const active = new Map<string, Slot>()
  /** Lease name → holder and expiry (the process clock's milliseconds). */
  const leases = new Map<string, { holder: string; until: number }>()

  /** The lease's entry if `holder` holds it now. */
  const heldBy = (name: string, holder: string, now: number) => {
    const lease = leases.get(name)
    return lease !== undefined && lease.holder === holder && lease.until > now ? lease : undefined
  }

  const slotData = (slot: Slot, create: boolean): SlotData | undefined => {
    const key = slotSegment(slot)
    let data = slots.get(key)
    if (!data && create) {
      data = { docs: new Map(), indexes: new Map(), checkpoint: undefined }
      slots.set(key, data)
    }
    return data
  }

  // Inputs arrive checked, documents encoded (makeReadStore).
  const raw: RawReadStore = {
    kind: "memory",
    getMany: (slot, model, ids) =>
      Effect.suspend(() => {
        const docs = slotData(slot, false)?.docs.get(model)
        const out: Array<unknown> = new Array(ids.length)
        for (let i = 0; i < ids.length; i++) {
          const stored = docs?.get(ids[i]!)
          const value = stored === undefined ? undefined : valueOf(`${model}/${ids[i]}`, stored)
          if (value instanceof ReadStoreCorrupted) return Effect.fail(value)
          out[i] = value
        }
        return Effect.succeed(out)
      }),
    list: (slot, model, index, { cursor, limit, order, value }) =>
      Effect.gen(function*() {
        const data = slotData(slot, false)
        const entries = data?.indexes.get(indexKey(model, index, value))?.page(order, limit + 1, cursor) ?? []
        const page = entries.slice(0, limit)
        const docs = data?.docs.get(model)
        const items: Array<ListItem> = []
        for (const e of page) {
          const stored = docs?.get(e.id)
          if (stored === undefined) continue
          const value = valueOf(`${model}/${e.id}`, stored)
          if (value instanceof ReadStoreCorrupted) return yield* value
          items.push({ id: e.id, score: e.score, doc: value })
        }
        const last = page[page.length - 1]
        return entries.length > limit && last ? { items, next: encodeCursor(last) } : { items }
      }),
    checkpoint: (slot) => Effect.sync(() => Option.fromUndefinedOr(slotData(slot, false)?.checkpoint)),
    active: (projection) => Effect.sync(() => Option.fromUndefinedOr(active.get(projection))),
    commit: (batch) =>
      Effect.suspend(() => {
        // The batch was checked and encoded whole (prepareBatch); the loop below cannot fail, so it is all or nothing.
        if (batch.after !== undefined) {
          const actual = slotData(batch.slot, false)?.checkpoint ?? 0
          if (actual !== batch.after) return Effect.fail(new CheckpointMoved({ slot: batch.slot, expected: batch.after, actual }))
        }
        const data = slotData(batch.slot, true)!
        for (const w of batch.writes) {
          switch (w._tag) {
            case "Put": {
              let docs = data.docs.get(w.model)
              if (!docs) data.docs.set(w.model, (docs = new Map()))
              docs.set(w.id, { json: w.json })
              break
            }
            case "Delete":
              data.docs.get(w.model)?.delete(w.id)
              break
            case "IndexAdd": {
              const key = indexKey(w.model, w.index, w.value)
              let index = data.indexes.get(key)
              if (!index) data.indexes.set(key, (index = new SortedIndex()))
              index.add(w.id, w.score)
              break
            }
            case "IndexRemove": {
              const key = indexKey(w.model, w.index, w.value)
              const index = data.indexes.get(key)
              index?.remove(w.id)
              if (index?.size === 0) data.indexes.delete(key)
              break
            }
          }
        }
        if (batch.checkpoint !== undefined) data.checkpoint = batch.checkpoint
        if (batch.activate) active.set(batch.slot.projection, { ...batch.slot })
        return Effect.void
      }),
    acquireLease: (name, holder, ttlMillis) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const lease = leases.get(name)
        if (lease !== undefined && lease.until > now && lease.holder !== holder) return false
        leases.set(name, { holder, until: now + ttlMillis })
        return true
      }),
    renewLease: (name, holder, ttlMillis) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const lease = heldBy(name, holder, now)
        if (lease) lease.until = now + ttlMillis
        return lease !== undefined
      }),
    releaseLease: (name, holder) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (heldBy(name, holder, now)) leases.delete(name)
      }),
    drop: (slot) => Effect.sync(() => void slots.delete(slotSegment(slot))),
    ping: Effect.void
  }
  return makeReadStore(raw)
}

export class MemoryReadStore {
  /** A fresh, empty store per layer build. */
  static readonly layer: Layer.Layer<ReadStore> = Layer.sync(ReadStore, makeMemoryReadStore)
}
