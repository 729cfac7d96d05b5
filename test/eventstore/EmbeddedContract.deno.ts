/**
 * The event store contract under Deno, against the embedded adapter (PGlite in memory, and in a
 * data directory, where its fsyncs go through node:fs under Deno too):
 * `npx deno test -A test/eventstore/EmbeddedContract.deno.ts` (npm run test:deno).
 */
import { type Layer, ManagedRuntime } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { contractCases, freshStoreCases } from "./EventStoreContract.ts"

// Reached through globalThis so that tsc (Node types) type-checks this file as well as Deno does.
interface DenoTest {
  test(definition: {
    name: string
    fn: () => Promise<void>
    sanitizeOps?: boolean
    sanitizeResources?: boolean
  }): void
}
const Deno = (globalThis as unknown as { readonly Deno: DenoTest }).Deno

const suite = async (label: string, layer: Layer.Layer<EventStore, unknown>, after: () => Promise<void> = async () => {}) => {
  const runtime = ManagedRuntime.make(layer)
  const store = await runtime.runPromise(EventStore.useSync((s) => s))
  // The store (and PGlite's timers) lives across tests, so Deno's per-test leak checks do not apply.
  for (const c of [...freshStoreCases, ...contractCases]) {
    Deno.test({ name: `${label}: ${c.name}`, fn: () => c.run(store), sanitizeOps: false, sanitizeResources: false })
  }
  Deno.test({
    name: `${label}: dispose the store`,
    fn: async () => {
      await runtime.dispose()
      await after()
    },
    sanitizeOps: false,
    sanitizeResources: false
  })
}

await suite("memory", PgliteEventStore.layer({}))

const dataDir = await mkdtemp(join(tmpdir(), "keyframe-deno-pglite-"))
let walFsyncs = 0
await suite(
  "data directory",
  PgliteEventStore.layer({
    dataDir,
    durability: {
      synced: (path) => {
        if (/[\\/]pg_wal[\\/][0-9A-F]{24}$/.test(path)) walFsyncs++
      }
    }
  }),
  async () => {
    await rm(dataDir, { recursive: true, force: true })
    if (walFsyncs === 0) throw new Error("no WAL fsync was seen: appends were acknowledged before they were durable")
  }
)
