import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem, type ActorSystemOptions } from "../../src/actors/ActorSystem.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { Counter } from "./CounterAggregate.ts"

const user = { userId: "alice", roles: ["user"] as const }
const options = (overrides: Partial<ActorSystemOptions> = {}): ActorSystemOptions => ({
  mailboxSize: 1_000,
  idleMillis: 60_000,
  maxLive: 1_000,
  maxConflictRetries: 10,
  settings: { ceiling: 100 },
  ...overrides
})

const storeLayer = PgliteEventStore.layer({})
let store: ManagedRuntime.ManagedRuntime<EventStore, unknown>
beforeAll(async () => {
  store = ManagedRuntime.make(storeLayer)
  await store.runPromise(Effect.void)
})
afterAll(() => store.dispose())

/** An actor system of its own (its own cache, as another process would have) on the shared store. */
const system = (overrides: Partial<ActorSystemOptions> = {}) =>
  ManagedRuntime.make(ActorSystem.layer(options(overrides)).pipe(Layer.provide(Layer.succeed(EventStore, store.runSync(EventStore)))))

const add = (amount: number, commandId?: string) => ({ command: { _tag: "Add" as const, amount }, actor: user, commandId })

describe("ActorSystem", () => {
  it("50 fibers on one aggregate: the ceiling holds, every command gets exactly one outcome", async () => {
    const rt = system()
    const id = crypto.randomUUID()
    const exits = await rt.runPromise(
      Effect.gen(function*() {
        const actors = yield* ActorSystem
        return yield* Effect.forEach(
          Array.from({ length: 150 }, (_, i) => i),
          (i) => Effect.exit(actors.send(Counter, id, add(1, `cmd-${i}`))),
          { concurrency: 50 }
        )
      })
    )
    const ok = exits.filter(Exit.isSuccess)
    const rejected = exits.filter((e) => Exit.isFailure(e) && JSON.stringify(e.cause).includes("CeilingReached"))
    expect(ok.length).toBe(100)
    expect(rejected.length).toBe(50)
    const events = await store.runPromise(EventStore.use((s) => s.readStream(`counter-${id}`)))
    expect(events.length).toBe(100)
    expect(new Set(events.map((e) => e.metadata.causationId)).size).toBe(100)
    await rt.dispose()
  })

  it("two systems with separate caches racing on one aggregate (conflicts resolved by reload and retry)", async () => {
    const a = system()
    const b = system()
    const id = crypto.randomUUID()
    const run = (rt: typeof a, prefix: string) =>
      rt.runPromise(
        Effect.forEach(
          Array.from({ length: 80 }, (_, i) => i),
          (i) => Effect.exit(ActorSystem.use((s) => s.send(Counter, id, add(1, `${prefix}-${i}`)))),
          { concurrency: 8 }
        )
      )
    const [ra, rb] = await Promise.all([run(a, "a"), run(b, "b")])
    const successes = [...ra, ...rb].filter(Exit.isSuccess).length
    expect(successes).toBe(100)
    const events = await store.runPromise(EventStore.use((s) => s.readStream(`counter-${id}`)))
    expect(events.length).toBe(100)
    const state = await a.runPromise(ActorSystem.use((s) => s.current(Counter, id)))
    expect(state.state.count).toBe(100)
    await Promise.all([a.dispose(), b.dispose()])
  })

  it("a retried command id is applied once and returns the first result", async () => {
    const rt = system()
    const id = crypto.randomUUID()
    const first = await rt.runPromise(ActorSystem.use((s) => s.send(Counter, id, add(3, "same"))))
    await rt.runPromise(ActorSystem.use((s) => s.send(Counter, id, add(1, "other"))))
    const again = await rt.runPromise(ActorSystem.use((s) => s.send(Counter, id, add(3, "same"))))
    expect(first.deduplicated).toBe(false)
    expect(again.deduplicated).toBe(true)
    expect(again.recorded.map((e) => e.id)).toEqual(first.recorded.map((e) => e.id))
    expect(again.position).toBe(first.position)
    // A fresh system (another process) learns the command ids from the stream.
    const fresh = system()
    const third = await fresh.runPromise(ActorSystem.use((s) => s.send(Counter, id, add(3, "same"))))
    expect(third.deduplicated).toBe(true)
    const state = await fresh.runPromise(ActorSystem.use((s) => s.current(Counter, id)))
    expect(state.state.count).toBe(4)
    await Promise.all([rt.dispose(), fresh.dispose()])
  })

  it("multi-event commands, metadata and positions", async () => {
    const rt = system()
    const id = crypto.randomUUID()
    const result = await rt.runPromise(
      ActorSystem.use((s) =>
        s.send(Counter, id, {
          command: { _tag: "AddTwice", amount: 2 },
          actor: user,
          commandId: "c-1",
          correlationId: "corr-1"
        })
      )
    )
    expect(result.events.length).toBe(2)
    expect(result.revision).toBe(1)
    expect(result.position).toBe(result.recorded[1]!.position)
    for (const e of result.recorded) {
      expect(e.metadata).toMatchObject({ causationId: "c-1", correlationId: "corr-1", userId: "alice", schemaVersion: 1 })
    }
    await rt.dispose()
  })

  it("a full mailbox answers busy instead of growing", async () => {
    const rt = system({ mailboxSize: 2 })
    const id = crypto.randomUUID()
    const exits = await rt.runPromise(
      Effect.forEach(
        Array.from({ length: 20 }, () => 0),
        () => Effect.exit(ActorSystem.use((s) => s.send(Counter, id, add(1)))),
        { concurrency: "unbounded" }
      )
    )
    const busy = exits.filter((e) => Exit.isFailure(e) && JSON.stringify(e.cause).includes("mailbox_full"))
    const ok = exits.filter(Exit.isSuccess)
    expect(busy.length).toBeGreaterThan(0)
    expect(ok.length + busy.length).toBe(20)
    const events = await store.runPromise(EventStore.use((s) => s.readStream(`counter-${id}`)))
    expect(events.length).toBe(ok.length)
    await rt.dispose()
  })

  it("idle actors are passivated and come back with their state; the live cap evicts idle ones", async () => {
    const rt = system({ idleMillis: 100, maxLive: 2 })
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()]
    for (const id of ids) await rt.runPromise(ActorSystem.use((s) => s.send(Counter, id, add(5))))
    expect((await rt.runPromise(ActorSystem.use((s) => s.stats))).live).toBe(2)
    await new Promise((r) => setTimeout(r, 400))
    expect((await rt.runPromise(ActorSystem.use((s) => s.stats))).live).toBe(0)
    for (const id of ids) {
      const r = await rt.runPromise(ActorSystem.use((s) => s.send(Counter, id, add(1))))
      expect(r.revision).toBe(1)
      const { state } = await rt.runPromise(ActorSystem.use((s) => s.current(Counter, id)))
      expect(state.count).toBe(6)
    }
    await rt.dispose()
  })

  it("a domain rejection writes nothing and leaves the actor usable", async () => {
    const rt = system({ settings: { ceiling: 3 } })
    const id = crypto.randomUUID()
    const exit = await rt.runPromiseExit(ActorSystem.use((s) => s.send(Counter, id, add(4))))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(JSON.stringify(exit)).toContain("CeilingReached")
    const ok = await rt.runPromise(ActorSystem.use((s) => s.send(Counter, id, add(3))))
    expect(ok.revision).toBe(0)
    await rt.dispose()
  })
  it("a sole writer answers `current` from its actors without reading the store; its writes stay checked", async () => {
    const shared = store.runSync(EventStore)
    let streamReads = 0
    const counted = EventStore.of({ ...shared, readStream: (...args) => (streamReads++, shared.readStream(...args)) })
    const sole = ManagedRuntime.make(ActorSystem.layer(options({ soleWriter: true })).pipe(Layer.provide(Layer.succeed(EventStore, counted))))
    const other = system()
    const id = crypto.randomUUID()
    const count = (rt: typeof other) => rt.runPromise(ActorSystem.use((actors) => Effect.map(actors.current(Counter, id), (c) => c.state.count)))
    const send = (rt: typeof other, amount: number) => rt.runPromise(ActorSystem.use((actors) => actors.send(Counter, id, add(amount))))

    await send(sole, 5)
    const readsAfterLoad = streamReads
    expect([await count(sole), await count(sole), await count(sole)]).toEqual([5, 5, 5])
    expect(streamReads).toBe(readsAfterLoad)

    // A second writer breaks the promise: reads then lag (that is the contract)…
    await send(other, 3)
    expect([await count(sole), await count(other)]).toEqual([5, 8])
    // …but a write still appends at the exact revision: the conflict makes the actor catch up first.
    await send(sole, 1)
    expect(await count(sole)).toBe(9)
    const events = await store.runPromise(EventStore.use((s) => s.readStream(`counter-${id}`)))
    expect(events.map((e) => (e.data as { amount: number }).amount)).toEqual([5, 3, 1])
    await Promise.all([sole.dispose(), other.dispose()])
  })
})
