import { Cause, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem, type ActorSystemOptions } from "../../src/actors/ActorSystem.ts"
import type { CommandResult } from "../../src/actors/CommandEnvelope.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { EventStoreUnavailable } from "../../src/eventstore/EventStoreError.ts"
import { Counter } from "./CounterAggregate.ts"

const user = { userId: "alice", roles: ["user"] as const }
const add = (amount: number, commandId?: string) => ({ command: { _tag: "Add" as const, amount }, actor: user, commandId })

let store: ManagedRuntime.ManagedRuntime<EventStore, unknown>
beforeAll(async () => {
  store = ManagedRuntime.make(PgliteEventStore.layer({}))
  await store.runPromise(Effect.void)
})
afterAll(() => store.dispose())

/** An actor system on the shared store whose appends are slow (so commands pile up) and counted. */
const system = (overrides: Partial<ActorSystemOptions> = {}, failFirstAppend = false) => {
  const shared = store.runSync(EventStore)
  const appends: Array<Array<string | undefined>> = []
  const slow = EventStore.of({
    ...shared,
    append: (stream, events, options) =>
      Effect.andThen(
        Effect.sync(() => appends.push(events.map((e) => e.metadata?.causationId))),
        Effect.suspend(() =>
          failFirstAppend && appends.length === 1
            ? Effect.fail(new EventStoreUnavailable({ reason: "connection lost mid-append" }))
            : Effect.andThen(Effect.sleep(20), shared.append(stream, events, options))
        )
      )
  })
  const rt = ManagedRuntime.make(
    ActorSystem.layer({ mailboxSize: 1_000, idleMillis: 60_000, maxLive: 100, maxConflictRetries: 5, settings: { ceiling: 1_000 }, ...overrides })
      .pipe(Layer.provide(Layer.succeed(EventStore, slow)))
  )
  return { rt, appends }
}

/** Sends every command at once (each from its own fiber, in order) and collects the exits in send order. */
const burst = (rt: ManagedRuntime.ManagedRuntime<ActorSystem, never>, id: string, commands: ReadonlyArray<ReturnType<typeof add>>) =>
  rt.runPromise(
    ActorSystem.use((actors) =>
      Effect.forEach(commands, (command) => Effect.exit(actors.send(Counter, id, command)), { concurrency: "unbounded" })
    )
  )

const success = (exit: Exit.Exit<CommandResult<unknown>, unknown>) => {
  if (!Exit.isSuccess(exit)) throw new Error(`expected success, got ${JSON.stringify(exit)}`)
  return exit.value
}

const readBack = (id: string) => store.runPromise(EventStore.use((s) => s.readStream(`counter-${id}`)))

