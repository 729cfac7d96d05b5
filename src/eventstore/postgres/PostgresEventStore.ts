/** The PostgreSQL event store over the wire (postgres.js pool); safe with several processes on one schema. */
import { Effect, Layer } from "effect"
import postgres from "postgres"
import { EventStore } from "../EventStore.ts"
import { EventStoreUnavailable } from "../EventStoreError.ts"
import type { TextSha256 } from "../HashChain.ts"
import { makeSqlEventStore } from "../sql/SqlEventStore.ts"
import { isSchemaName } from "../sql/SqlSchema.ts"
import { makePostgresDriver } from "./PostgresDriver.ts"

export interface PostgresEventStoreOptions {
  /** postgres://user:password@host:port/database */
  readonly url: string
  /** The PostgreSQL schema holding Keyframe's tables (created when missing); default "keyframe". */
  readonly schema?: string | undefined
  /** Pool connections (LISTEN uses one more of its own); default 10. */
  readonly poolSize?: number | undefined
  /** Appending transactions in flight at once; default 1 (with the commit-order lock, more only split batches). */
  readonly appendWorkers?: number | undefined
  /** The hash chain's SHA-256 (HashChain.ts TextSha256); default the portable one. */
  readonly sha256Hex?: TextSha256 | undefined
  /** @internal tests and benchmarks only: commits out of position order (subscribers may skip). */
  readonly unorderedCommits?: boolean | undefined
}

export class PostgresEventStore {
  static layer(options: PostgresEventStoreOptions): Layer.Layer<EventStore, EventStoreUnavailable> {
    return Layer.effect(
      EventStore,
      Effect.gen(function*() {
        const schema = options.schema ?? "keyframe"
        if (!isSchemaName(schema)) {
          return yield* new EventStoreUnavailable({ reason: `invalid schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]*` })
        }
        const sql = yield* Effect.acquireRelease(
          Effect.try({
            try: () =>
              postgres(options.url, {
                max: options.poolSize ?? 10,
                connect_timeout: 10,
                idle_timeout: 60,
                // Reconnects back off to 1 s at most (postgres.js defaults to 20 s): while the database
                // is down each queued query waits for a connection attempt, so a request would wait a
                // minute for its 503; once it is back, work resumes within a second.
                backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, 1),
                // fetch_types stays on: with it off, postgres.js 3.4.9 never hands a fresh
                // connection to sql.reserve() (the reservation is dropped after connecting).
                onnotice: () => {},
                // Small ordered reads: a parallel plan only adds the workers' start-up (ms), as
                // prepared statements' generic plans otherwise pick for a filtered page.
                connection: { max_parallel_workers_per_gather: 0 }
              }),
            catch: (cause) => new EventStoreUnavailable({ reason: `bad PostgreSQL url: ${String(cause)}`, cause })
          }),
          (sql) => Effect.tryPromise(() => sql.end({ timeout: 5 })).pipe(Effect.ignore)
        )
        const driver = makePostgresDriver(sql, { schema, unorderedCommits: options.unorderedCommits })
        return EventStore.of(
          yield* makeSqlEventStore(driver, { schema, appendWorkers: options.appendWorkers ?? 1, sha256Hex: options.sha256Hex })
        )
      })
    )
  }
}
