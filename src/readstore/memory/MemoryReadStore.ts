/** The embedded read store: everything in process memory, rebuilt from the event history at start. */
import { Clock, Effect, Layer, Option } from "effect"
import { ReadStore, type ReadStoreShape } from "../ReadStore.ts"
import { CheckpointMoved, ReadStoreCorrupted } from "../ReadStoreError.ts"
import { checkLease, checkProjectionName, checkSlot, encodeCursor, prepareBatch, slotSegment, validateList, validateRead } from "../ReadStoreKeys.ts"
import type { ListItem, Slot } from "../ReadStoreTypes.ts"
import { SortedIndex } from "./SortedIndex.ts"

interface SlotData {
  /** model → id → JSON text (kept as text so callers never share objects with the store). */
  readonly docs: Map<string, Map<string, string>>
  /** `<model>\0<index>\0<value>` → entries. */
  readonly indexes: Map<string, SortedIndex>
  checkpoint: number | undefined
}

const indexKey = (model: string, index: string, value: string) => `${model}\u0000${index}\u0000${value}`

const parse = (key: string, json: string) =>
  Effect.try({ try: () => JSON.parse(json) as unknown, catch: (e) => new ReadStoreCorrupted({ key, reason: String(e) }) })

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

  const getMany: ReadStoreShape["getMany"] = Effect.fn("MemoryReadStore.getMany")(function*(slot, model, ids) {
    yield* validateRead(slot, model, ids)
    const docs = slotData(slot, false)?.docs.get(model)
    const out: Array<unknown> = new Array(ids.length)
    for (let i = 0; i < ids.length; i++) {
      const json = docs?.get(ids[i]!)
      out[i] = json === undefined ? undefined : yield* parse(`${model}/${ids[i]}`, json)
    }
    return out
  })

  return ReadStore.of({
    kind: "memory",
    getMany,
    get: (slot, model, id) => Effect.map(getMany(slot, model, [id]), ([doc]) => Option.fromUndefinedOr(doc)),
    list: Effect.fn("MemoryReadStore.list")(function*(slot, model, index, options) {
      const cursor = yield* validateList(slot, model, index, options)
      const data = slotData(slot, false)
      const entries = data?.indexes.get(indexKey(model, index, options.value ?? ""))?.page(options.order, options.limit + 1, cursor) ?? []
      const page = entries.slice(0, options.limit)
      const docs = data?.docs.get(model)
      const items: Array<ListItem> = []
      for (const e of page) {
        const json = docs?.get(e.id)
        if (json !== undefined) items.push({ id: e.id, score: e.score, doc: yield* parse(`${model}/${e.id}`, json) })
      }
      const last = page[page.length - 1]
      return entries.length > options.limit && last ? { items, next: encodeCursor(last) } : { items }
    }),
    checkpoint: (slot) => {
      const error = checkSlot(slot)
      return error ? Effect.fail(error) : Effect.sync(() => Option.fromUndefinedOr(slotData(slot, false)?.checkpoint))
    },
    active: (projection) => {
      const error = checkProjectionName(projection)
      return error ? Effect.fail(error) : Effect.sync(() => Option.fromUndefinedOr(active.get(projection)))
    },
    commit: Effect.fn("MemoryReadStore.commit")(function*(batch) {
      // Everything that can fail happens in prepareBatch; the loop below cannot, so a batch is all or nothing.
      const writes = yield* prepareBatch(batch)
      if (batch.after !== undefined) {
        const actual = slotData(batch.slot, false)?.checkpoint ?? 0
        if (actual !== batch.after) return yield* new CheckpointMoved({ slot: batch.slot, expected: batch.after, actual })
      }
      const data = slotData(batch.slot, true)!
      for (const w of writes) {
        switch (w._tag) {
          case "Put": {
            let docs = data.docs.get(w.model)
            if (!docs) data.docs.set(w.model, (docs = new Map()))
            docs.set(w.id, w.json)
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
    }),
    acquireLease: Effect.fn("MemoryReadStore.acquireLease")(function*(name, holder, ttlMillis) {
      const error = checkLease(name, holder, ttlMillis)
      if (error) return yield* error
      const now = yield* Clock.currentTimeMillis
      const lease = leases.get(name)
      if (lease !== undefined && lease.until > now && lease.holder !== holder) return false
      leases.set(name, { holder, until: now + ttlMillis })
      return true
    }),
    renewLease: Effect.fn("MemoryReadStore.renewLease")(function*(name, holder, ttlMillis) {
      const error = checkLease(name, holder, ttlMillis)
      if (error) return yield* error
      const now = yield* Clock.currentTimeMillis
      const lease = heldBy(name, holder, now)
      if (lease) lease.until = now + ttlMillis
      return lease !== undefined
    }),
    releaseLease: Effect.fn("MemoryReadStore.releaseLease")(function*(name, holder) {
      const error = checkLease(name, holder)
      if (error) return yield* error
      if (heldBy(name, holder, yield* Clock.currentTimeMillis)) leases.delete(name)
    }),
    drop: (slot) => {
      const error = checkSlot(slot)
      return error ? Effect.fail(error) : Effect.sync(() => void slots.delete(slotSegment(slot)))
    },
    ping: Effect.void
  })
}

export class MemoryReadStore {
  /** A fresh, empty store per layer build. */
  static readonly layer: Layer.Layer<ReadStore> = Layer.sync(ReadStore, makeMemoryReadStore)
}
