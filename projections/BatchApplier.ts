/**
 * One batch, one commit: load the documents a batch touches (one getMany per model), fold, commit
 * with the checkpoint, fenced on the checkpoint the batch was folded from.
 */
import { Effect } from "effect"
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"
import type { ReadStoreShape } from "../src/readstore/ReadStore.ts"
import type { ReadStoreError } from "../src/readstore/ReadStoreError.ts"
import type { Slot } from "../src/readstore/ReadStoreTypes.ts"
import type { AnyProjection } from "./Projection.ts"
import type { ProjectionBug } from "./ProjectionError.ts"
import { type DocMap, docKey, foldBatch, refsToLoad } from "./ProjectionFold.ts"

export interface BatchApplier {
  /** Folds and commits `batch` (in position order); returns how many events the projection handled. */
  apply(batch: ReadonlyArray<RecordedEvent>): Effect.Effect<number, ReadStoreError | ProjectionBug>
  /**
   * Forgets cached documents and fences the next commit on `checkpoint` (the slot's stored one,
   * 0 for none); needed after any failed apply, as the store may or may not hold its commit.
   */
  reset(checkpoint: number): void
}

/**
 * `cacheSize` documents stay in memory between batches, most recently changed last. The cache is
 * exact while the applier is its slot's only writer; every commit is fenced on the checkpoint the
 * applier last committed (starting from `checkpoint`, 0 for an empty slot), so if another writer
 * moved it the commit fails with CheckpointMoved instead of applying stale documents.
 */
export const makeBatchApplier = (projection: AnyProjection, slot: Slot, store: ReadStoreShape, cacheSize: number, checkpoint = 0): BatchApplier => {
  const cache: DocMap = new Map()
  let after = checkpoint

  const load = (batch: ReadonlyArray<RecordedEvent>) =>
    Effect.flatMap(Effect.fromResult(refsToLoad(projection, batch, cache)), (toLoad) =>
      Effect.forEach(
        toLoad,
        ([model, ids]) =>
          Effect.map(store.getMany(slot, model, ids), (docs) => ids.forEach((id, i) => cache.set(docKey(model, id), docs[i]))),
        { concurrency: "unbounded", discard: true }
      ))

  return {
    apply: (batch) =>
      Effect.gen(function*() {
        yield* load(batch)
        const folded = yield* Effect.fromResult(foldBatch(projection, cache, batch))
        const position = batch[batch.length - 1]!.position
        yield* store.commit({ slot, writes: folded.writes, checkpoint: position, after })
        after = position
        for (const [key, doc] of folded.changed) {
          cache.delete(key)
          cache.set(key, doc)
        }
        // Oldest first: Map iteration follows insertion order, refreshed above for changed documents.
        for (const key of cache.keys()) {
          if (cache.size <= cacheSize) break
          cache.delete(key)
        }
        return folded.applied
      }),
    reset: (checkpoint) => {
      cache.clear()
      after = checkpoint
    }
  }
}
