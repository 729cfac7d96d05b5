/**
 * A pushed live stream's feed, watched through real clients while it is pushed: SSE (`GET /streams/:id/events`,
 * the fetch-stream reader the upload feed tests use) and WebSocket (`ws://…/streams/:id`, the `ws` client) at
 * once, against the app as `npm start` composes it (PushServer.ts with the realtime listener, embedded store,
 * s3rver). A snapshot, an update as each PATCH lands and each part is stored, `state` at the end and at
 * finalization, then `end`; the WebSocket frames are the SSE messages one for one. Resumes, strangers, bad ids.
 */
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sign } from "hono/jwt"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ObjectStore } from "../../../src/objectstore/ObjectStore.ts"
import { streamStagingPrefix } from "../../../src/streams/StreamObjectKeys.ts"
import { type S3TestServer, startS3 } from "../../support/s3.ts"
import { connect, type Frame, refusal, type TestClient } from "../../realtime/RoomTestClient.ts"
import { connectSse, type SseEvent } from "../queries/SseClient.ts"
import { bearer, MiB, pushClient, type PushServer, SECRET, startPushServer } from "./PushServer.ts"

let s3: S3TestServer
let dataDir: string
let server: PushServer
let client: ReturnType<typeof pushClient>

beforeAll(async () => {
  s3 = await startS3()
  dataDir = await mkdtemp(join(tmpdir(), "kf-stream-feed-"))
  server = await startPushServer({ dataDir, s3, realtime: true, env: { STREAM_TIMEOUT_SECONDS: "60", PUSH_MAX_BODY_BYTES: String(4 * MiB) } })
  client = pushClient(server.origin)
}, 60_000)

