/**
 * HTTP push of live streams through a real server (the app as `npm start` composes it, embedded event store,
 * s3rver): bytes pushed in PATCHes of varying size are sealed into parts and finalized into an original
 * byte-identical to what was sent; the protocol's refusals (409, 413, 415, 404, 410) change nothing; a restart
 * between PATCHes resumes; an idle pushed stream ends on its own.
 */
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ObjectStore } from "../../../src/objectstore/ObjectStore.ts"
import { streamStagingPrefix } from "../../../src/streams/StreamObjectKeys.ts"
import { type S3TestServer, startS3 } from "../../support/s3.ts"
import { sign } from "hono/jwt"
import { bearer, MiB, pushClient, type PushServer, SECRET, sha256, startPushServer, waitForState } from "./PushServer.ts"

const ENV = { STREAM_TIMEOUT_SECONDS: "3", PUSH_MAX_BODY_BYTES: String(4 * MiB) }
let s3: S3TestServer
let dataDir: string
let server: PushServer
let client: ReturnType<typeof pushClient>

beforeAll(async () => {
  s3 = await startS3()
  dataDir = await mkdtemp(join(tmpdir(), "kf-push-"))
  server = await startPushServer({ dataDir, s3, env: ENV })
  client = pushClient(server.origin)
}, 60_000)

