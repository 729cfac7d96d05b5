import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../src/domain/quota/QuotaAggregate.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { type FreshPostgresSchema, freshPostgresSchema } from "../support/postgres.ts"

const run = promisify(execFile)
const MiB = 1024 * 1024
const limit = 100 * MiB
const bytes = 3 * MiB // 33 reservations fit, the 34th does not
let pg: FreshPostgresSchema

beforeAll(async () => {
  pg = await freshPostgresSchema()
})
afterAll(() => pg?.drop())

it("two processes racing on one quota: exactly the allowed reservations succeed, none lost or doubled", async () => {
  const user = `racer-${crypto.randomUUID().slice(0, 8)}`
  const racer = (prefix: string) =>
    run(process.execPath, [new URL("./QuotaRacer.ts", import.meta.url).pathname], {
      env: {
        ...process.env,
        RACER_PG_URL: pg.url,
        RACER_PG_SCHEMA: pg.schema,
        RACER_USER: user,
        RACER_PREFIX: prefix,
        RACER_COUNT: "30",
        RACER_BYTES: String(bytes),
        RACER_LIMIT: String(limit)
      }
    }).then(({ stdout }) => JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<"reserved" | "rejected" | "other", Array<string>>)
  const [a, b] = await Promise.all([racer("a"), racer("b")])
  expect(a.other).toEqual([])
  expect(b.other).toEqual([])
  const reserved = [...a.reserved, ...b.reserved]
  expect(reserved.length).toBe(Math.floor(limit / bytes))
  expect(a.rejected.length + b.rejected.length).toBe(60 - reserved.length)
  // Both processes really took part in the race.
  expect(a.reserved.length).toBeGreaterThan(0)
  expect(b.reserved.length).toBeGreaterThan(0)

  const rt = ManagedRuntime.make(
    ActorSystem.layer({
      mailboxSize: 10,
      idleMillis: 60_000,
      maxLive: 10,
      maxConflictRetries: 5,
      settings: { ...defaultDomainSettings, weeklyUploadLimitBytes: limit }
    }).pipe(Layer.provideMerge(PostgresEventStore.layer({ url: pg.url, schema: pg.schema })))
  )
  const events = await rt.runPromise(EventStore.use((s) => s.readStream(`quota-${user}`)))
  const reservedEvents = events.filter((e) => e.type === "UploadReserved")
  // Every success is exactly one event, and every event is a success somebody was told about.
  expect(reservedEvents.map((e) => (e.data as { uploadId: string }).uploadId).sort()).toEqual([...reserved].sort())
  const { state } = await rt.runPromise(ActorSystem.use((s) => s.current(QuotaAggregate, user)).pipe(Effect.orDie))
  expect(state.status).toBe("Tracked")
  if (state.status === "Tracked") {
    const held = state.reservations.reduce((sum, r) => sum + r.bytes, 0)
    expect(held).toBe(reserved.length * bytes)
    expect(held).toBeLessThanOrEqual(limit)
  }
  await rt.dispose()
}, 120_000)
