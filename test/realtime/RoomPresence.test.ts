/**
 * The presence port against its adapters, in process: the memory one, and the Redis one on a real Redis
 * (two instances are two nodes). Entries of a node that stopped refreshing expire; a Redis that does not
 * answer leaves each node with its own sockets.
 */
import { type Duration, Effect, Layer, ManagedRuntime } from "effect"
import { Redis as IoRedis } from "ioredis"
import { afterAll, describe, expect, it } from "vitest"
import { RoomPresence, type RoomPresenceShape } from "../../src/realtime/RoomPresence.ts"
import { RedisRoomPresence } from "../../src/realtime/redis/RedisRoomPresence.ts"
import { Redis } from "../../src/redis/Redis.ts"
import { testRedis } from "../support/redis.ts"
import { freePort } from "./RoomServerProcess.ts"

const redis = await testRedis("room-presence")
afterAll(() => redis?.cleanup())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const runtimes: Array<ManagedRuntime.ManagedRuntime<RoomPresence, never>> = []
afterAll(() => Promise.all(runtimes.map((r) => r.dispose())))

const open = async (layer: Layer.Layer<RoomPresence>) => {
  const runtime = ManagedRuntime.make(layer)
  runtimes.push(runtime)
  const presence = await runtime.runPromise(Effect.gen(function*() {
    return yield* RoomPresence
  }))
  return { presence, run: <A>(e: Effect.Effect<A>) => runtime.runPromise(e), dispose: () => runtime.dispose() }
}
const redisNode = (url: string, keyPrefix: string, connectWait: Duration.Input = "3 seconds") =>
  open(RedisRoomPresence.layer({ keyPrefix, heartbeatMs: 200, ttlMs: 600 }).pipe(Layer.provide(Redis.layer({ url, connectWait }))))

/** What every adapter does for one node. */
const oneNode = (name: string, make: () => ReturnType<typeof open>) =>
  it(`${name}: counts connections, merges readiness, and is all ready only for the wait the reports answer`, async () => {
    const { presence: p, run } = await make()
    const room = crypto.randomUUID()
    p.connect(room, "alice")
    p.connect(room, "alice")
    p.connect(room, "bob")
    expect(await run(p.view(room))).toEqual(expect.arrayContaining([
      { userId: "alice", connections: 2, state: "unknown" },
      { userId: "bob", connections: 1, state: "unknown" }
    ]))
    expect(p.disconnect(room, "alice")).toBe(1)
    expect(await run(p.connections(room, "alice"))).toBe(1)
    expect(p.resetStates(room, 100)).toBe(false)
    expect(p.setState(room, "alice", "ready", 100)).toBe(true)
    expect(p.setState(room, "alice", "ready", 100)).toBe(false)
    expect(await run(p.allReady(room, 100))).toBe(false)
    p.setState(room, "bob", "ready", 99) // a report for an older wait
    expect(await run(p.allReady(room, 100))).toBe(false)
    p.setState(room, "bob", "ready", 100)
    expect(await run(p.allReady(room, 100))).toBe(true)
    expect(p.resetStates(room, 200)).toBe(true)
    expect(await run(p.allReady(room, 200))).toBe(false)
    p.disconnect(room, "alice")
    p.disconnect(room, "bob")
    expect(await run(p.view(room))).toEqual([])
    expect(await run(p.allReady(room, 200))).toBe(false)
  })

describe("room presence", () => {
  oneNode("memory", () => open(RoomPresence.layerMemory))

  describe.skipIf(redis === undefined)(redis === undefined ? "Redis: SKIPPED (no Redis could be reached or started)" : "Redis", () => {
    oneNode("one node", () => redisNode(redis!.url, redis!.newPrefix()))

    it("two nodes see each other's users, hear each other's changes, and a node that stops drops its entries", async () => {
      const prefix = redis!.newPrefix()
      const a = await redisNode(redis!.url, prefix)
      const b = await redisNode(redis!.url, prefix)
      const heard: Array<string> = []
      a.presence.listen({ changed: (roomId) => heard.push(roomId), expired: () => {} })
      const room = crypto.randomUUID()
      a.presence.connect(room, "alice")
      b.presence.connect(room, "alice")
      b.presence.connect(room, "bob")
      b.presence.setState(room, "bob", "buffering", null)
      await sleep(300)
      expect(heard).toContain(room)
      const view = await a.run(a.presence.view(room))
      expect(view).toEqual(expect.arrayContaining([
        { userId: "alice", connections: 2, state: "unknown" },
        { userId: "bob", connections: 1, state: "buffering" }
      ]))
      expect(await b.run(b.presence.view(room))).toEqual(expect.arrayContaining(view.map((v) => expect.objectContaining(v))))
      a.presence.setState(room, "alice", "ready", 7)
      b.presence.setState(room, "alice", "ready", 7)
      b.presence.setState(room, "bob", "ready", 7)
      expect(await a.run(a.presence.allReady(room, 7))).toBe(true)
      a.presence.setState(room, "alice", "buffering", 7) // one of alice's nodes is not ready: alice is not
      expect(await b.run(b.presence.allReady(room, 7))).toBe(false)
      await b.dispose() // a clean stop removes its entries at once
      expect(await a.run(a.presence.view(room))).toEqual([{ userId: "alice", connections: 1, state: "buffering" }])
    })

    it("drops the entries of a node that stopped refreshing, and reports their users as expired once", async () => {
      const prefix = redis!.newPrefix()
      const a = await redisNode(redis!.url, prefix)
      const expired: Array<string> = []
      a.presence.listen({ changed: () => {}, expired: (_roomId, userId) => expired.push(userId) })
      const room = crypto.randomUUID()
      a.presence.connect(room, "alice")
      // a node that died: its entry is there, its refresh time has passed
      const raw = new IoRedis(redis!.url)
      const key = `${prefix}keyframe:presence:${room}`
      await raw.hset(key, "dead-node/zoe", JSON.stringify({ c: 1, s: "ready", w: null }))
      await raw.zadd(`${key}:nodes`, Date.now() - 1_000, "dead-node")
      raw.disconnect()
      expect(await a.run(a.presence.view(room))).toEqual([{ userId: "alice", connections: 1, state: "unknown" }])
      await sleep(500) // heartbeats read the room again
      expect(expired).toEqual(["zoe"])
    })

    it("with no Redis answering, each node answers from its own sockets and nothing fails", async () => {
      const node = await redisNode(`redis://127.0.0.1:${await freePort()}`, "kf-absent:", "200 millis")
      const room = crypto.randomUUID()
      node.presence.connect(room, "alice")
      node.presence.setState(room, "alice", "ready", 1)
      expect(await node.run(node.presence.view(room))).toEqual([{ userId: "alice", connections: 1, state: "ready" }])
      expect(await node.run(node.presence.allReady(room, 1))).toBe(true)
      expect(node.presence.disconnect(room, "alice")).toBe(0)
      expect(await node.run(node.presence.connections(room, "alice"))).toBe(0)
      await node.dispose()
    })
  })
})
