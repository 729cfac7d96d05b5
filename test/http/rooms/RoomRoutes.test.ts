/** Room commands over HTTP through the composed app (real actors, embedded event store, rooms projection). */
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import { Rooms } from "../../../src/rooms/Rooms.ts"
import { bearer, makeTestApp, type TestApp } from "../TestApp.ts"

let t: TestApp
beforeAll(async () => {
  t = await makeTestApp({ DEFAULT_MAX_PARTICIPANTS: "7", SPONSOR_MAX_PARTICIPANTS: "50" })
})
afterAll(() => t?.dispose())

const send = async (method: string, path: string, user: string, body?: unknown, roles?: ReadonlyArray<string>, headers: Record<string, string> = {}) =>
  t.app.request(path, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(await bearer(user, roles)), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })

const roomEvents = (id: string) =>
  t.runtime.runPromise(EventStore.use((s) => s.readStream(`room-${id}`))) as Promise<ReadonlyArray<{ type: string; data: any }>>

const read = async (id: string, position: number) => {
  const res = await t.app.request(`/rooms/${id}?minPosition=${position}`, { headers: await bearer("anyone") })
  expect(res.status).toBe(200)
  return res.json() as Promise<any>
}

describe("POST /rooms", () => {
  it("opens a standard room with DEFAULT_MAX_PARTICIPANTS, the caller as host, readable at /rooms/:id", async () => {
    const res = await send("POST", "/rooms", "alice", { title: "Movie night", videoId: "vid-1" })
    expect(res.status).toBe(201)
    const body = await res.json() as any
    expect(body).toMatchObject({ hostId: "alice", tier: "standard", capacity: 7, websocketPath: `/rooms/${body.id}`, revision: 0 })
    expect(res.headers.get("Location")).toBe(`/rooms/${body.id}`)
    const doc = await read(body.id, body.position)
    expect(doc).toMatchObject({ id: body.id, hostId: "alice", title: "Movie night", videoId: "vid-1", capacity: 7, status: "open" })
  })

  it("gives the sponsor tier (SPONSOR_MAX_PARTICIPANTS) to sponsor and admin tokens only", async () => {
    const refused = await send("POST", "/rooms", "bob", { tier: "sponsor" })
    expect(refused.status).toBe(403)
    expect((await refused.json() as any).error.code).toBe("FORBIDDEN")
    for (const role of ["sponsor", "admin"]) {
      const res = await send("POST", "/rooms", "bob", { tier: "sponsor" }, ["user", role])
      expect(res.status).toBe(201)
      expect(await res.json()).toMatchObject({ tier: "sponsor", capacity: 50 })
    }
  })

  it("refuses a bad body with 422 and no token with 401", async () => {
    const bad = await send("POST", "/rooms", "alice", { title: "x".repeat(201) })
    expect(bad.status).toBe(422)
    expect((await bad.json() as any).error.path).toBe("body.title")
    const tier = await send("POST", "/rooms", "alice", { tier: "gold" })
    expect(tier.status).toBe(422)
    const anonymous = await t.app.request("/rooms", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
    expect(anonymous.status).toBe(401)
  })
})

describe("host settings and closing", () => {
  const openRoom = async () => (await (await send("POST", "/rooms", "alice", {})).json() as any).id as string

  it("lets the host allow a member to drive playback and hand over the host; others get 403 NOT_HOST", async () => {
    const id = await openRoom()
    // bob joins through the aggregate (the WebSocket path does the same through Rooms)
    await t.runtime.runPromise(Effect.provide(Rooms.use((r) => r.join({ actor: { userId: "bob", roles: ["user"] } }, id)), Rooms.layer))

    const byBob = await send("PUT", `/rooms/${id}/controllers/bob`, "bob", { allowed: true })
    expect(byBob.status).toBe(403)
    expect((await byBob.json() as any).error.code).toBe("NOT_HOST")

    const allowed = await send("PUT", `/rooms/${id}/controllers/bob`, "alice", { allowed: true })
    expect(allowed.status).toBe(200)
    expect(await allowed.json()).toMatchObject({ id, changed: true })
    const again = await send("PUT", `/rooms/${id}/controllers/bob`, "alice", { allowed: true })
    expect(await again.json()).toMatchObject({ changed: false })

    const notMember = await send("PUT", `/rooms/${id}/host`, "alice", { userId: "carol" })
    expect(notMember.status).toBe(422)
    expect((await notMember.json() as any).error.code).toBe("NOT_A_MEMBER")

    const handed = await send("PUT", `/rooms/${id}/host`, "alice", { userId: "bob" })
    expect(handed.status).toBe(200)
    const body = await handed.json() as any
    const doc = await read(id, body.position)
    expect(doc).toMatchObject({ hostId: "bob", controllers: [] })
    expect((await roomEvents(id)).map((e) => e.type)).toEqual(["RoomOpened", "MemberJoined", "PlaybackControlChanged", "HostHandedOver"])
  })

  it("closes for the host or an admin, once; a retry with the same Idempotency-Key gets the first answer", async () => {
    const id = await openRoom()
    const byOther = await send("POST", `/rooms/${id}/close`, "mallory")
    expect(byOther.status).toBe(403)
    const first = await send("POST", `/rooms/${id}/close`, "alice", undefined, undefined, { "Idempotency-Key": "k1" })
    expect(first.status).toBe(200)
    const firstBody = await first.json()
    const retry = await send("POST", `/rooms/${id}/close`, "alice", undefined, undefined, { "Idempotency-Key": "k1" })
    expect(retry.status).toBe(200)
    expect(await retry.json()).toEqual(firstBody)
    const again = await send("POST", `/rooms/${id}/close`, "alice")
    expect(again.status).toBe(409)
    expect((await again.json() as any).error.code).toBe("ROOM_CLOSED")
    const doc = await read(id, (firstBody as any).position)
    expect(doc).toMatchObject({ status: "closed", closeReason: "host" })

    const admin = await openRoom()
    const byAdmin = await send("POST", `/rooms/${admin}/close`, "root", undefined, ["admin"])
    expect(byAdmin.status).toBe(200)
    expect((await roomEvents(admin)).at(-1)?.data).toMatchObject({ reason: "admin", closedBy: "root" })
  })

  it("answers 404 for an unknown room", async () => {
    const res = await send("POST", "/rooms/nope-404/close", "alice")
    expect(res.status).toBe(404)
  })
})
