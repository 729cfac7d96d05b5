/** The event store contract against the embedded adapter (PGlite): in memory, and in a temporary data directory. */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { describeContract } from "./ContractVitest.ts"

describeContract("embedded (PGlite in memory)", {
  layer: () => PgliteEventStore.layer({}),
  fresh: true
})

let dataDir: string | undefined
describeContract("embedded (PGlite in a data directory)", {
  layer: async () => {
    dataDir = await mkdtemp(join(tmpdir(), "keyframe-pglite-"))
    return PgliteEventStore.layer({ dataDir })
  },
  fresh: true,
  cleanup: async () => {
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  }
})
