/**
 * Fan-out across nodes: two server processes on one PostgreSQL event store, members on each. Every
 * command goes through the Room aggregate and every node publishes what its store subscription sees,
 * so both see the same events in the same order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { TEST_POSTGRES_URL, withAdminSql } from "../support/postgres.ts"
import { type RoomServer, startRoomServer, tokenFor } from "./RoomServerProcess.ts"
import { connect, type TestClient } from "./RoomTestClient.ts"

const database = `kf_rooms_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
const url = TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${database}`)
let a: RoomServer
let b: RoomServer

beforeAll(async () => {
  await withAdminSql((sql) => sql.unsafe(`CREATE DATABASE "${database}"`))
  const env = { EVENTSTORE_URL: url }
  a = await startRoomServer([process.execPath, "src/runtime/node.ts"], env)
  b = await startRoomServer([process.execPath, "src/runtime/node.ts"], env)
}, 120_000)

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()])
  await withAdminSql((sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`))
})

const joinAt = async (server: RoomServer, roomId: string, user: string): Promise<TestClient> => {
  const c = await connect(`${server.ws}/rooms/${roomId}?access_token=${await tokenFor(user)}`)
  await c.next((f) => f.type === "welcome")
  c.send({ type: "join", id: "j" })
  await c.next((f) => f.type === "ack" && f.id === "j")
  return c
}

describe("two nodes, one event store", () => {
  it("members on either node see the same room events in the same order", async () => {
    const res = await fetch(`${a.http}/rooms`, {
      method: "POST",
      headers: { "content-type": "application/json", Authorization: `Bearer ${await tokenFor("alice")}` },
      body: "{}"
    })
    const { id } = await res.json() as { id: string }
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
