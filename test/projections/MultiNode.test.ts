/**
 * Several API nodes on one Redis read store and one event store: each node runs its own
 * ProjectionRunner (own runners, caches and Redis connection). Only the lease holder of a slot
 * folds it; the others follow its checkpoint. Whatever happens to the leader (stopped, lease
 * expired or overwritten), every event is folded exactly once and the read model equals a clean
 * single-node replay.
 */
import { Context, type Duration, Effect, Exit, Layer, ManagedRuntime, Option, type Scope } from "effect"
import { Redis } from "ioredis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ProjectionRunner, type ProjectionRunnerOptions } from "../../projections/ProjectionRunner.ts"
import { replayProjection } from "../../projections/ProjectionReplay.ts"
import { dumpSlot as dumpModels } from "../../projections/ReadModelDiff.ts"
import { slotLease, type SlotRunner, startSlotRunner } from "../../projections/SlotRunner.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { makeMemoryReadStore } from "../../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore, type ReadStoreShape } from "../../src/readstore/ReadStore.ts"
import { RedisReadStore } from "../../src/readstore/redis/RedisReadStore.ts"
import type { Slot } from "../../src/readstore/ReadStoreTypes.ts"
import { failureTag } from "../readstore/ReadStoreContract.ts"
import { testRedis } from "../support/redis.ts"
import { appendSteps, dumpSlot, expectedDump, type Step } from "./CounterHarness.ts"
import { COUNTER_EVENT_TYPES, makeStreamCounter } from "./StreamCounter.ts"

let events: ManagedRuntime.ManagedRuntime<EventStore, unknown>
beforeAll(async () => {
  events = ManagedRuntime.make(PgliteEventStore.layer({}))
  await events.runPromise(Effect.void)
})
afterAll(() => events?.dispose())

const redis = await testRedis("multi-node")
afterAll(() => redis?.cleanup())

const fresh = () => {
  const category = `m${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`
  const projection = makeStreamCounter({ name: `multi-${category}`, streamPrefixes: [`${category}-`] })
  const slot: Slot = { projection: projection.name, version: 1, generation: 0 }
  let n = 0
  const steps = (count: number): Array<Step> =>
    Array.from({ length: count }, () => {
      const i = n++
      return { stream: `${category}-s${i % 7}`, types: [["Counted", "Counted", "Reset", "Ignored", "Counted", "Removed"][i % 6]!, "Counted"] }
    })
  return { projection, slot, steps }
}

const handled = (all: ReadonlyArray<RecordedEvent>) => all.filter((e) => (COUNTER_EVENT_TYPES as ReadonlyArray<string>).includes(e.type))

const append = (steps: ReadonlyArray<Step>) => events.runPromise(appendSteps(steps))

