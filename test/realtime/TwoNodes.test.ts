/**
 * Two server processes on one PostgreSQL event store and one Redis, members on each. Fan-out: every
 * command goes through the Room aggregate and every node publishes what its store subscription sees,
 * so both see the same events in the same order. Presence (Redis): both nodes show everyone, a member
 * is marked left only once they have no connection on either node, a playback wait waits for a member
 * on the other node, and a node that dies loses its members after its entries expire.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { TEST_POSTGRES_URL, withAdminSql } from "../support/postgres.ts"
import { type TestRedis, testRedis } from "../support/redis.ts"
import { type RoomServer, startRoomServer, tokenFor } from "./RoomServerProcess.ts"
import { connect, type Frame, type TestClient } from "./RoomTestClient.ts"

const database = `kf_rooms_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
const url = TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${database}`)
let a: RoomServer
let b: RoomServer
// decided before the tests are collected, so that the presence tests can be skipped by name
const redis: TestRedis | undefined = await testRedis("two-nodes")

const SETTINGS = {
  ROOM_MEMBER_GRACE_SECONDS: "1",
  ROOM_READY_TIMEOUT_MS: "6000",
  ROOM_PRESENCE_HEARTBEAT_MS: "300",
  ROOM_PRESENCE_TTL_MS: "1500"
}

beforeAll(async () => {
  await withAdminSql((sql) => sql.unsafe(`CREATE DATABASE "${database}"`))
  const env = { EVENTSTORE_URL: url, ...SETTINGS, ...(redis ? { REDIS_URL: redis.url, READ_STORE_KEY_PREFIX: redis.keyPrefix } : {}) }
  a = await startRoomServer([process.execPath, "src/runtime/node.ts"], env)
  b = await startRoomServer([process.execPath, "src/runtime/node.ts"], env)
}, 120_000)

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()])
  await withAdminSql((sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`))
  await redis?.cleanup()
})

const openRoom = async () => {
  const res = await fetch(`${a.http}/rooms`, {
    method: "POST",
    headers: { "content-type": "application/json", Authorization: `Bearer ${await tokenFor("alice")}` },
    body: "{}"
  })
  return (await res.json() as { id: string }).id
}
const at = async (server: RoomServer, roomId: string, user: string): Promise<TestClient> => {
  const c = await connect(`${server.ws}/rooms/${roomId}?access_token=${await tokenFor(user)}`)
  await c.next((f) => f.type === "welcome")
  return c
}
const joinAt = async (server: RoomServer, roomId: string, user: string): Promise<TestClient> => {
  const c = await at(server, roomId, user)
  c.send({ type: "join", id: "j" })
  await c.next((f) => f.type === "ack" && f.id === "j")
  return c
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** The latest presence frame `c` got. */
const presenceOf = (c: TestClient): Array<{ userId: string; connections: number; state: string }> =>
  c.frames.findLast((f) => f.type === "presence")?.connected ?? []
/** Waits until `c`'s latest presence frame satisfies `match`. */
const presence = (c: TestClient, match: (connected: ReturnType<typeof presenceOf>) => boolean, ms = 8_000) =>
  c.next((f) => f.type === "presence" && f === c.frames.findLast((g) => g.type === "presence") && match(presenceOf(c)), ms)
const user = (connected: ReturnType<typeof presenceOf>, id: string) => connected.find((p) => p.userId === id)
const leftEvents = (c: TestClient, userId: string) => c.events().filter((e) => e.event === "MemberLeft" && e.data.userId === userId)
const eventOf = (c: TestClient, type: string, match: (f: Frame) => boolean = () => true, ms?: number) =>
  c.next((f) => f.type === "event" && f.event === type && match(f), ms)

describe("two nodes, one event store", () => {
  it("members on either node see the same room events in the same order", async () => {
    const id = await openRoom()
    const alice = await joinAt(a, id, "alice")
    const bob = await joinAt(b, id, "bob")
    const carol = await joinAt(a, id, "carol")
    for (let i = 0; i < 5; i++) {
      alice.send({ type: "chat", id: `a${i}`, text: `from a ${i}` })
      bob.send({ type: "chat", id: `b${i}`, text: `from b ${i}` })
    }
    const last = (c: TestClient) => c.next(() => c.events().filter((e) => e.event === "ChatPosted").length === 10, 10_000)
    await Promise.all([last(alice), last(bob), last(carol)])
    const seq = (c: TestClient) => c.events().filter((e) => e.revision >= 2).map((e) => [e.revision, e.event, e.data.text ?? e.data.userId])
    expect(seq(bob)).toEqual(seq(alice))
    expect(seq(carol)).toEqual(seq(alice))
    expect(seq(alice).map((e) => e[0])).toEqual([2, ...Array.from({ length: 10 }, (_, i) => i + 3)])
    for (const c of [alice, bob, carol]) c.close()
  }, 60_000)
})