afterAll(async () => {
  await server?.stop()
  await s3?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const create = async (sub: string, title?: string) => {
  const res = await client.create(sub, title === undefined ? {} : { title })
  expect(res.status).toBe(201)
  const body = await res.json()
  expect(res.headers.get("Location")).toBe(`/streams/${body.id}`)
  return body as { id: string; offset: number; chunkSizeBytes: number; maxBodyBytes: number }
}

/** PATCHes `bytes` in pieces of the given sizes; each answer must be 204 with the new Stream-Offset. */
const pushAll = async (sub: string, id: string, bytes: Uint8Array, sizes: ReadonlyArray<number>, from = 0) => {
  let offset = from
  for (const size of sizes) {
    const res = await client.patch(sub, id, offset, bytes.subarray(offset, offset + size))
    expect(res.status, await res.clone().text()).toBe(204)
    offset += size
    expect(res.headers.get("Stream-Offset")).toBe(String(offset))
  }
  return offset
}

const partsOf = async (id: string) =>
  (await server.events(id)).filter((e) => e.type === "StreamPartUploaded").map((e) => [e.data.partNumber, e.data.offset, e.data.size])

describe("HTTP push", () => {
  it("6 PATCHes of varying size, then end: parts sealed, finalized, the original is the bytes sent", async () => {
    const data = randomBytes(Math.round(12.3 * MiB))
    const sizes = [MiB / 3, 3 * MiB, 17, 2.5 * MiB, 4 * MiB].map(Math.round)
    sizes.push(data.length - sizes.reduce((a, b) => a + b, 0))
    const stream = await create("alice", "Pushed")
    expect(stream).toMatchObject({ offset: 0, chunkSizeBytes: 5 * MiB, maxBodyBytes: 4 * MiB })
    await pushAll("alice", stream.id, data, sizes)
    const end = await client.end("alice", stream.id)
    expect(end.status).toBe(202)
    expect(await end.json()).toMatchObject({ id: stream.id, changed: true, offset: data.length })
    const done = await waitForState(server.origin, "alice", stream.id, "finalized")
    expect(done).toMatchObject({ bytesReceived: data.length, sha256: sha256(data), totalSize: data.length })
    expect(await partsOf(stream.id)).toEqual([[1, 0, 5 * MiB], [2, 5 * MiB, 5 * MiB], [3, 10 * MiB, data.length - 10 * MiB]])
    expect(await server.object(`originals/${stream.id}`)).toEqual({ sha256: sha256(data), size: data.length })
    // staging is dropped once the original is whole
    expect(await server.staged(stream.id)).toEqual([])
    expect((await server.events(stream.id)).find((e) => e.type === "StreamEnded")?.data.reason).toBe("explicit")
    // ending again changes nothing; a PATCH after the end is refused
    expect(await (await client.end("alice", stream.id)).json()).toMatchObject({ changed: false })
    const late = await client.patch("alice", stream.id, data.length, new Uint8Array(10))
    expect(late.status).toBe(410)
    expect((await late.json()).error.code).toBe("STREAM_FINALIZED")
  }, 90_000)

  it("a wrong offset is 409 with the offset to continue at, and nothing is written", async () => {
    const { id } = await create("bob")
    await pushAll("bob", id, randomBytes(1000), [1000])
    const revision = await server.revision(id)
    const staged = await server.staged(id)
    for (const offset of [0, 999, 1001, 5000]) {
      const res = await client.patch("bob", id, offset, randomBytes(300))
      expect(res.status).toBe(409)
      expect(res.headers.get("Stream-Offset")).toBe("1000")
      expect((await res.json()).error.code).toBe("OFFSET_MISMATCH")
    }
    expect(await server.revision(id)).toBe(revision)
    expect(await server.staged(id)).toEqual(staged)
    // tus's Upload-Offset is accepted as the same header
    const tus = await fetch(`${server.origin}/streams/${id}`, {
      method: "PATCH",
      headers: { ...await bearer("bob"), "Content-Type": "application/offset+octet-stream", "Upload-Offset": "1000" },
      body: new Uint8Array(24)
    })
    expect(tus.status).toBe(204)
    expect(tus.headers.get("Stream-Offset")).toBe("1024")
  })

  it("bad requests change nothing: 413 (announced and streamed), 415, 400, 404 for someone else's stream", async () => {
    const { id } = await create("carol")
    await pushAll("carol", id, randomBytes(10), [10])
    const revision = await server.revision(id)
    const staged = await server.staged(id)
    const tooLong = await client.patch("carol", id, 10, new Uint8Array(4 * MiB + 1))
    expect(tooLong.status).toBe(413)
    expect((await tooLong.json()).error.code).toBe("PUSH_BODY_TOO_LARGE")
    // no Content-Length (chunked): cut off while streaming, nothing kept; the server stops reading (as tus's PATCH
    // does), so the client sees the 413 or, still sending, the connection closed
    const chunks = [new Uint8Array(3 * MiB), new Uint8Array(2 * MiB)]
    const streamed = await fetch(`${server.origin}/streams/${id}`, {
      method: "PATCH",
      headers: { ...await bearer("carol"), "Content-Type": "application/offset+octet-stream", "Stream-Offset": "10" },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift()
          if (next === undefined) controller.close()
          else controller.enqueue(next)
        }
      }),
      duplex: "half"
    } as RequestInit).catch((e: Error) => e)
    if (streamed instanceof Response) expect(streamed.status).toBe(413)
    else expect(String(streamed.cause)).toMatch(/ECONNRESET|EPIPE|other side closed|socket/)
    const wrongType = await client.patch("carol", id, 10, new Uint8Array(5), { "Content-Type": "application/octet-stream" })
    expect(wrongType.status).toBe(415)
    const noOffset = await fetch(`${server.origin}/streams/${id}`, {
      method: "PATCH",
      headers: { ...await bearer("carol"), "Content-Type": "application/offset+octet-stream" },
      body: new Uint8Array(5)
    })
    expect(noOffset.status).toBe(400)
    expect((await noOffset.json()).error.code).toBe("MISSING_HEADER")
    for (const res of [
      await client.patch("mallory", id, 10, new Uint8Array(5)),
      await client.end("mallory", id),
      await client.get("mallory", id),
      await client.patch("carol", "no-such-stream", 0, new Uint8Array(5))
    ]) {
      expect(res.status).toBe(404)
    }
    const unauthenticated = await fetch(`${server.origin}/streams`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })
    expect(unauthenticated.status).toBe(401)
    expect((await client.create("carol", "x".repeat(501))).status).toBe(422)
    expect(await server.revision(id)).toBe(revision)
    expect(await server.staged(id)).toEqual(staged)
    expect(await (await client.get("carol", id)).json()).toMatchObject({ state: "live", bytesReceived: 10 })
  })

  it("two PATCHes at the same offset at once: one is stored, the other waits and gets 409", async () => {
    const { id } = await create("dave")
    const [a, b] = await Promise.all([client.patch("dave", id, 0, randomBytes(2 * MiB)), client.patch("dave", id, 0, randomBytes(2 * MiB))])
    expect([a.status, b.status].sort()).toEqual([204, 409])
    expect(await server.staged(id)).toEqual([`stream-staging/${id}/0000000000000000:${2 * MiB}`])
    expect((await server.events(id)).filter((e) => e.type === "StreamBytesReceived")).toHaveLength(1)
  })

  it("an ended stream takes no more bytes (410), and an idle one ends by the timeout and is finalized", async () => {
    const ended = await create("erin")
    await pushAll("erin", ended.id, randomBytes(100), [100])
    expect((await client.end("erin", ended.id)).status).toBe(202)
    const late = await client.patch("erin", ended.id, 100, new Uint8Array(10))
    expect(late.status).toBe(410)
    expect(["STREAM_NOT_LIVE", "STREAM_FINALIZED"]).toContain((await late.json()).error.code)

    const idle = await create("erin")
    const data = randomBytes(MiB)
    await pushAll("erin", idle.id, data, [MiB])
    const done = await waitForState(server.origin, "erin", idle.id, "finalized", 20_000)
    expect(done).toMatchObject({ sha256: sha256(data), totalSize: MiB, endReason: "timeout" })
  }, 30_000)

  it("staged bytes deleted behind the stream's back fail it with a readable reason; later PATCHes are 410", async () => {
    const { id } = await create("ivan")
    const data = randomBytes(6 * MiB)
    await pushAll("ivan", id, data, [3 * MiB])
    await server.run(ObjectStore.use((s) => s.deletePrefix(streamStagingPrefix(id))))
    await pushAll("ivan", id, data, [3 * MiB], 3 * MiB)
    const failed = await waitForState(server.origin, "ivan", id, "failed", 20_000)
    expect(failed).toMatchObject({ failureReason: "source-vanished" })
    expect(failed.failureDetail).toMatch(/no staged object holds byte 0/)
    const late = await client.patch("ivan", id, 6 * MiB, new Uint8Array(10))
    expect(late.status).toBe(410)
    expect((await late.json()).error.code).toBe("STREAM_FAILED")
  }, 30_000)

  it("a push that crosses the owner's weekly quota fails the stream at that chunk in the quota's words; later PATCHes are 410", async () => {
    const admin = `Bearer ${await sign({ sub: "root", roles: ["user", "admin"], exp: Math.floor(Date.now() / 1000) + 600 }, SECRET, "HS256")}`
    const limit = await fetch(`${server.origin}/admin/users/quinn/quota-limit`, {
      method: "PUT",
      headers: { Authorization: admin, "Content-Type": "application/json" },
      body: JSON.stringify({ limitBytes: 8 * MiB })
    })
    expect(limit.status, await limit.clone().text()).toBe(200)
    const { id } = await create("quinn")
    const data = randomBytes(12 * MiB)
    // the first 5 MiB part fits, the second would end at 10 MiB of an 8 MiB week
    await pushAll("quinn", id, data, [4 * MiB, 4 * MiB, 3 * MiB])
    const failed = await waitForState(server.origin, "quinn", id, "failed", 20_000)
    expect(failed).toMatchObject({ failureReason: "quota-exceeded", partsUploaded: 1 })
    expect(failed.failureDetail).toMatch(/^Weekly upload quota exceeded/)
    const late = await client.patch("quinn", id, 11 * MiB, data.subarray(11 * MiB))
    expect(late.status).toBe(410)
    expect((await late.json()).error.code).toBe("STREAM_FAILED")
    // the failed stream's reservation is given back (the quota read model follows)
    const reserved = async () => (await (await fetch(`${server.origin}/me/quota`, { headers: await bearer("quinn") })).json()).reservedBytes
    for (const until = Date.now() + 10_000; (await reserved()) !== 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 200))
    expect(await reserved()).toBe(0)
  }, 30_000)

  it("CORS: pages on other origins may push (preflights answered, Stream-Offset readable), and read the stream", async () => {
    const { id } = await create("cora")
    const origin = { Origin: "https://recorder.example" }
    const preflight = await fetch(`${server.origin}/streams/${id}`, {
      method: "OPTIONS",
      headers: { ...origin, "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization, content-type, stream-offset" }
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*")
    expect(preflight.headers.get("Access-Control-Allow-Methods")).toContain("PATCH")
    expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("stream-offset")
    for (const path of ["/streams", `/streams/${id}/end`]) {
      expect((await fetch(`${server.origin}${path}`, { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "POST" } })).status).toBe(204)
    }
    const patched = await client.patch("cora", id, 0, new Uint8Array(10), origin)
    expect(patched.status).toBe(204)
    expect(patched.headers.get("Access-Control-Allow-Origin")).toBe("*")
    expect(patched.headers.get("Access-Control-Expose-Headers")).toContain("Stream-Offset")
    const read = await fetch(`${server.origin}/streams/${id}`, { headers: { ...await bearer("cora"), ...origin } })
    expect(read.status).toBe(200)
    expect(read.headers.get("Access-Control-Allow-Origin")).toBe("*")
    // a path that is no stream route stays 404, preflight or not
    expect((await fetch(`${server.origin}/streams/${id}/nope`, { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "PATCH" } })).status).toBe(404)
  })

  it("the push routes are in the OpenAPI document", async () => {
    const doc = await (await fetch(`${server.origin}/openapi.json`)).json()
    expect(Object.keys(doc.paths["/streams"])).toContain("post")
    expect(Object.keys(doc.paths["/streams/{id}"])).toEqual(expect.arrayContaining(["get", "patch"]))
    expect(doc.paths["/streams/{id}"].patch.responses).toHaveProperty("409")
    expect(Object.keys(doc.paths["/streams/{id}/end"])).toContain("post")
  })

  it("a restart between PATCHes resumes the stream from its events", async () => {
    const data = randomBytes(11 * MiB)
    const { id } = await create("frank")
    let offset = await pushAll("frank", id, data, [3 * MiB, 3 * MiB])
    // the first part (5 MiB) is sealed before the restart
    while ((await partsOf(id)).length < 1) await new Promise((r) => setTimeout(r, 50))
    await server.stop()
    server = await startPushServer({ dataDir, s3, env: ENV })
    client = pushClient(server.origin)
    expect(await (await client.get("frank", id)).json()).toMatchObject({ state: "live", bytesReceived: 6 * MiB, partsUploaded: 1 })
    const stale = await client.patch("frank", id, 3 * MiB, data.subarray(3 * MiB, 4 * MiB))
    expect(stale.status).toBe(409)
    offset = await pushAll("frank", id, data, [2 * MiB, 3 * MiB], offset)
    expect((await client.end("frank", id)).status).toBe(202)
    const done = await waitForState(server.origin, "frank", id, "finalized")
    expect(done).toMatchObject({ sha256: sha256(data), totalSize: offset })
    expect(await partsOf(id)).toEqual([[1, 0, 5 * MiB], [2, 5 * MiB, 5 * MiB], [3, 10 * MiB, MiB]])
    expect(await server.object(`originals/${id}`)).toEqual({ sha256: sha256(data), size: data.length })
  }, 90_000)
})

describe("HTTP push after a restart without a request", () => {
  it("the engines of unfinished pushed streams resume at start: an idle one still times out and is finalized", async () => {
    const idle = await create("hana")
    const bytes = randomBytes(MiB)
    await pushAll("hana", idle.id, bytes, [MiB])
    // stopped well before STREAM_TIMEOUT_SECONDS (3): no engine ended it
    expect((await server.events(idle.id)).map((e) => e.type)).not.toContain("StreamEnded")
    await server.stop()
    server = await startPushServer({ dataDir, s3, env: ENV })
    client = pushClient(server.origin)
    // no PATCH and no end after the restart: only the engine resumed at start can finish it
    const done = await waitForState(server.origin, "hana", idle.id, "finalized", 20_000)
    expect(done).toMatchObject({ sha256: sha256(bytes), endReason: "timeout" })
  }, 60_000)
})
