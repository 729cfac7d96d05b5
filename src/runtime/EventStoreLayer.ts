/** Picks the event store adapter from EVENTSTORE_URL; only the chosen adapter's module is loaded (Deno never loads gRPC). */
import { Effect, Layer } from "effect"
import type { EventStoreChoice } from "../config.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import { EventStoreUnavailable } from "../eventstore/EventStoreError.ts"
import { nodeSha256Hex } from "./NodeDigests.ts"

const load = <M>(what: string, importer: () => Promise<M>) =>
  Effect.tryPromise({
    try: importer,
    catch: (cause) => new EventStoreUnavailable({ reason: `cannot load the ${what} adapter: ${String(cause)}`, cause })
  })

export const eventStoreLayer = (choice: EventStoreChoice): Layer.Layer<EventStore, EventStoreUnavailable> =>
  Layer.unwrap(
    Effect.gen(function*() {
      switch (choice.kind) {
        case "embedded": {
          const m = yield* load("embedded", () => import("../eventstore/embedded/PgliteEventStore.ts"))
          return m.PgliteEventStore.layer({ dataDir: choice.dataDir, sha256Hex: nodeSha256Hex })
        }
        case "postgres": {
          const m = yield* load("PostgreSQL", () => import("../eventstore/postgres/PostgresEventStore.ts"))
          return m.PostgresEventStore.layer({ url: choice.url, sha256Hex: nodeSha256Hex })
        }
        case "kurrent": {
          const m = yield* load("KurrentDB", () => import("../eventstore/kurrent/KurrentEventStore.ts"))
          return m.KurrentEventStore.layer({ url: choice.url })
        }
      }
    })
  )
