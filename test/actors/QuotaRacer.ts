/**
 * A separate process for QuotaRace.test.ts: opens the PostgreSQL event store, runs its own
 * actor system and sends RACER_COUNT reservations to one quota, then prints its outcomes as JSON.
 */
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../src/domain/quota/QuotaAggregate.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"

const env = (name: string) => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`QuotaRacer: ${name} is not set`)
  return value
}
const user = env("RACER_USER")
const prefix = env("RACER_PREFIX")
const count = Number(env("RACER_COUNT"))
const bytes = Number(env("RACER_BYTES"))

const runtime = ManagedRuntime.make(
  ActorSystem.layer({
    mailboxSize: 10_000,
    idleMillis: 60_000,
    maxLive: 100,
    maxConflictRetries: 50,
    settings: { ...defaultDomainSettings, weeklyUploadLimitBytes: Number(env("RACER_LIMIT")) }
  }).pipe(Layer.provide(PostgresEventStore.layer({ url: env("RACER_PG_URL"), schema: env("RACER_PG_SCHEMA") })))
)

const exits = await runtime.runPromise(
  Effect.forEach(
    Array.from({ length: count }, (_, i) => i),
    (i) =>
      Effect.exit(
        ActorSystem.use((actors) =>
          actors.send(QuotaAggregate, user, {
            command: { _tag: "ReserveUpload", userId: user, uploadId: `${prefix}-${i}`, bytes },
            actor: { userId: user, roles: ["user"] },
            commandId: `${prefix}-reserve-${i}`
          })
        )
      ),
    { concurrency: 8 }
  )
)
const outcome = { reserved: [] as Array<string>, rejected: [] as Array<string>, other: [] as Array<string> }
exits.forEach((exit, i) => {
  if (Exit.isSuccess(exit)) outcome.reserved.push(`${prefix}-${i}`)
  else if (JSON.stringify(exit.cause).includes("QUOTA_EXCEEDED")) outcome.rejected.push(`${prefix}-${i}`)
  else outcome.other.push(String(exit.cause))
})
await runtime.dispose()
console.log(JSON.stringify(outcome))