describe(redis === undefined ? "two nodes, presence: SKIPPED (no Redis could be reached or started)" : "two nodes, one Redis: presence", () => {
  const presenceIt = it.skipIf(redis === undefined)

  presenceIt("shows the members of both nodes, with connection counts and readiness, on both", async () => {
    const id = await openRoom()
    const alice = await at(a, id, "alice")
    const bob = await at(b, id, "bob")
    const both = (c: ReturnType<typeof presenceOf>) => user(c, "alice")?.connections === 1 && user(c, "bob")?.connections === 1
    await presence(alice, both)
    await presence(bob, both)
    const bob2 = await at(a, id, "bob")
    bob.send({ type: "buffering", id: "b1" })
    // bob: one socket on each node; his buffering report on B reaches alice's presence on A
    await presence(alice, (c) => user(c, "bob")?.connections === 2 && user(c, "bob")?.state === "buffering")
    await presence(bob2, (c) => user(c, "bob")?.connections === 2)
    bob2.close()
    await presence(alice, (c) => user(c, "bob")?.connections === 1)
    for (const c of [alice, bob]) c.close()
  }, 60_000)

  presenceIt("marks a member left only when their last connection on any node has been gone for the grace period, once", async () => {
    const id = await openRoom()
    const watcher = await at(b, id, "watcher")
    const onA = await joinAt(a, id, "alice")
    const onB = await at(b, id, "alice")
    await presence(watcher, (c) => user(c, "alice")?.connections === 2)
    onA.close()
    await sleep(2_500) // past the grace period (1 s) of the node A socket
    expect(leftEvents(watcher, "alice")).toEqual([]) // still connected on node B
    onB.close()
    const left = await eventOf(watcher, "MemberLeft", (f) => f.data.userId === "alice", 8_000)
    expect(left.data).toMatchObject({ reason: "disconnected" })

    // both nodes' timers run out together: both send MarkMemberLeft, the room applies one
    const again = [await joinAt(a, id, "alice"), await at(b, id, "alice")]
    await presence(watcher, (c) => user(c, "alice")?.connections === 2)
    for (const c of again) c.close()
    await watcher.next(() => leftEvents(watcher, "alice").length === 2, 8_000)
    await sleep(1_500)
    expect(leftEvents(watcher, "alice")).toHaveLength(2)
    watcher.close()
  }, 60_000)

  presenceIt("waits for a buffering member on the other node before it plays", async () => {
    const id = await openRoom()
    const alice = await joinAt(a, id, "alice")
    const bob = await joinAt(b, id, "bob")
    alice.send({ type: "playback", id: "p1", action: "play", positionMs: 0 })
    const changed = await eventOf(alice, "PlaybackChanged")
    await eventOf(bob, "PlaybackChanged")
    alice.send({ type: "ready", id: "r1" })
    bob.send({ type: "buffering", id: "b1" })
    await presence(alice, (c) => user(c, "alice")?.state === "ready" && user(c, "bob")?.state === "buffering")
    await sleep(Math.max(0, changed.data.effectiveAt - Date.now()) + 1_500)
    expect(alice.events().some((e) => e.event === "PlaybackReady")).toBe(false)
    bob.send({ type: "ready", id: "r2" })
    const started = await eventOf(alice, "PlaybackReady", () => true, 3_000)
    expect(started.data).toMatchObject({ reason: "ready", playing: true })
    await eventOf(bob, "PlaybackReady")
    expect(alice.events().filter((e) => e.event === "PlaybackReady")).toHaveLength(1)
    for (const c of [alice, bob]) c.close()
  }, 60_000)

  presenceIt("drops a dead node's members when its entries expire, and marks them left after the grace period", async () => {
    const id = await openRoom()
    const alice = await joinAt(a, id, "alice")
    const carol = await joinAt(b, id, "carol")
    await presence(alice, (c) => user(c, "carol")?.connections === 1)
    await b.kill() // no close, no cleanup: carol's entry stays in Redis until it expires
    await presence(alice, (c) => user(c, "carol") === undefined, 8_000)
    const left = await eventOf(alice, "MemberLeft", (f) => f.data.userId === "carol", 8_000)
    expect(left.data).toMatchObject({ reason: "disconnected" })
    for (const c of [alice, carol]) c.close()
  }, 60_000)
})