afterAll(async () => {
  await server?.stop()
  await s3?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const create = async (sub: string) => {
  const res = await client.create(sub, { title: "feed" })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

const patch = async (sub: string, id: string, offset: number, bytes: Uint8Array) => {
  const res = await client.patch(sub, id, offset, bytes)
  expect(res.status, await res.clone().text()).toBe(204)
}

const token = async (sub: string) => (await bearer(sub)).Authorization.slice("Bearer ".length)
const wsUrl = async (id: string, sub: string, query = "") => `${server.ws}/streams/${id}?access_token=${await token(sub)}${query}`

/** The WebSocket frame an SSE message maps to. */
const asFrame = (e: SseEvent) => (e.id === undefined ? { type: e.event, data: e.data } : { type: e.event, id: e.id, data: e.data })

const framesUntil = async (c: TestClient, match: (f: Frame) => boolean, ms = 30_000) => {
  await c.next(match, ms)
  return c.frames.slice(0, c.frames.findIndex(match) + 1)
}

describe("a live stream's feed over SSE and WebSocket", () => {
  it("snapshot, an update per PATCH and per part, state at the end and at finalization, then end; the same frames on both; resumes", async () => {
    const data = randomBytes(7 * MiB)
    const id = await create("alice")
    const sse = await connectSse(`${server.origin}/streams/${id}/events`, await bearer("alice"))
    expect(sse.status).toBe(200)
    const ws = await connect(await wsUrl(id, "alice"))
    const snapshot = await ws.next((f) => f.type === "snapshot")
    expect(snapshot.data).toMatchObject({ stream: { id, ownerId: "alice", state: "live", bytesReceived: 0, partsUploaded: 0, lagBytes: 0 } })
    expect(snapshot.id).toBe(String(snapshot.data.position))

    await patch("alice", id, 0, data.subarray(0, 3 * MiB))
    const first = await ws.next((f) => f.type === "progress" && f.data.type === "StreamBytesReceived")
    expect(first.data.stream).toMatchObject({ state: "live", bytesReceived: 3 * MiB, bytesUploaded: 0, lagBytes: 3 * MiB, partsUploaded: 0 })
    expect(first.data.stream.lastGrowthAt).toBeGreaterThanOrEqual(snapshot.data.stream.startedAt)

    // past the 5 MiB chunk: the bytes, then the sealed part
    await patch("alice", id, 3 * MiB, data.subarray(3 * MiB, 6 * MiB))
    const part = await ws.next((f) => f.data?.type === "StreamPartUploaded", 30_000)
    expect(part.type).toBe("progress")
    expect(part.data.stream).toMatchObject({ bytesReceived: 6 * MiB, partsUploaded: 1, bytesUploaded: 5 * MiB, lagBytes: MiB })

    await patch("alice", id, 6 * MiB, data.subarray(6 * MiB))
    expect((await client.end("alice", id)).status).toBe(202)
    const frames = await framesUntil(ws, (f) => f.type === "end")
    expect(await ws.closed).toEqual({ code: 1000, reason: "finished" })
    const messages = await sse.until((e) => e.event === "end", 30_000)
    expect(await sse.next()).toBeUndefined()
    sse.close()

    // the WebSocket carries the SSE messages, one frame each, in the same order
    expect(frames).toEqual(messages.map(asFrame))
    expect(frames.filter((f) => f.type === "state").map((f) => f.data.stream.state)).toEqual(["ended", "finalized"])
    expect(frames.filter((f) => f.data?.type === "StreamBytesReceived").map((f) => f.data.stream.bytesReceived)).toEqual([3 * MiB, 6 * MiB, 7 * MiB])
    expect(frames.filter((f) => f.data?.type === "StreamPartUploaded").map((f) => f.data.stream.partsUploaded)).toEqual([1, 2])
    const finalized = frames.find((f) => f.type === "state" && f.data.stream.state === "finalized")!
    expect(finalized.data.stream).toMatchObject({ totalSize: data.length, bytesUploaded: data.length, lagBytes: 0, partsUploaded: 2 })
    expect(frames.at(-1)).toEqual({
      type: "end",
      data: { state: "finalized", reason: "finished", reconnect: false, failureReason: null, failureDetail: null }
    })
    // stored changes carry their global position as id, in order; the document is GET /streams/:id's
    const ids = frames.filter((f) => f.id !== undefined).map((f) => Number(f.id))
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    const doc = await (await client.get("alice", id)).json()
    expect({ ...finalized.data.stream, idleSeconds: doc.idleSeconds }).toEqual(doc)

    // resume after the snapshot: the stored changes after it (SSE with Last-Event-ID, WebSocket with since)
    const again = await connectSse(`${server.origin}/streams/${id}/events`, { ...await bearer("alice"), "Last-Event-ID": snapshot.id })
    expect((await again.until((e) => e.event === "end")).map(asFrame)).toEqual(frames.slice(1))
    again.close()
    const resumed = await connect(await wsUrl(id, "alice", `&since=${snapshot.id}`))
    expect(await framesUntil(resumed, (f) => f.type === "end")).toEqual(frames.slice(1))
    expect((await resumed.closed).code).toBe(1000)
    // after the last stored change of a finished stream: nothing more (204; the socket closes 1000 without a frame)
    const last = String(ids.at(-1))
    expect((await fetch(`${server.origin}/streams/${id}/events`, { headers: { ...await bearer("alice"), "Last-Event-ID": last } })).status).toBe(204)
    const done = await connect(await wsUrl(id, "alice", `&since=${last}`))
    expect(await done.closed).toEqual({ code: 1000, reason: "finished" })
    expect(done.frames).toEqual([])
    // a finished stream's feed without a resume point: its snapshot, then end at once
    const late = await connectSse(`${server.origin}/streams/${id}/events`, await bearer("alice"))
    expect((await late.until((e) => e.event === "end")).map((e) => e.event)).toEqual(["snapshot", "end"])
    late.close()
  }, 90_000)

  it("a stream that fails: a state message with its reason, then end with the failure; the socket closes 1000", async () => {
    const id = await create("ivan")
    const ws = await connect(await wsUrl(id, "ivan"))
    const sse = await connectSse(`${server.origin}/streams/${id}/events`, await bearer("ivan"))
    await ws.next((f) => f.type === "snapshot")
    await patch("ivan", id, 0, randomBytes(3 * MiB))
    // the staged bytes deleted behind the stream's back: sealing the first part fails it (source-vanished)
    await server.run(ObjectStore.use((s) => s.deletePrefix(streamStagingPrefix(id))))
    await patch("ivan", id, 3 * MiB, randomBytes(3 * MiB))
    const frames = await framesUntil(ws, (f) => f.type === "end")
    expect(await ws.closed).toEqual({ code: 1000, reason: "finished" })
    expect(frames.at(-2)).toMatchObject({ type: "state", data: { type: "StreamFailed", stream: { state: "failed", failureReason: "source-vanished" } } })
    expect(frames.at(-1)).toEqual({
      type: "end",
      data: { state: "failed", reason: "finished", reconnect: false, failureReason: "source-vanished", failureDetail: expect.stringMatching(/staged object/) }
    })
    expect((await sse.until((e) => e.event === "end")).map(asFrame)).toEqual(frames)
    sse.close()
  }, 30_000)

  it("owner and admins only: a stranger and an unknown id get the same 404 on both; no credential 401; a ticket opens its one path", async () => {
    const id = await create("carol")
    const sseOf = async (sid: string, headers: Record<string, string>) =>
      fetch(`${server.origin}/streams/${sid}/events`, { headers }).then(async (r) => ({ status: r.status, body: r.status === 200 ? (r.body?.cancel(), {}) : await r.json() }))
    expect(await sseOf(id, await bearer("mallory"))).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } })
    expect(await sseOf("no-such-stream", await bearer("carol"))).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } })
    expect((await sseOf(id, {})).status).toBe(401)
    expect(await refusal(await wsUrl(id, "mallory"))).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } })
    expect(await refusal(await wsUrl("no-such-stream", "carol"))).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } })
    expect(await refusal(await wsUrl("bad%20id", "carol"))).toMatchObject({ status: 404 })
    expect(await refusal(`${server.ws}/streams/${id}`)).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED" } } })
    expect(await refusal(await wsUrl(id, "carol", "&since=abc"))).toMatchObject({ status: 400, body: { error: { code: "INVALID_SINCE" } } })

    // an admin may watch anyone's stream
    const admin = await sign({ sub: "root", roles: ["admin"], exp: Math.floor(Date.now() / 1000) + 600 }, SECRET, "HS256")
    const watched = await connect(`${server.ws}/streams/${id}`, { headers: { Authorization: `Bearer ${admin}` } })
    expect((await watched.next((f) => f.type === "snapshot")).data.stream).toMatchObject({ id, ownerId: "carol" })
    watched.close()

    // tickets: the SSE path and the WebSocket path each open only themselves
    const ticket = async (path: string) => {
      const res = await fetch(`${server.origin}/feeds/tickets`, {
        method: "POST",
        headers: { ...await bearer("carol"), "Content-Type": "application/json" },
        body: JSON.stringify({ path })
      })
      expect(res.status).toBe(201)
      return ((await res.json()) as { ticket: string }).ticket
    }
    const forSse = await ticket(`/streams/${id}/events`)
    const viaTicket = await connectSse(`${server.origin}/streams/${id}/events?ticket=${forSse}`, {})
    expect((await viaTicket.next())?.event).toBe("snapshot")
    viaTicket.close()
    expect((await refusal(`${server.ws}/streams/${id}?ticket=${forSse}`)).status).toBe(401)
    const forWs = await ticket(`/streams/${id}`)
    const socket = await connect(`${server.ws}/streams/${id}?ticket=${forWs}`)
    expect((await socket.next((f) => f.type === "snapshot")).data.stream.id).toBe(id)
    socket.close()
    expect((await refusal(`${server.ws}/streams/${id}?ticket=${forWs}`)).status).toBe(401)
    expect((await client.end("carol", id)).status).toBe(202)
  }, 60_000)
})
