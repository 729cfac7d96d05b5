/** The SQL event store's tables, created and migrated under an advisory lock so several processes may start at once. */
import { Effect } from "effect"
import type { SqlDriver, SqlError } from "./SqlDriver.ts"

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/** A PostgreSQL schema name we accept: lower-case letters, digits, underscores (no quoting surprises). */
export const isSchemaName = (name: string): boolean => IDENTIFIER.test(name)

/** Table names, schema-qualified. */
export interface SqlTables {
  readonly schema: string
  readonly events: string
  readonly streams: string
  readonly checkpoints: string
  readonly migrations: string
}

export const sqlTables = (schema: string): SqlTables => {
  if (!isSchemaName(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`)
  const q = `"${schema}"`
  return {
    schema,
    events: `${q}.events`,
    streams: `${q}.streams`,
    checkpoints: `${q}.checkpoints`,
    migrations: `${q}.schema_migrations`
  }
}

/**
 * Migrations, in order; never edit one that has shipped, add the next.
 * - events: one row per event; `position` is the global order (bigserial: gaps allowed).
 * - streams: one row per stream holding its head (revision, hash), the row appends lock.
 * - checkpoints: consumers' durable positions.
 */
const migrations = (t: SqlTables): ReadonlyArray<string> => [
  `CREATE TABLE ${t.events} (
     position    bigserial   PRIMARY KEY,
     stream      text        NOT NULL,
     revision    bigint      NOT NULL,
     id          uuid        NOT NULL,
     type        text        NOT NULL,
     data        jsonb       NOT NULL,
     metadata    jsonb       NOT NULL,
     recorded_at timestamptz NOT NULL,
     CONSTRAINT events_stream_revision UNIQUE (stream, revision),
     CONSTRAINT events_stream_id UNIQUE (stream, id)
   );
   CREATE TABLE ${t.streams} (
     stream    text   PRIMARY KEY,
     revision  bigint NOT NULL,
     last_hash text   NOT NULL
   );
   CREATE TABLE ${t.checkpoints} (
     name       text        PRIMARY KEY,
     position   bigint      NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   );`
]

/** Creates the schema and applies missing migrations in one transaction, under a per-schema advisory lock. */
export const migrate = (driver: SqlDriver, t: SqlTables): Effect.Effect<void, SqlError> =>
  driver.transaction((tx) =>
    Effect.gen(function*() {
      yield* tx.query(`SELECT pg_advisory_xact_lock(hashtext('keyframe.migrate:${t.schema}'))`)
      yield* tx.query(`CREATE SCHEMA IF NOT EXISTS "${t.schema}"`)
      yield* tx.query(
        `CREATE TABLE IF NOT EXISTS ${t.migrations} (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`
      )
      const rows = yield* tx.query<{ version: number }>(`SELECT version FROM ${t.migrations}`)
      const applied = new Set(rows.map((r) => Number(r.version)))
      const all = migrations(t)
      for (let i = 0; i < all.length; i++) {
        const version = i + 1
        if (applied.has(version)) continue
        for (const statement of all[i]!.split(/;\s*$/m).map((s) => s.trim()).filter((s) => s.length > 0)) {
          yield* tx.query(statement)
        }
        yield* tx.query(`INSERT INTO ${t.migrations} (version) VALUES ($1)`, [version])
      }
    })
  )
