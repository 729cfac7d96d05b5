/** Registers the contract cases as vitest tests against one store built from an adapter's layer. */
import type { Layer } from "effect"
import { ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, it } from "vitest"
import { EventStore, type EventStoreShape } from "../../src/eventstore/EventStore.ts"
import { contractCases, freshStoreCases } from "./EventStoreContract.ts"

export interface ContractTarget {
  /** Builds the adapter's layer; called once, in beforeAll. */
  readonly layer: () => Layer.Layer<EventStore, unknown> | Promise<Layer.Layer<EventStore, unknown>>
  /** True when nobody wrote to the store before the suite: the empty-store cases run first. */
  readonly fresh: boolean
  /** Runs after the store is disposed (drop a schema, remove a directory). */
  readonly cleanup?: () => Promise<void>
}

export const describeContract = (name: string, target: ContractTarget): void => {
  describe(`event store contract: ${name}`, () => {
    let runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown> | undefined
    let store: EventStoreShape | undefined
    beforeAll(async () => {
      runtime = ManagedRuntime.make(await target.layer())
      store = await runtime.runPromise(EventStore.useSync((s) => s))
    }, 60_000)
    afterAll(async () => {
      await runtime?.dispose()
      await target.cleanup?.()
    }, 60_000)
    const cases = target.fresh ? [...freshStoreCases, ...contractCases] : contractCases
    for (const c of cases) {
      it(c.name, async () => {
        if (store === undefined) throw new Error("the store was not built (see beforeAll)")
        await c.run(store)
      }, 60_000)
    }
  })
}
