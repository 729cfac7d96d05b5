/**
 * A child process for PgliteDurability.test.ts (run under strace): opens the embedded store in
 * a directory and appends `count` events one at a time, writing "begin i" and "ack i" to
 * stdout around each, so the trace shows which syscalls happened before each acknowledgement.
 *
 *   node test/eventstore/PgliteAppender.ts <dataDir> <count>
 */
import { ManagedRuntime } from "effect"
import { writeSync } from "node:fs"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"

const [dataDir, count] = process.argv.slice(2)
const runtime = ManagedRuntime.make(PgliteEventStore.layer({ dataDir }))
const store = await runtime.runPromise(EventStore.useSync((s) => s))
for (let i = 0; i < Number(count); i++) {
  writeSync(1, `begin ${i}\n`)
  await runtime.runPromise(store.append(`upload-strace${i}`, [{ type: "Created", data: { i } }]))
  writeSync(1, `ack ${i}\n`)
}
await runtime.dispose()
