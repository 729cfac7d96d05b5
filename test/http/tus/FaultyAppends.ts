/** An event store wrapper that fails the appends to chosen streams, to test what a caller does with each kind of failure. */
import { Effect, Layer } from "effect"
import { EventStore, type EventStoreShape } from "../../../src/eventstore/EventStore.ts"
import { EventStoreUnavailable, WrongExpectedRevision } from "../../../src/eventstore/EventStoreError.ts"

/**
 * What happens to an append:
 * - "before": EventStoreUnavailable, nothing written (the store was down);
 * - "after": written, then EventStoreUnavailable as if the reply was lost (a timeout after the commit);
 * - "conflict": WrongExpectedRevision, nothing written (another writer always wins: a definite refusal);
 * - undefined: goes through.
 */
export type AppendFault = "before" | "after" | "conflict" | undefined

/** Decides per append; change `fault` between requests. */
export interface AppendFaults {
  fault: AppendFault
  /** Only appends to streams starting with this are touched. */
  readonly streamPrefix: string
  /** Appends that were failed so far. */
  failed: number
}

export const appendFaults = (streamPrefix: string): AppendFaults => ({ fault: undefined, streamPrefix, failed: 0 })

export const withAppendFaults = (store: EventStoreShape, faults: AppendFaults): EventStoreShape => ({
  ...store,
  append: (stream, events, options) =>
    Effect.suspend(() => {
      const fault = stream.startsWith(faults.streamPrefix) ? faults.fault : undefined
      if (fault === undefined) return store.append(stream, events, options)
      faults.failed++
      const lost = new EventStoreUnavailable({ reason: `injected fault ${fault} the append to ${stream}` })
      switch (fault) {
        case "before":
          return Effect.fail(lost)
        case "after":
          return Effect.andThen(store.append(stream, events, options), Effect.fail(lost))
        case "conflict":
          return Effect.fail(new WrongExpectedRevision({ stream, expected: options?.expectedRevision ?? "any", actual: 0 }))
      }
    })
})

/** `below` with `faults` applied to its appends. */
export const faultyEventStore = <E>(below: Layer.Layer<EventStore, E>, faults: AppendFaults): Layer.Layer<EventStore, E> =>
  Layer.effect(EventStore, Effect.map(EventStore, (store) => EventStore.of(withAppendFaults(store, faults)))).pipe(Layer.provide(below))
