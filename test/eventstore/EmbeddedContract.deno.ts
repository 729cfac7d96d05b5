/**
 * The event store contract under Deno, against the embedded adapter (PGlite in memory):
 * `npx deno test -A test/eventstore/EmbeddedContract.deno.ts` (npm run test:deno).
 */
import { ManagedRuntime } from "effect"
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

const runtime = ManagedRuntime.make(PgliteEventStore.layer({}))
const store = await runtime.runPromise(EventStore.useSync((s) => s))

// The store (and PGlite's timers) lives across tests, so Deno's per-test leak checks do not apply.
for (const c of [...freshStoreCases, ...contractCases]) {
  Deno.test({ name: c.name, fn: () => c.run(store), sanitizeOps: false, sanitizeResources: false })
}
Deno.test({
  name: "dispose the store",
  fn: () => runtime.dispose(),
  sanitizeOps: false,
  sanitizeResources: false
})