/** Polls `f` until it returns true; fails after `ms`. */
const until = async (what: string, f: () => Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The same projection replayed on its own into a fresh memory store: what every build must equal. */
const cleanReplay = (projection: ReturnType<typeof fresh>["projection"], slot: Slot) =>
  events.runPromise(Effect.gen(function*() {
    const store = makeMemoryReadStore()
    yield* replayProjection(projection, store, slot)
    return yield* dumpModels(store, projection, slot)
  }))

if (!redis) {
  it.skip("Redis: not reachable (see the warning above)", () => {})
} else {
  const eventStore = () => Layer.succeed(EventStore, events.runSync(EventStore))
  const options: ProjectionRunnerOptions = {
    runner: { batchSize: 10, probeInterval: "50 millis", leaseTtl: "5 seconds" },
    watchInterval: "100 millis",
    buildPollInterval: "50 millis"
  }

  /** One API node: its own ProjectionRunner and Redis connection; dispose() stops it as a shutdown does. */
  const startNode = (projection: ReturnType<typeof fresh>["projection"], keyPrefix: string) =>
    ManagedRuntime.make(
      ProjectionRunner.layer([projection], options).pipe(
        Layer.provideMerge(Layer.mergeAll(RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix }), eventStore()))
      )
    )
  type Node = ReturnType<typeof startNode>

  const statusOf = async (node: Node) => (await node.runPromise(ProjectionRunner.use((r) => r.status)))[0]!
  const roleOf = async (node: Node) => (await statusOf(node)).runner?.role
  const waitFor = (node: Node, name: string, position: number) => node.runPromise(ProjectionRunner.use((r) => r.waitFor(name, position, "20 seconds")))

  describe("several nodes on one Redis read store", () => {
    it("both fold into the same keys: one leader, events applied once, the model equals a clean replay; the follower takes over when the leader stops", async () => {
      const t = fresh()
      const keyPrefix = redis.newPrefix("nodes")
      const all = await append(t.steps(40))
      const a = startNode(t.projection, keyPrefix)
      const b = startNode(t.projection, keyPrefix)
      try {
        await until("both nodes serve", async () => (await statusOf(a)).state === "serving" && (await statusOf(b)).state === "serving")
        // Events written while both run, in small appends.
        for (let i = 0; i < 12; i++) {
          all.push(...(await append(t.steps(5))))
          await new Promise((r) => setTimeout(r, 15))
        }
        const last = all.at(-1)!.position
        // Read-your-writes on both: the follower sees the leader's commits through the stored checkpoint.
        await Promise.all([waitFor(a, t.projection.name, last), waitFor(b, t.projection.name, last)])
        const statuses = [await statusOf(a), await statusOf(b)]
        expect(statuses.map((s) => s.runner?.role).sort()).toEqual(["follower", "leader"])
        // Each handled event was applied by exactly one runner, once.
        expect(statuses.reduce((n, s) => n + (s.runner?.eventsApplied ?? 0), 0)).toBe(handled(all).length)
        expect(statuses.map((s) => s.runner?.checkpoint)).toEqual([handled(all).at(-1)!.position, handled(all).at(-1)!.position])
        const lags = await Promise.all([a, b].map((n) => n.runPromise(ProjectionRunner.use((r) => r.lag(t.projection.name)))))
        expect(lags.map((l) => l.caughtUp)).toEqual([true, true])
        expect(await a.runPromise(dumpSlot(t.slot))).toEqual(expectedDump(all))
        expect(await a.runPromise(ReadStore.use((s) => dumpModels(s, t.projection, t.slot)))).toEqual(await cleanReplay(t.projection, t.slot))

        // Stop the leader (a shutdown): it releases its lease, so the follower takes over without waiting for the TTL (5 s).
        const [leader, follower] = statuses[0]!.runner?.role === "leader" ? [a, b] : [b, a]
        await leader.dispose()
        const stopped = Date.now()
        await until("the follower leads", async () => (await roleOf(follower)) === "leader", 4_000)
        expect(Date.now() - stopped).toBeLessThan(2_000)
        all.push(...(await append(t.steps(20))))
        await waitFor(follower, t.projection.name, all.at(-1)!.position)
        expect(await follower.runPromise(dumpSlot(t.slot))).toEqual(expectedDump(all))
        expect(await follower.runPromise(ReadStore.use((s) => dumpModels(s, t.projection, t.slot)))).toEqual(await cleanReplay(t.projection, t.slot))
      } finally {
        await Promise.all([a.dispose(), b.dispose()])
      }
    })

    it("a rebuild asked of both nodes at once is built once (the other answers RebuildInProgress), swapped in on both, and the old slot dropped", async () => {
      const t = fresh()
      const keyPrefix = redis.newPrefix("rebuild")
      const all = await append(t.steps(30))
      const a = startNode(t.projection, keyPrefix)
      const b = startNode(t.projection, keyPrefix)
      try {
        await until("both nodes serve", async () => (await statusOf(a)).state === "serving" && (await statusOf(b)).state === "serving")
        await Promise.all([waitFor(a, t.projection.name, all.at(-1)!.position), waitFor(b, t.projection.name, all.at(-1)!.position)])
        // Asked of both nodes at once: one builds the new generation (holding that slot's lease), the other answers
        // RebuildInProgress; the leader of the old slot keeps serving it meanwhile.
        const asked = await Promise.all([a, b].map((n) => n.runPromiseExit(ProjectionRunner.use((r) => r.rebuild(t.projection.name)))))
        expect(asked.map((e) => failureTag(e) ?? "started").sort()).toEqual(["RebuildInProgress", "started"])
        const builder = Exit.isSuccess(asked[0]!) ? a : b
        all.push(...(await append(t.steps(10))))
        const gen1: Slot = { ...t.slot, generation: 1 }
        const activeOn = async (node: Node) => node.runPromise(ProjectionRunner.use((r) => r.active(t.projection.name)))
        await until("both nodes serve generation 1", async () => {
          const [sa, sb] = [await statusOf(a), await statusOf(b)]
          return [sa, sb].every((s) => s.state === "serving" && s.runner?.slot.generation === 1) && (await statusOf(builder)).rebuild?.state === "done"
        })
        expect([await activeOn(a), await activeOn(b)]).toEqual([gen1, gen1])
        all.push(...(await append(t.steps(10))))
        const last = all.at(-1)!.position
        await Promise.all([waitFor(a, t.projection.name, last), waitFor(b, t.projection.name, last)])
        expect([await roleOf(a), await roleOf(b)].sort()).toEqual(["follower", "leader"])
        expect(await a.runPromise(dumpSlot(gen1))).toEqual(expectedDump(all))
        expect(await b.runPromise(ReadStore.use((s) => dumpModels(s, t.projection, gen1)))).toEqual(await cleanReplay(t.projection, gen1))
        // The old slot is gone, and no runner wrote into it again after the drop.
        await new Promise((r) => setTimeout(r, 300))
        const client = new Redis(redis.url)
        const leftover = await client.keys(`${keyPrefix}kf:${t.projection.name}:v1:*`)
        client.disconnect()
        expect(leftover).toEqual([])
      } finally {
        await Promise.all([a.dispose(), b.dispose()])
      }
    })
  })

  describe("a leader that lost its lease", () => {
    /**
     * Two runners of one slot on separate connections, A leading. `pauseA()` simulates a paused
     * leader: from then on each of A's fenced commits reaches the store only once another
     * runner has moved the checkpoint it was folded from.
     */
    const twoRunners = (t: ReturnType<typeof fresh>, keyPrefix: string, leaseTtl: Duration.Input) =>
      Effect.gen(function*() {
        // Separate connections, as on two nodes.
        const connect = Effect.map(Layer.build(RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix })), (c) => Context.get(c, ReadStore))
        const storeA = yield* connect
        const storeB = yield* connect
        let paused = false
        const pausable: ReadStoreShape = {
          ...storeA,
          commit: (batch) =>
            Effect.gen(function*() {
              for (let i = 0; paused && batch.after !== undefined && i < 1_000; i++) {
                if (Option.getOrElse(yield* storeA.checkpoint(batch.slot), () => 0) !== batch.after) break
                yield* Effect.sleep("10 millis")
              }
              return yield* storeA.commit(batch)
            })
        }
        const opts = { batchSize: 10, probeInterval: "20 millis", leaseTtl } as const
        const a = yield* startSlotRunner(t.projection, t.slot, opts).pipe(Effect.provideService(ReadStore, pausable))
        yield* Effect.promise(() => until("A leads", () => Effect.runPromise(Effect.map(a.status, (s) => s.role === "leader"))))
        const b = yield* startSlotRunner(t.projection, t.slot, opts).pipe(Effect.provideService(ReadStore, storeB))
        return { a, b, storeB, pauseA: () => void (paused = true) }
      })

    const run = <A, E>(body: Effect.Effect<A, E, EventStore | Scope.Scope>) =>
      events.runPromise(Effect.scoped(body))

    const roleIs = (runner: SlotRunner, role: string) => () => Effect.runPromise(Effect.map(runner.status, (s) => s.role === role))

    it("expired and taken by another runner: its next commit fails with CheckpointMoved, it follows, the model stays right", async () => {
      const t = fresh()
      const keyPrefix = redis.newPrefix("stolen")
      await run(Effect.gen(function*() {
        const all = yield* appendSteps(t.steps(20))
        const { a, b, storeB, pauseA } = yield* twoRunners(t, keyPrefix, "30 seconds")
        yield* a.waitFor(all.at(-1)!.position, "20 seconds")
        yield* b.waitFor(all.at(-1)!.position, "20 seconds")
        expect((yield* b.status).role).toBe("follower")
        // A pauses and its lease "expires" meanwhile: B takes it while A still believes it leads (renewal is 10 s away).
        pauseA()
        const client = new Redis(redis.url)
        yield* Effect.promise(() => client.del(`${keyPrefix}kf-lease:${slotLease(t.slot)}`))
        client.disconnect()
        yield* Effect.promise(() => until("B leads", roleIs(b, "leader")))
        expect((yield* a.status).role).toBe("leader")
        // Both fold what comes next; B commits first, so A's commit (fenced on the checkpoint it folded from) must not apply.
        all.push(...(yield* appendSteps(t.steps(15))))
        yield* Effect.promise(() => until("A was fenced off", roleIs(a, "follower")))
        const status = yield* a.status
        expect(status.lastError).toMatch(/checkpoint of .* moved/)
        const last = all.at(-1)!.position
        yield* b.waitFor(last, "20 seconds")
        yield* a.waitFor(last, "20 seconds")
        expect(yield* dumpSlot(t.slot).pipe(Effect.provideService(ReadStore, storeB))).toEqual(expectedDump(all))
        expect(yield* dumpModels(storeB, t.projection, t.slot)).toEqual(yield* Effect.promise(() => cleanReplay(t.projection, t.slot)))
        expect((yield* a.status).role).toBe("follower")
        expect((yield* b.status).role).toBe("leader")
        expect(Option.getOrUndefined(yield* storeB.checkpoint(t.slot))).toBe(handled(all).at(-1)!.position)
      }))
    })

    it("overwritten by another holder: the leader stops folding at its next renewal; one leads again once the lease is free", async () => {
      const t = fresh()
      const keyPrefix = redis.newPrefix("overwritten")
      await run(Effect.gen(function*() {
        const all = yield* appendSteps(t.steps(10))
        const { a, b, storeB } = yield* twoRunners(t, keyPrefix, "3 seconds")
        yield* a.waitFor(all.at(-1)!.position, "20 seconds")
        const leaseKey = `${keyPrefix}kf-lease:${slotLease(t.slot)}`
        const client = new Redis(redis.url)
        // Someone else (e.g. an operator's tool) holds the lease now: neither runner may fold.
        yield* Effect.promise(() => until("one leader", async () => (await roleIs(a, "leader")()) !== (await roleIs(b, "leader")())))
        const leader = (yield* a.status).role === "leader" ? a : b
        yield* Effect.promise(() => client.set(leaseKey, "intruder", "PX", 60_000))
        yield* Effect.promise(() => until("the leader gave up", roleIs(leader, "follower")))
        expect((yield* leader.status).lastError).toMatch(/lost its lease/)
        const before = yield* storeB.checkpoint(t.slot)
        const more = yield* appendSteps(t.steps(10))
        yield* Effect.sleep("300 millis")
        expect(yield* storeB.checkpoint(t.slot)).toEqual(before)
        expect([(yield* a.status).role, (yield* b.status).role]).toEqual(["follower", "follower"])
        // The intruder lets go: one of them takes over and folds what was written meanwhile.
        yield* Effect.promise(() => client.del(leaseKey))
        client.disconnect()
        all.push(...more)
        yield* a.waitFor(all.at(-1)!.position, "20 seconds")
        yield* b.waitFor(all.at(-1)!.position, "20 seconds")
        expect([(yield* a.status).role, (yield* b.status).role].sort()).toEqual(["follower", "leader"])
        expect(yield* dumpSlot(t.slot).pipe(Effect.provideService(ReadStore, storeB))).toEqual(expectedDump(all))
      }))
    })
  })
}
