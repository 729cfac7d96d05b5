/** A read store wrapper that fails chosen commits, to test that projections neither lose nor repeat events. */
import { Effect, Layer } from "effect"
import { ReadStore, type ReadStoreShape } from "./ReadStore.ts"
import { ReadStoreUnavailable } from "./ReadStoreError.ts"
import type { CommitBatch } from "./ReadStoreTypes.ts"

/**
 * What happens to a commit:
 * - "before": fails, nothing written (a crash between fold and commit);
 * - "after": written, then fails as if the reply was lost (a crash right after the commit);
 * - "die": a defect before writing (a bug or a killed process);
 * - undefined: goes through.
 */
export type CommitFault = "before" | "after" | "die" | undefined

export interface FaultPlan {
  /** Called for every commit with its 1-based number. */
  readonly commit: (n: number, batch: CommitBatch) => CommitFault
}

/** Fails commit number `n` (and only it) in the given way. */
export const failNthCommit = (n: number, fault: Exclude<CommitFault, undefined>): FaultPlan => ({
  commit: (i) => (i === n ? fault : undefined)
})

const injected = (n: number, where: string) => new ReadStoreUnavailable({ reason: `injected fault ${where} commit #${n}` })

export const withFaults = (store: ReadStoreShape, plan: FaultPlan): ReadStoreShape => {
  let commits = 0
  return {
    ...store,
    commit: (batch) =>
      Effect.suspend(() => {
        const n = ++commits
        switch (plan.commit(n, batch)) {
          case "before":
            return Effect.fail(injected(n, "before"))
          case "after":
            return Effect.andThen(store.commit(batch), Effect.fail(injected(n, "after")))
          case "die":
            return Effect.die(new Error(`injected crash before commit #${n}`))
          default:
            return store.commit(batch)
        }
      })
  }
}

export class FaultyReadStore {
  /** Wraps the ReadStore below it. */
  static layer(plan: FaultPlan): Layer.Layer<ReadStore, never, ReadStore> {
    return Layer.effect(ReadStore, Effect.map(ReadStore, (store) => ReadStore.of(withFaults(store, plan))))
  }
}
