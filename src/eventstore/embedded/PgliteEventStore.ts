/** The embedded event store: PGlite (PostgreSQL in WASM) with files under a directory, or in memory. */
import { PGlite } from "@electric-sql/pglite"
import { type Duration, Effect, Layer } from "effect"
import { EventStore } from "../EventStore.ts"
import { EventStoreUnavailable } from "../EventStoreError.ts"
import type { TextSha256 } from "../HashChain.ts"
import { makeSqlEventStore } from "../sql/SqlEventStore.ts"
import { type DurabilityObserver, durablePgliteOptions } from "./DurableNodeFs.ts"
import { checkpointPeriodically } from "./PeriodicCheckpoint.ts"
import { makePgliteDriver } from "./PgliteDriver.ts"

export interface PgliteEventStoreOptions {
  /** Directory for the database files; in memory when omitted or "memory://". Only one process may open it. */
  readonly dataDir?: string | undefined
  /** Sees the WAL writes and fsyncs of a store in a data directory (tests, diagnostics). */
  readonly durability?: DurabilityObserver | undefined
  /** How often a store in a data directory checkpoints (PeriodicCheckpoint.ts); 5 minutes by default. */
  readonly checkpointInterval?: Duration.Input | undefined
  /** The hash chain's SHA-256 (HashChain.ts TextSha256); default the portable one. */
  readonly sha256Hex?: TextSha256 | undefined
}

/**
 * PostgreSQL's default 128 MB of shared buffers would be resident memory of this process. The
 * event store's hot pages (the tail of the log and its indexes) fit in a few MB, and the OS page
 * cache still holds the rest of the files: 4 MB cost no measurable throughput and ~120 MB less RSS.
 */
const POSTGRESQL_CONF = ["shared_buffers=4MB"]

const isMemory = (dataDir: string | undefined) => dataDir === undefined || dataDir === "" || dataDir.startsWith("memory://")

/**
 * PGlite creates only the last directory of the path; create the parents too. node:fs is
 * available on Node and Deno alike, and only file-backed stores need it.
 */
const ensureDirectory = (dataDir: string) =>
  Effect.tryPromise({
    try: async () => {
      const fs = await import("node:fs/promises")
      await fs.mkdir(dataDir, { recursive: true })
    },
    catch: (cause) => new EventStoreUnavailable({ reason: `cannot create ${dataDir}: ${String(cause)}`, cause })
  })

export class PgliteEventStore {
  static layer(options: PgliteEventStoreOptions = {}): Layer.Layer<EventStore, EventStoreUnavailable> {
    return Layer.effect(
      EventStore,
      Effect.gen(function*() {
        const dataDir = isMemory(options.dataDir) ? undefined : options.dataDir!
        if (dataDir !== undefined) yield* ensureDirectory(dataDir)
        const db = yield* Effect.acquireRelease(
          Effect.tryPromise({
            try: () =>
              PGlite.create(
                dataDir === undefined
                  ? { postgresqlconf: POSTGRESQL_CONF }
                  // Acknowledged means durable: PostgreSQL's own fsyncs reach the device (DurableNodeFs.ts).
                  : durablePgliteOptions(dataDir, POSTGRESQL_CONF, options.durability)
              ),
            catch: (cause) =>
              new EventStoreUnavailable({ reason: `cannot open PGlite at ${dataDir ?? "memory://"}: ${String(cause)}`, cause })
          }),
          (db) => Effect.tryPromise(() => db.close()).pipe(Effect.ignore)
        )
        const driver = makePgliteDriver(db)
        const store = yield* makeSqlEventStore(driver, { schema: "keyframe", sha256Hex: options.sha256Hex })
        if (dataDir !== undefined) yield* checkpointPeriodically(driver, options.checkpointInterval)
        return EventStore.of(store)
      })
    )
  }
}
