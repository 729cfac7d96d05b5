/** The PostgreSQL adapter at its boundary: start-up (alone, together, without a server) and driver failures as typed errors. */
import { Effect, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { freshPostgresSchema, withAdminSql } from "../support/postgres.ts"
import { events, failureOf, postgresSuite, run, uniqueStream } from "./SqlStores.ts"

const build = (options: Parameters<typeof PostgresEventStore.layer>[0]) =>
  Effect.gen(function*() {
    return yield* EventStore
  }).pipe(Effect.provide(PostgresEventStore.layer(options)))

describe("PostgreSQL adapter: start-up and failures", () => {
  let suite: Awaited<ReturnType<typeof postgresSuite>>
  beforeAll(async () => {
    suite = await postgresSuite()
  })
  afterAll(async () => {
    await suite?.close()
  })

  it("fails with EventStoreUnavailable when no server answers, or the schema name is not usable", async () => {
    const started = Date.now()
    expect(await failureOf(build({ url: "postgres://root@127.0.0.1:1/test" }))).toMatchObject({ _tag: "EventStoreUnavailable" })
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(await failureOf(build({ url: suite.url, schema: "Robert'); DROP TABLE x;--" })))
      .toMatchObject({ _tag: "EventStoreUnavailable" })
  }, 30_000)

  it("lets several stores create the same new schema at once (advisory lock), then work together", async () => {
    const pg = await freshPostgresSchema()
    try {
      const opened = await Promise.all(Array.from({ length: 4 }, () =>
        run(Effect.gen(function*() {
          const store = yield* EventStore
          yield* store.ping
          return (yield* store.append(uniqueStream("boot"), events("Booted", 1))).position
        }).pipe(Effect.provide(PostgresEventStore.layer({ url: pg.url, schema: pg.schema, poolSize: 2 }))))))
      expect(new Set(opened).size).toBe(4)
      const versions = await withAdminSql((sql) => sql.unsafe(`SELECT version FROM "${pg.schema}".schema_migrations`))
      expect(versions.map((r) => Number(r.version))).toEqual([1])
    } finally {
      await pg.drop()
    }
  }, 60_000)

  it("fails only the append the database refuses when it shared a transaction with others", async () => {
    const { store } = await suite.open()
    const table = `"${suite.schema}".events`
    await withAdminSql((sql) => sql.unsafe(`ALTER TABLE ${table} ADD CONSTRAINT test_no_poison CHECK (type <> 'Poison')`))
    try {
      const blocker = run(store.append(uniqueStream("blocker"), events("Big", 2000))) // the next batch gathers the rest
      const outcomes = await Promise.allSettled([
        run(store.append(uniqueStream("fine"), events("Fine", 1))),
        run(store.append(uniqueStream("poisoned"), [...events("Fine", 1), ...events("Poison", 1)])),
        run(store.append(uniqueStream("fine"), events("Fine", 2)))
      ])
      await blocker
      expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"])
      expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ _tag: "EventStoreUnavailable" })
      expect(String((outcomes[1] as PromiseRejectedResult).reason.message)).toContain("test_no_poison")
    } finally {
      await withAdminSql((sql) => sql.unsafe(`ALTER TABLE ${table} DROP CONSTRAINT test_no_poison`))
    }
  }, 60_000)

  it("turns driver failures into EventStoreUnavailable (appends, reads, subscriptions)", async () => {
    const { store } = await suite.open()
    await run(store.append(uniqueStream("doomed"), events("Before", 1)))
    await withAdminSql((sql) => sql.unsafe(`ALTER TABLE "${suite.schema}".events RENAME TO events_gone`))
    try {
      expect(await failureOf(store.append(uniqueStream("doomed"), events("After", 1)))).toMatchObject({ _tag: "EventStoreUnavailable" })
      expect(await failureOf(store.readAll())).toMatchObject({ _tag: "EventStoreUnavailable" })
      expect(await failureOf(store.subscribeToAll().pipe(Stream.take(1), Stream.runCollect)))
        .toMatchObject({ _tag: "EventStoreUnavailable" })
    } finally {
      await withAdminSql((sql) => sql.unsafe(`ALTER TABLE "${suite.schema}".events_gone RENAME TO events`))
    }
    await run(store.ping)
    expect((await run(store.append(uniqueStream("doomed"), events("Again", 1)))).nextRevision).toBe(0)
  }, 60_000)
})
