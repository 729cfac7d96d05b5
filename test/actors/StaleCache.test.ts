/**
 * Two processes (two actor systems) on one store: a command that one process's cached state would
 * reject, or find nothing to do for, is decided again on the stream's current state — a rejection or
 * a no-op appends nothing, so no expected-revision check would have caught the stale cache.
 */
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { RoomAggregate } from "../../src/domain/room/RoomAggregate.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"

const as = (userId: string) => ({ userId, roles: ["user"] as const })

let store: ManagedRuntime.ManagedRuntime<EventStore, unknown>
beforeAll(async () => {
  store = ManagedRuntime.make(PgliteEventStore.layer({}))
  await store.runPromise(Effect.void)
})
afterAll(() => store.dispose())

const node = (maxBatch: number) =>
  ManagedRuntime.make(
    ActorSystem.layer({ mailboxSize: 100, idleMillis: 60_000, maxLive: 100, maxConflictRetries: 5, maxBatch, settings: defaultDomainSettings })
      .pipe(Layer.provide(Layer.succeed(EventStore, store.runSync(EventStore))))
  )

describe.each([1, 100])("a stale cache in another process (ACTOR_MAX_BATCH %i)", (maxBatch) => {
  it("a member who joined through the other process may chat through this one", async () => {
    const [a, b] = [node(maxBatch), node(maxBatch)]
    const roomId = `stale-${maxBatch}`
    const send = (rt: typeof a, userId: string, command: Parameters<ActorSystem["Service"]["send"]>[2]["command"]) =>
      rt.runPromise(Effect.exit(ActorSystem.use((actors) => actors.send(RoomAggregate, roomId, { command, actor: as(userId) }))))
    try {
      expect(Exit.isSuccess(await send(a, "alice", { _tag: "OpenRoom", roomId, sponsored: false }))).toBe(true)
      // a caches the room now; carol joins through b
      expect(Exit.isSuccess(await send(b, "carol", { _tag: "JoinRoom", roomId }))).toBe(true)
      const chat = await send(a, "carol", { _tag: "PostChat", roomId, messageId: "m1", text: "hello from a" })
      expect(chat._tag).toBe("Success")
      // and a no-op decided on the stale state is decided again too: carol leaves through b, then leaving through a is a no-op or a rejection, never a second MemberLeft
      expect(Exit.isSuccess(await send(b, "carol", { _tag: "LeaveRoom", roomId }))).toBe(true)
      await send(a, "carol", { _tag: "LeaveRoom", roomId })
      const events = await store.runPromise(EventStore.use((s) => s.readStream(`room-${roomId}`, { fromRevision: 0, maxCount: 100 })))
      expect(events.map((e) => e.type).filter((t) => t === "MemberLeft")).toHaveLength(1)
      expect(events.map((e) => e.type)).toContain("ChatPosted")
    } finally {
      await a.dispose()
      await b.dispose()
    }
  })
})
