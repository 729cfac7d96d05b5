/**
 * Checkpoints for PGlite, which never takes one on its own while open. PostgreSQL in
 * single-user mode has no checkpointer process, and its WAL writer asks for a checkpoint
 * only under a postmaster (checked: 80 MB of WAL past max_wal_size=32MB, no checkpoint).
 * Without one the WAL grows until the store closes, and a crash replays all of it on the next
 * open. With fsync working (DurableNodeFs.ts) a CHECKPOINT puts the data files on the device,
 * then its record, then pg_control, and only then recycles the older WAL: safe at any time.
 */
import { type Duration, Effect, type Scope } from "effect"
import type { SqlDriver } from "../sql/SqlDriver.ts"

/** PostgreSQL's own default `checkpoint_timeout`. */
export const CHECKPOINT_INTERVAL: Duration.Input = "5 minutes"

/** Runs CHECKPOINT every `interval` until the scope closes (the close itself takes the shutdown checkpoint). */
export const checkpointPeriodically = (
  driver: SqlDriver,
  interval: Duration.Input = CHECKPOINT_INTERVAL
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.forkScoped(
    driver.query("CHECKPOINT").pipe(
      Effect.catch((e) => Effect.logWarning(`embedded event store: CHECKPOINT failed: ${e.message}`)),
      Effect.delay(interval),
      Effect.forever
    )
  ).pipe(Effect.asVoid)
