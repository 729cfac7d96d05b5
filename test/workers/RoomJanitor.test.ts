/**
 * The idle-room janitor on real actors and the embedded store: a room idle past the retention is
 * closed as the system (RoomClosed, reason "inactive", once), a room with activity is left open, and a
 * janitor restarted from its checkpoint still knows the open rooms.
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { Rooms } from "../../src/rooms/Rooms.ts"
import { RoomJanitor } from "../../src/workers/RoomJanitor.ts"

const RETENTION_MS = 1_500
const actors = ActorSystem.layer({
  mailboxSize: 100,
  idleMillis: 60_000,
  maxLive: 100,
  maxConflictRetries: 3,
  settings: { ...defaultDomainSettings, inactiveRoomRetentionHours: RETENTION_MS / 3_600_000 }
})
const base = Rooms.layer.pipe(Layer.provideMerge(actors), Layer.provideMerge(PgliteEventStore.layer({})))
const runtime = ManagedRuntime.make(base)
afterAll(() => runtime.dispose())

const alice = { actor: { userId: "alice", roles: ["user"] as const } }
const run = <A, E>(effect: Effect.Effect<A, E, Rooms | EventStore | ActorSystem>) => runtime.runPromise(effect)

/** Runs a janitor in its own scope for `millis`, then stops it; answers its status at the end. */
const janitorFor = (millis: number) =>
  run(
    Effect.scoped(
      Effect.gen(function*() {
        const janitor = yield* Layer.build(RoomJanitor.layer({ retentionMs: RETENTION_MS, pollMs: 100, retryMs: 200 }))
        yield* Effect.sleep(millis)
        return yield* RoomJanitor.use((j) => j.status).pipe(Effect.provideContext(janitor))
      })
    )
  )

const types = (roomId: string) => run(EventStore.use((s) => s.readStream(`room-${roomId}`))).then((es) => es.map((e) => e.type))

describe("RoomJanitor", () => {
  it("closes an idle room once, leaves an active one open, and resumes from its checkpoint", async () => {
    const idle = await run(Rooms.use((r) => r.open(alice, { sponsored: false, title: "idle" })))
    const busy = await run(Rooms.use((r) => r.open(alice, { sponsored: false, title: "busy" })))
    // a first janitor sees both open rooms and stops before either is due: its checkpoint keeps them
    const first = await janitorFor(300)
    expect(first).toMatchObject({ openRooms: 2, closed: 0, caughtUp: true })

    const keepBusy = setInterval(() => void run(Rooms.use((r) => r.chat(alice, busy.roomId, `alice.${Date.now()}`, "still here"))).catch(() => {}), 300)
    try {
      const second = await janitorFor(RETENTION_MS + 1_500)
      expect(second.closed).toBe(1)
    } finally {
      clearInterval(keepBusy)
    }
    const idleEvents = await run(EventStore.use((s) => s.readStream(`room-${idle.roomId}`)))
    const closedEvents = idleEvents.filter((e) => e.type === "RoomClosed")
    expect(closedEvents).toHaveLength(1)
    expect(closedEvents[0]!.data).toMatchObject({ reason: "inactive", closedBy: "system" })
    expect(await types(busy.roomId)).not.toContain("RoomClosed")
  }, 30_000)
})
