/**
 * The black-box suite of `ws://…/uploads/:id` (and of tickets on room upgrades), run by the room protocol
 * suite against each transport's server process (ws, uWS under Node 20, Deno). The server runs no
 * workers: an upload is driven over real tus HTTP (create, PATCH, DELETE) and watched over SSE and
 * WebSocket at once. FEED_MAX_PER_USER is 2 there (RoomProtocolSuite.ts), counted across both.
 */
import { sign } from "hono/jwt"
import { expect, it } from "vitest"
import { connectSse, type SseEvent } from "../http/queries/SseClient.ts"
import { type RoomServer, SECRET, tokenFor } from "./RoomServerProcess.ts"
import { connect, type Frame, refusal, type TestClient } from "./RoomTestClient.ts"

const TUS = { "Tus-Resumable": "1.0.0" }
const bearer = async (user: string) => ({ Authorization: `Bearer ${await tokenFor(user)}` })

/** The WebSocket frame an SSE message maps to. */
const asFrame = (e: SseEvent) => (e.id === undefined ? { type: e.event, data: e.data } : { type: e.event, id: e.id, data: e.data })

/** Frames until one matches (inclusive), in order. */
const framesUntil = async (c: TestClient, match: (f: Frame) => boolean, ms = 15_000) => {
  await c.next(match, ms)
  return c.frames.slice(0, c.frames.findIndex(match) + 1)
}

