/**
 * Test helper: a fresh, empty PostgreSQL schema on the local server for one suite.
 *
 *   const pg = await freshPostgresSchema()      // { url, schema, drop }
 *   PostgresEventStore.layer({ url: pg.url, schema: pg.schema })
 *   afterAll(() => pg.drop())                   // DROP SCHEMA … CASCADE
 *
 * The server is `KEYFRAME_TEST_POSTGRES_URL` (default postgres://root@127.0.0.1:5432/test).
 * The schema name is unique per call (`kf_test_<random>`), so suites running in parallel
 * never see each other's events. The schema itself is created by whoever uses it (the event
 * store does); `drop()` removes it with everything in it and is safe to call twice.
 */
import postgres from "postgres"

export const TEST_POSTGRES_URL = process.env.KEYFRAME_TEST_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test"

export interface FreshPostgresSchema {
  /** Connection URL of the test database. */
  readonly url: string
  /** A schema name nobody else uses (not created yet). */
  readonly schema: string
  /** Drops the schema and everything in it. */
  readonly drop: () => Promise<void>
}

/** Runs one statement on a short-lived connection (for set-up and clean-up, not for the code under test). */
export const withAdminSql = async <A>(f: (sql: postgres.Sql) => Promise<A>): Promise<A> => {
  const sql = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 })
  try {
    return await f(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** Fails with a readable message when the server is not reachable (these suites need a real PostgreSQL). */
export const freshPostgresSchema = async (prefix = "kf_test"): Promise<FreshPostgresSchema> => {
  const schema = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`
  try {
    await withAdminSql((sql) => sql`SELECT 1`)
  } catch (cause) {
    throw new Error(`PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (set KEYFRAME_TEST_POSTGRES_URL): ${String(cause)}`)
  }
  return {
    url: TEST_POSTGRES_URL,
    schema,
    drop: () => withAdminSql(async (sql) => void (await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
  }
}
