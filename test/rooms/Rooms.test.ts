/** The Rooms use cases on real actors and a PostgreSQL event store: command ids, the system actor's commands. */
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { Rooms } from "../../src/rooms/Rooms.ts"
import { freshPostgresSchema } from "../support/postgres.ts"

const pg = await freshPostgresSchema("kf_rooms")
const actors = ActorSystem.layer({
  mailboxSize: 100,
  idleMillis: 60_000,
  maxLive: 100,
  maxConflictRetries: 3,
  settings: { ...defaultDomainSettings, memberGraceSeconds: 1, inactiveRoomRetentionHours: 1 }
})
const runtime = ManagedRuntime.make(
  Rooms.layer.pipe(Layer.provideMerge(actors), Layer.provideMerge(PostgresEventStore.layer({ url: pg.url, schema: pg.schema })))
)
afterAll(async () => {
  await runtime.dispose()
  await pg.drop()
})

const alice = { actor: { userId: "alice", roles: ["user"] as const } }
const bob = { actor: { userId: "bob", roles: ["user"] as const } }
const run = <A, E>(effect: Effect.Effect<A, E, Rooms | EventStore>) => runtime.runPromise(effect)
const fails = <A, E>(effect: Effect.Effect<A, E, Rooms | EventStore>) => runtime.runPromise(Effect.flip(effect)) as Promise<any>

describe("Rooms", () => {
  it("opens a room under a fresh id and applies a chat message id once", async () => {
    const { roomId } = await run(Rooms.use((r) => r.open(alice, { sponsored: false, title: "t" })))
    await run(Rooms.use((r) => r.join(bob, roomId)))
    const first = await run(Rooms.use((r) => r.chat(bob, roomId, "bob.m1", "hi")))
    const again = await run(Rooms.use((r) => r.chat(bob, roomId, "bob.m1", "hi")))
    expect(again).toMatchObject({ revision: first.revision, deduplicated: true })
    const types = (await run(EventStore.use((s) => s.readStream(`room-${roomId}`)))).map((e) => e.type)
    expect(types).toEqual(["RoomOpened", "MemberJoined", "ChatPosted"])
  })

  it("marks a member left as the system only after the grace period, and once per disconnect", async () => {
    const { roomId } = await run(Rooms.use((r) => r.open(alice, { sponsored: false })))
    await run(Rooms.use((r) => r.join(bob, roomId)))
    // a disconnect from before the join is stale: nothing to do
    expect((await run(Rooms.use((r) => r.markLeft(roomId, "bob", Date.now() - 60_000)))).events).toEqual([])
    const at = Date.now()
    const early = await fails(Rooms.use((r) => r.markLeft(roomId, "bob", at)))
    expect(early.code).toBe("GRACE_NOT_ELAPSED")
    await new Promise((r) => setTimeout(r, 1_100))
    const left = await run(Rooms.use((r) => r.markLeft(roomId, "bob", at)))
    expect(left.events).toMatchObject([{ _tag: "MemberLeft", userId: "bob", reason: "disconnected" }])
    expect((await run(Rooms.use((r) => r.markLeft(roomId, "bob", at)))).deduplicated).toBe(true)
  })

  it("closes an idle room as the system only once INACTIVE_ROOM_RETENTION_HOURS has passed", async () => {
    const { roomId } = await run(Rooms.use((r) => r.open(alice, { sponsored: false })))
    expect((await fails(Rooms.use((r) => r.closeInactive(roomId)))).code).toBe("ROOM_ACTIVE")
    expect((await fails(Rooms.use((r) => r.closeInactive("no-such-room")))).code).toBe("NOT_FOUND")
    const { state } = await run(Rooms.use((r) => r.current(roomId)))
    expect(state.status).toBe("Open")
  })
})