export const uploadFeedSuite = (server: () => RoomServer) => {
  const create = async (user: string, size = 64) => {
    const res = await fetch(`${server().http}/files`, {
      method: "POST",
      headers: { ...TUS, ...(await bearer(user)), "Upload-Length": String(size), "Upload-Metadata": `filename ${btoa("feed.mp4")}` }
    })
    expect(res.status).toBe(201)
    return res.headers.get("Location")!.split("/").at(-1)!
  }
  const patch = async (user: string, id: string, offset: number, length: number) => {
    const res = await fetch(`${server().http}/files/${id}`, {
      method: "PATCH",
      headers: { ...TUS, ...(await bearer(user)), "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" },
      body: new Uint8Array(length)
    })
    expect(res.status).toBe(204)
  }
  const cancel = async (user: string, id: string) =>
    expect((await fetch(`${server().http}/files/${id}`, { method: "DELETE", headers: { ...TUS, ...(await bearer(user)) } })).status).toBe(204)
  const feedUrl = async (id: string, user: string, query = "") => `${server().ws}/uploads/${id}?access_token=${await tokenFor(user)}${query}`
  const ticket = async (user: string, path: string) => {
    const res = await fetch(`${server().http}/feeds/tickets`, {
      method: "POST",
      headers: { ...(await bearer(user)), "content-type": "application/json" },
      body: JSON.stringify({ path })
    })
    expect(res.status).toBe(201)
    return ((await res.json()) as { ticket: string }).ticket
  }

  it("upload feed: the same messages as SSE, one JSON frame each, then close 1000; a resume with since replays, after the end it closes at once", async () => {
    const id = await create("fern")
    await patch("fern", id, 0, 16)
    const sse = await connectSse(`${server().http}/uploads/${id}/events`, await bearer("fern"))
    const ws = await connect(await feedUrl(id, "fern"))
    const snapshot = await ws.next((f) => f.type === "snapshot")
    expect(snapshot).toMatchObject({ data: { upload: { id, status: "receiving", offset: 16 } } })
    await patch("fern", id, 16, 48)
    await ws.next((f) => f.type === "state" && f.data.upload.status === "received")
    await cancel("fern", id)
    const frames = await framesUntil(ws, (f) => f.type === "end")
    expect(await ws.closed).toEqual({ code: 1000, reason: "finished" })
    const messages = await sse.until((e) => e.event === "end")
    sse.close()
    expect(frames).toEqual(messages.map(asFrame))
    expect(frames.map((f) => f.type)).toEqual(["snapshot", "progress", "state", "state", "end"])
    expect(frames.at(-1)).toEqual({ type: "end", data: { status: "cancelled", reason: "finished", reconnect: false } })

    // resume after the snapshot: the stored changes after it, as SSE with Last-Event-ID gives them
    const resumed = await connect(await feedUrl(id, "fern", `&since=${snapshot.id}`))
    const replay = await framesUntil(resumed, (f) => f.type === "end")
    expect(replay).toEqual(frames.slice(1))
    expect((await resumed.closed).code).toBe(1000)
    // resume after the last stored change of a finished upload: nothing more (SSE answers 204)
    const last = frames.filter((f) => f.id !== undefined).at(-1)!.id
    const done = await connect(await feedUrl(id, "fern", `&since=${last}`))
    expect(await done.closed).toEqual({ code: 1000, reason: "finished" })
    expect(done.frames).toEqual([])
  })

  it("upload feed: refused before a socket exists — no token, bad token, unknown, a stranger's, bad since, wrong path", async () => {
    const id = await create("fern")
    expect(await refusal(`${server().ws}/uploads/${id}`)).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED" } } })
    const forged = await tokenFor("fern", ["user"], "another-secret-of-sufficient-length-000000")
    expect(await refusal(`${server().ws}/uploads/${id}?access_token=${forged}`)).toMatchObject({ status: 401 })
    expect(await refusal(await feedUrl("no-such-upload", "fern"))).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } })
    // a stranger gets the same 404 as for no upload at all; an admin may watch
    expect(await refusal(await feedUrl(id, "mallory"))).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } })
    const admin = await connect(`${server().ws}/uploads/${id}`, { headers: { Authorization: `Bearer ${await tokenFor("root", ["admin"])}` } })
    expect((await admin.next((f) => f.type === "snapshot")).data.upload.id).toBe(id)
    admin.close()
    expect(await refusal(await feedUrl(id, "fern", "&since=abc"))).toMatchObject({ status: 400, body: { error: { code: "INVALID_SINCE" } } })
    expect((await refusal(`${server().ws}/uploads/${id}/events?access_token=x`)).status).toBe(404)
    await cancel("fern", id)
  })

  // its own user: the feeds of the tests before may still hold fern's FEED_MAX_PER_USER slots on a loaded machine
  it("upload feed: the bearer.<jwt> subprotocol with keyframe.uploads; a client frame is answered with an error and changes nothing", async () => {
    const id = await create("gwen")
    const token = await tokenFor("gwen")
    const open = () => {
      const native = new WebSocket(`${server().ws}/uploads/${id}`, ["keyframe.uploads", `bearer.${token}`])
      return new Promise<{ native: WebSocket; first: any }>((ok, fail) => {
        native.onmessage = (m) => ok({ native, first: JSON.parse(String(m.data)) })
        native.onerror = (e) => fail(new Error(`native client failed: ${(e as { message?: string }).message || "no detail"}`))
        native.onclose = (e) => fail(new Error(`native client closed before a frame: ${e.code} ${e.reason}`))
      })
    }
    // Node's own WebSocket (undici) has failed this handshake against uWS, without any detail, in about one
    // CI run in three under full load (never alone). One more attempt, said aloud; two failures fail the test.
    const { native, first } = await open().catch((e: Error) => {
      console.warn(`UploadFeedSuite: the native client's first attempt failed (${e.message}); trying once more`)
      return open()
    })
    expect(native.protocol).toBe("keyframe.uploads")
    expect(first).toMatchObject({ type: "snapshot", data: { upload: { id } } })
    native.close()
    const ws = await connect(await feedUrl(id, "gwen"))
    await ws.next((f) => f.type === "snapshot")
    ws.send({ type: "join", id: "j1" })
    expect(await ws.next((f) => f.type === "error")).toMatchObject({ code: "NOT_SUPPORTED", recoverable: true })
    await patch("gwen", id, 0, 8)
    expect(await ws.next((f) => f.type === "state")).toMatchObject({ data: { upload: { status: "receiving", offset: 8 } } })
    ws.close()
    await cancel("gwen", id)
  })

  it("upload feed: FEED_MAX_PER_USER counts SSE and WebSocket feeds together (429 TOO_MANY_FEEDS on both); a closed feed frees its slot", async () => {
    const id = await create("capper")
    const a = await connect(await feedUrl(id, "capper"))
    const b = await connectSse(`${server().http}/uploads/${id}/events`, await bearer("capper"))
    expect(b.status).toBe(200)
    await a.next((f) => f.type === "snapshot")
    await b.next()
    expect(await refusal(await feedUrl(id, "capper"))).toMatchObject({ status: 429, body: { error: { code: "TOO_MANY_FEEDS" } } })
    const sse = await fetch(`${server().http}/uploads/${id}/events`, { headers: await bearer("capper") })
    expect(sse.status).toBe(429)
    a.close()
    await a.closed
    let again: TestClient | undefined
    for (let i = 0; i < 50 && again === undefined; i++) {
      again = await connect(await feedUrl(id, "capper")).catch(async () => {
        await new Promise((r) => setTimeout(r, 100))
        return undefined
      })
    }
    expect((await again!.next((f) => f.type === "snapshot")).type).toBe("snapshot")
    again!.close()
    b.close()
    await cancel("capper", id)
  })

  it("upload feed: ends when its token expires — an end frame (token_expired, reconnect) and close 1008", async () => {
    const id = await create("fern")
    const short = await sign({ sub: "fern", roles: ["user"], exp: Math.floor(Date.now() / 1000) + 2 }, SECRET, "HS256")
    const ws = await connect(`${server().ws}/uploads/${id}?access_token=${short}`)
    await ws.next((f) => f.type === "snapshot")
    expect(await ws.next((f) => f.type === "end", 8_000)).toEqual({
      type: "end",
      data: { reason: "token_expired", reconnect: true, message: expect.stringMatching(/fresh token/) }
    })
    expect(await ws.closed).toMatchObject({ code: 1008, reason: expect.stringMatching(/token expired/) })
    await cancel("fern", id)
  }, 15_000)

  it("tickets from POST /feeds/tickets open one WebSocket each (upload feed or room), only their own path; reuse is 401", async () => {
    const id = await create("fern")
    const t = await ticket("fern", `/uploads/${id}`)
    const ws = await connect(`${server().ws}/uploads/${id}?ticket=${t}`)
    expect((await ws.next((f) => f.type === "snapshot")).data.upload.id).toBe(id)
    expect(await refusal(`${server().ws}/uploads/${id}?ticket=${t}`)).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED", message: expect.stringMatching(/used/) } } })
    ws.close()

    const room = await fetch(`${server().http}/rooms`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await bearer("fern")) },
      body: JSON.stringify({ title: "tickets" })
    }).then((r) => r.json() as Promise<{ id: string }>)
    const forRoom = await ticket("fern", `/rooms/${room.id}`)
    // a ticket opens only the path it names
    expect((await refusal(`${server().ws}/uploads/${id}?ticket=${forRoom}`)).status).toBe(401)
    const roomTicket = await ticket("fern", `/rooms/${room.id}`)
    const member = await connect(`${server().ws}/rooms/${room.id}?ticket=${roomTicket}`)
    expect(await member.next((f) => f.type === "welcome")).toMatchObject({ userId: "fern" })
    member.close()
    expect((await refusal(`${server().ws}/rooms/${room.id}?ticket=${roomTicket}`)).status).toBe(401)
    // a ticket with another user's token: refused
    const mixed = await ticket("fern", `/rooms/${room.id}`)
    expect((await refusal(`${server().ws}/rooms/${room.id}?ticket=${mixed}`, { headers: await bearer("mallory") })).status).toBe(401)
    await cancel("fern", id)
  })
}