describe("mailbox batching", () => {
  it("a burst of 60 commands to one aggregate: fewer appends than commands, each answered once, in order", async () => {
    const { rt, appends } = system()
    const id = crypto.randomUUID()
    const commands = Array.from({ length: 60 }, (_, i) => add(1, `cmd-${i}`))
    const results = (await burst(rt, id, commands)).map(success)
    expect(appends.length).toBeLessThan(10)
    expect(appends.some((batch) => batch.length > 1)).toBe(true)
    results.forEach((result, i) => {
      expect(result.revision).toBe(i)
      expect(result.deduplicated).toBe(false)
      expect(result.recorded.map((r) => [r.revision, r.metadata.causationId])).toEqual([[i, `cmd-${i}`]])
      expect(result.position).toBe(result.recorded[0]!.position)
    })
    const events = await readBack(id)
    expect(events.map((e) => e.metadata.causationId)).toEqual(commands.map((c) => c.commandId))
    const state = await rt.runPromise(ActorSystem.use((a) => a.current(Counter, id)))
    expect(state).toMatchObject({ state: { count: 60, adds: 60 }, revision: 59 })
    await rt.dispose()
  })

  it("a rejected command in the middle of a batch fails alone; the ones after it are decided on the state before it", async () => {
    const { rt, appends } = system({ settings: { ceiling: 10 } })
    const id = crypto.randomUUID()
    // All five wait in the mailbox before the actor runs: 1 + 3 + 3 + 5 is over the ceiling, 1 + 3 + 3 + 3 is not.
    const exits = await burst(rt, id, [add(1, "a"), add(3, "b"), add(3, "c"), add(5, "d"), add(3, "e")])
    expect(Exit.isFailure(exits[3]!)).toBe(true)
    expect(JSON.stringify(exits[3])).toContain("CeilingReached")
    const ok = [0, 1, 2, 4].map((i) => success(exits[i]!))
    expect(ok.map((r) => r.revision)).toEqual([0, 1, 2, 3])
    // The commands on both sides of the rejected one went out in one write.
    expect(appends.some((batch) => batch.includes("c") && batch.includes("e"))).toBe(true)
    expect((await readBack(id)).map((e) => (e.data as { amount: number }).amount)).toEqual([1, 3, 3, 3])
    await rt.dispose()
  })

  it("command ids deduplicate within a batch and across batches", async () => {
    const { rt } = system()
    const id = crypto.randomUUID()
    const exits = await burst(rt, id, [add(1, "x"), add(2, "y"), add(2, "y"), add(4, "x"), add(8, "z")])
    const [x, y, y2, x2, z] = exits.map(success)
    expect([x!.deduplicated, y!.deduplicated, y2!.deduplicated, x2!.deduplicated, z!.deduplicated]).toEqual([false, false, true, true, false])
    expect(y2!.revision).toBe(y!.revision)
    expect(x2!.recorded.map((r) => r.revision)).toEqual([0])
    const again = (await burst(rt, id, [add(2, "y"), add(16, "w")])).map(success)
    expect(again.map((r) => r.deduplicated)).toEqual([true, false])
    expect(again[0]!.recorded.map((r) => r.metadata.causationId)).toEqual(["y"])
    expect((await readBack(id)).map((e) => (e.data as { amount: number }).amount)).toEqual([1, 2, 8, 16])
    await rt.dispose()
  })

  it("a conflict with another writer re-decides the whole batch against the caught-up state", async () => {
    const { rt, appends } = system({ settings: { ceiling: 10 } })
    const other = system({ settings: { ceiling: 10 } })
    const id = crypto.randomUUID()
    success((await burst(rt, id, [add(1, "warm")]))[0]!)
    // The other system writes 6 behind this one's back: the cached revision is stale.
    success((await burst(other.rt, id, [add(6, "elsewhere")]))[0]!)
    const exits = await burst(rt, id, [add(1, "p"), add(2, "q"), add(2, "r")])
    expect(exits.slice(0, 2).map((e) => success(e).revision)).toEqual([2, 3])
    expect(JSON.stringify(exits[2])).toContain("CeilingReached")
    expect(appends.length).toBeGreaterThanOrEqual(3)
    expect((await readBack(id)).map((e) => e.metadata.causationId)).toEqual(["warm", "elsewhere", "p", "q"])
    await Promise.all([rt.dispose(), other.rt.dispose()])
  })

  it("a failed append fails the commands that depended on it, keeps earlier rejections, and drops the cache", async () => {
    const { rt, appends } = system({ settings: { ceiling: 10 } }, true)
    const id = crypto.randomUUID()
    const exits = await burst(rt, id, [add(20, "big"), add(1, "a"), add(2, "b")])
    expect(JSON.stringify(exits[0])).toContain("CeilingReached")
    expect(exits.slice(1).map((e) => JSON.stringify(e).includes("EventStoreUnavailable"))).toEqual([true, true])
    expect(appends).toEqual([["a", "b"]])
    // The retry starts from the store: nothing was written, so "a" is applied now, at revision 0.
    const retried = success((await burst(rt, id, [add(1, "a")]))[0]!)
    expect([retried.revision, retried.deduplicated]).toEqual([0, false])
    await rt.dispose()
  })

  it("a decider that throws answers its batch with the defect and leaves the mailbox working", async () => {
    const Throwing = {
      ...Counter,
      decider: {
        ...Counter.decider,
        decide: (...args: Parameters<typeof Counter.decider.decide>) => {
          if (args[0].amount === 13) throw new Error("unlucky")
          return Counter.decider.decide(...args)
        }
      }
    }
    const { rt } = system()
    const id = crypto.randomUUID()
    const exits = await rt.runPromise(
      ActorSystem.use((actors) =>
        Effect.forEach([add(1, "a"), add(13, "b"), add(1, "c")], (c) => Effect.exit(actors.send(Throwing, id, c)), { concurrency: "unbounded" })
      )
    )
    expect(exits.map((e) => Exit.isFailure(e) && (Cause.squash(e.cause) as Error).message)).toEqual(["unlucky", "unlucky", "unlucky"])
    const after = success(await rt.runPromise(ActorSystem.use((actors) => Effect.exit(actors.send(Throwing, id, add(2, "d"))))))
    expect(after.revision).toBe(0)
    await rt.dispose()
  })

  it("ACTOR_MAX_BATCH 1: one append per command", async () => {
    const { rt, appends } = system({ maxBatch: 1 })
    const id = crypto.randomUUID()
    const results = (await burst(rt, id, Array.from({ length: 10 }, (_, i) => add(1, `one-${i}`)))).map(success)
    expect(results.map((r) => r.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(appends.length).toBe(10)
    await rt.dispose()
  })
})
