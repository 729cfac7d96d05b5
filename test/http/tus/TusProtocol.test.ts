/** The tus protocol over real HTTP with raw requests: discovery, headers, errors, checksum, termination, expiry, cut-short bodies. */
import { createHash } from "node:crypto"
import { request } from "node:http"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../../src/domain/quota/QuotaAggregate.ts"
import { UploadAggregate } from "../../../src/domain/upload/UploadAggregate.ts"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import {
  b64,
  createRaw,
  headRaw,
  idOf,
  metadata,
  MiB,
  patchRaw,
  randomBytes,
  sha256,
  stagedBytes,
  startTusServer,
  tusHeaders,
  type TusServer
} from "./TusServer.ts"

let server: TusServer
const MAX = 64 * MiB

beforeAll(async () => {
  server = await startTusServer({ settings: { maxFileSizeBytes: MAX } })
})
afterAll(() => server?.stop())

const digest = (alg: "sha1" | "sha256", bytes: Uint8Array) => createHash(alg).update(bytes).digest("base64")

const jsonError = async (res: Response) => {
  expect(res.headers.get("content-type")).toMatch(/application\/json/)
  expect(res.headers.get("Tus-Resumable")).toBe("1.0.0")
  return ((await res.json()) as { error: { code: string; message: string; [k: string]: unknown } }).error
}

/** Events this user caused anywhere (quota or upload streams). */
const eventsOf = (userId: string) =>
  server.runtime.runPromise(
    EventStore.use((store) => store.readAll({ maxCount: 100_000 })).pipe(
      Effect.map((events) => events.filter((e) => e.metadata.userId === userId || e.stream === `quota-${userId}`))
    )
  )

const quotaOf = (userId: string) =>
  server.runtime.runPromise(ActorSystem.use((a) => a.current(QuotaAggregate, userId))).then((r) => r.state)

describe("discovery and protocol checks", () => {
  it("OPTIONS lists version, extensions, max size and checksum algorithms without a token", async () => {
    const res = await fetch(server.endpoint, { method: "OPTIONS" })
    expect(res.status).toBe(204)
    expect(res.headers.get("Tus-Version")).toBe("1.0.0")
    expect(res.headers.get("Tus-Extension")).toBe("creation,creation-with-upload,expiration,checksum,termination")
    expect(res.headers.get("Tus-Max-Size")).toBe(String(MAX))
    expect(res.headers.get("Tus-Checksum-Algorithm")).toBe("sha1,sha256")
    expect(res.headers.get("Tus-Resumable")).toBe("1.0.0")
  })

  it("answers a CORS preflight and exposes the tus headers to browsers", async () => {
    const res = await fetch(`${server.endpoint}/x`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "PATCH" }
    })
    expect(res.status).toBe(204)
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*")
    expect(res.headers.get("Access-Control-Allow-Headers")).toContain("Upload-Offset")
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("Upload-Offset")
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("Location")
  })

  it("lets a browser read the tus headers of discovery and of answers with a token, and allows every tus request header", async () => {
    const origin = { Origin: "https://app.example" }
    const preflight = await fetch(server.endpoint, {
      method: "OPTIONS",
      headers: { ...origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "upload-length,tus-resumable" }
    })
    for (const h of ["Upload-Length", "Upload-Metadata", "Upload-Checksum", "Tus-Resumable", "Authorization", "X-HTTP-Method-Override"]) {
      expect(preflight.headers.get("Access-Control-Allow-Headers")).toContain(h)
    }
    expect(preflight.headers.get("Access-Control-Allow-Methods")).toContain("PATCH")
    expect(preflight.headers.get("Tus-Resumable")).toBe("1.0.0")
    const discovery = await fetch(server.endpoint, { method: "OPTIONS", headers: origin })
    expect(discovery.status).toBe(204)
    expect(discovery.headers.get("Tus-Version")).toBe("1.0.0")
    expect(discovery.headers.get("Access-Control-Allow-Origin")).toBe("*")
    const head = await fetch(`${server.endpoint}/no-such-upload`, { method: "HEAD", headers: { ...origin, ...(await tusHeaders("cora")) } })
    expect(head.status).toBe(404)
    expect(head.headers.get("Access-Control-Allow-Origin")).toBe("*")
    for (const h of ["Upload-Offset", "Upload-Length", "Upload-Expires", "Tus-Resumable", "Location", "Upload-Metadata"]) {
      expect(head.headers.get("Access-Control-Expose-Headers")).toContain(h)
    }
    // OPTIONS off the tus routes is not answered as a preflight
    expect((await fetch(`${server.endpoint}/a/b`, { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "PATCH" } })).status).toBe(404)
  })

  it("no token is a 401 JSON error with Tus-Resumable, on every method", async () => {
    for (const [method, url] of [["POST", server.endpoint], ["HEAD", `${server.endpoint}/a`], ["PATCH", `${server.endpoint}/a`], [
      "DELETE",
      `${server.endpoint}/a`
    ]] as const) {
      const res = await fetch(url, { method, headers: { "Tus-Resumable": "1.0.0", "Upload-Length": "10" } })
      expect(res.status, method).toBe(401)
      expect(res.headers.get("Tus-Resumable")).toBe("1.0.0")
      if (method !== "HEAD") expect((await jsonError(res)).code).toBe("UNAUTHORIZED")
    }
  })

  it("a missing or unsupported Tus-Resumable is 412 with Tus-Version", async () => {
    for (const version of [undefined, "0.2.2"]) {
      const headers = await tusHeaders("alice", { "Upload-Length": "10", "Upload-Metadata": metadata() })
      if (version === undefined) delete (headers as Record<string, string>)["Tus-Resumable"]
      else headers["Tus-Resumable"] = version
      const res = await fetch(server.endpoint, { method: "POST", headers })
      expect(res.status).toBe(412)
      expect(res.headers.get("Tus-Version")).toBe("1.0.0")
      expect((await jsonError(res)).code).toBe("TUS_VERSION_UNSUPPORTED")
    }
  })

  it("a PATCH with another content type is 415", async () => {
    const url = await createRaw(server, "alice", 10)
    const res = await fetch(url, {
      method: "PATCH",
      headers: await tusHeaders("alice", { "Content-Type": "application/octet-stream", "Upload-Offset": "0" }),
      body: new Uint8Array(10)
    })
    expect(res.status).toBe(415)
    expect((await jsonError(res)).code).toBe("UNSUPPORTED_MEDIA_TYPE")
  })
})

describe("creation", () => {
  it("creates with Location, Upload-Expires, and a quota reservation; HEAD shows offset 0", async () => {
    const res = await fetch(server.endpoint, {
      method: "POST",
      headers: await tusHeaders("carl", { "Upload-Length": "1000", "Upload-Metadata": metadata("My Clip.MP4", "video/mp4") })
    })
    expect(res.status).toBe(201)
    const url = res.headers.get("Location")!
    expect(url).toMatch(new RegExp(`^${server.endpoint}/[0-9a-f-]{36}$`))
    expect(new Date(res.headers.get("Upload-Expires")!).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000)
    const head = await headRaw(url, "carl")
    expect(head.status).toBe(200)
    expect(head.headers.get("Upload-Offset")).toBe("0")
    expect(head.headers.get("Upload-Length")).toBe("1000")
    expect(head.headers.get("Cache-Control")).toBe("no-store")
    expect(head.headers.get("Upload-Metadata")).toBe(`filename ${b64("My Clip.MP4")},filetype ${b64("video/mp4")}`)
    expect(head.headers.get("Upload-Expires")).toBeTruthy()
    const quota = await quotaOf("carl")
    expect(quota.status === "Tracked" && quota.reservations.map((r) => [r.uploadId, r.bytes])).toEqual([[idOf(url), 1000]])
  })

  const bad: ReadonlyArray<readonly [string, Record<string, string>, number, string]> = [
    ["non-numeric Upload-Length", { "Upload-Length": "12abc", "Upload-Metadata": metadata() }, 400, "INVALID_HEADER"],
    ["negative Upload-Length", { "Upload-Length": "-5", "Upload-Metadata": metadata() }, 400, "INVALID_HEADER"],
    ["missing Upload-Length", { "Upload-Metadata": metadata() }, 400, "MISSING_HEADER"],
    ["zero Upload-Length", { "Upload-Length": "0", "Upload-Metadata": metadata() }, 400, "EMPTY_UPLOAD"],
    ["Upload-Length over the max size", { "Upload-Length": String(MAX + 1), "Upload-Metadata": metadata() }, 413, "FILE_TOO_LARGE"],
    ["malformed Upload-Metadata", { "Upload-Length": "10", "Upload-Metadata": "filename not*base64!" }, 400, "INVALID_METADATA"],
    ["metadata without a filename", { "Upload-Length": "10", "Upload-Metadata": `filetype ${b64("video/mp4")}` }, 400, "INVALID_METADATA"],
    ["a duplicate metadata key", { "Upload-Length": "10", "Upload-Metadata": `${metadata()},filename ${b64("b.mp4")}` }, 400, "INVALID_METADATA"],
    ["a bad filetype", { "Upload-Length": "10", "Upload-Metadata": metadata("a.mp4", "not a type") }, 400, "INVALID_METADATA"],
    ["Upload-Defer-Length", { "Upload-Defer-Length": "1", "Upload-Metadata": metadata() }, 400, "DEFER_LENGTH_UNSUPPORTED"],
    ["a name that is not a video", { "Upload-Length": "10", "Upload-Metadata": metadata("notes.txt", "text/plain") }, 422, "UNSUPPORTED_FORMAT"],
    ["a body of another type", { "Upload-Length": "10", "Upload-Metadata": metadata(), "Content-Type": "text/plain" }, 415, "UNSUPPORTED_MEDIA_TYPE"]
  ]
  for (const [what, headers, status, code] of bad) {
    it(`${what} → ${status} ${code}, nothing created`, async () => {
      const user = `bad-${code.toLowerCase()}-${status}-${Math.random().toString(36).slice(2, 8)}`
      const res = await fetch(server.endpoint, {
        method: "POST",
        headers: await tusHeaders(user, headers),
        ...(headers["Content-Type"] ? { body: "hello body" } : {})
      })
      expect(res.status).toBe(status)
      const error = await jsonError(res)
      expect(error.code).toBe(code)
      expect(res.headers.get("Location")).toBeNull()
      expect(await eventsOf(user)).toEqual([])
    })
  }

  it("over the max size, the 413 also says how much quota is left and when it resets", async () => {
    const res = await fetch(server.endpoint, {
      method: "POST",
      headers: await tusHeaders("dora", { "Upload-Length": String(MAX + 1), "Upload-Metadata": metadata() })
    })
    const error = await jsonError(res)
    expect(error).toMatchObject({ code: "FILE_TOO_LARGE", remainingBytes: 4 * 1024 * MiB, maxFileSizeBytes: MAX })
    expect(new Date(error.resetsAt as string).getTime()).toBeGreaterThan(Date.now())
  })

  it("creation-with-upload stores the first bytes and answers their offset", async () => {
    const bytes = randomBytes(3 * MiB)
    const res = await fetch(server.endpoint, {
      method: "POST",
      headers: await tusHeaders("erin", {
        "Upload-Length": String(5 * MiB),
        "Upload-Metadata": metadata(),
        "Content-Type": "application/offset+octet-stream",
        "Upload-Checksum": `sha256 ${digest("sha256", bytes)}`
      }),
      body: new Uint8Array(bytes)
    })
    expect(res.status).toBe(201)
    expect(res.headers.get("Upload-Offset")).toBe(String(3 * MiB))
    const url = res.headers.get("Location")!
    expect((await headRaw(url, "erin")).headers.get("Upload-Offset")).toBe(String(3 * MiB))
    expect((await stagedBytes(server, idOf(url))).sha256).toBe(sha256(bytes))
  })
})

describe("PATCH", () => {
  it("appends at the offset; the last byte makes the upload received (GET /uploads/:id)", async () => {
    const bytes = randomBytes(2 * MiB)
    const url = await createRaw(server, "fred", bytes.length)
    const first = await patchRaw(url, "fred", 0, bytes.subarray(0, MiB))
    expect(first.status).toBe(204)
    expect(first.headers.get("Upload-Offset")).toBe(String(MiB))
    expect(first.headers.get("Upload-Expires")).toBeTruthy()
    // Read-your-writes: the PATCH names the position it wrote; a query waiting for it sees the bytes.
    const position = Number(first.headers.get("Keyframe-Position"))
    expect(position).toBeGreaterThan(0)
    const status = await fetch(`${server.origin}/uploads/${idOf(url)}`, {
      headers: { ...(await tusHeaders("fred")), "Keyframe-Min-Position": String(position) }
    })
    expect(await status.json()).toMatchObject({ status: "receiving", offset: MiB, size: 2 * MiB, filename: "clip.mp4" })
    const second = await patchRaw(url, "fred", MiB, bytes.subarray(MiB), { "Upload-Checksum": `sha1 ${digest("sha1", bytes.subarray(MiB))}` })
    expect(second.status).toBe(204)
    expect(second.headers.get("Upload-Offset")).toBe(String(2 * MiB))
    expect(second.headers.get("Upload-Expires")).toBeNull()
    const done = await fetch(`${server.origin}/uploads/${idOf(url)}`, { headers: await tusHeaders("fred") })
    expect(await done.json()).toMatchObject({ status: "received", offset: 2 * MiB, size: 2 * MiB })
    const staged = await stagedBytes(server, idOf(url))
    expect(staged.sha256).toBe(sha256(bytes))
    expect(staged.keys.map((k) => k.split("/").pop())).toEqual(["0000000000000000", String(MiB).padStart(16, "0")])
  })

  it("a stale offset is 409 and changes nothing", async () => {
    const url = await createRaw(server, "gina", 100)
    expect((await patchRaw(url, "gina", 0, new Uint8Array(40))).status).toBe(204)
    const stale = await patchRaw(url, "gina", 0, new Uint8Array(40))
    expect(stale.status).toBe(409)
    expect((await jsonError(stale)).code).toBe("OFFSET_MISMATCH")
    expect((await headRaw(url, "gina")).headers.get("Upload-Offset")).toBe("40")
  })

  it("a wrong checksum is 460: bytes discarded, offset unchanged; an unknown algorithm is 400", async () => {
    const url = await createRaw(server, "hank", 100)
    const body = randomBytes(60)
    const wrong = await patchRaw(url, "hank", 0, body, { "Upload-Checksum": `sha256 ${digest("sha256", new Uint8Array(60))}` })
    expect(wrong.status).toBe(460)
    expect((await jsonError(wrong)).code).toBe("CHECKSUM_MISMATCH")
    expect((await headRaw(url, "hank")).headers.get("Upload-Offset")).toBe("0")
    expect((await stagedBytes(server, idOf(url))).keys).toEqual([])
    const unknown = await patchRaw(url, "hank", 0, body, { "Upload-Checksum": `md5 ${digest("sha1", body)}` })
    expect(unknown.status).toBe(400)
    expect((await jsonError(unknown)).code).toBe("CHECKSUM_ALGORITHM_UNSUPPORTED")
    const right = await patchRaw(url, "hank", 0, body, { "Upload-Checksum": `sha256 ${digest("sha256", body)}` })
    expect(right.status).toBe(204)
    const events = await server.runtime.runPromise(ActorSystem.use((a) => a.current(UploadAggregate, idOf(url))))
    expect(events.state).toMatchObject({ status: "Receiving", receivedBytes: 60 })
  })

  it("a body longer than what is left is 413 and stores nothing", async () => {
    const url = await createRaw(server, "ivan", 100)
    const res = await patchRaw(url, "ivan", 0, new Uint8Array(101))
    expect(res.status).toBe(413)
    expect((await jsonError(res)).code).toBe("UPLOAD_SIZE_EXCEEDED")
    expect((await headRaw(url, "ivan")).headers.get("Upload-Offset")).toBe("0")
  })

  it("bad Upload-Offset headers are 400", async () => {
    const url = await createRaw(server, "jane", 100)
    for (const offset of ["", "-1", "1.5", "x"]) {
      const res = await patchRaw(url, "jane", 0, new Uint8Array(1), { "Upload-Offset": offset })
      expect(res.status).toBe(400)
    }
  })

  it("a body cut short records the bytes that arrived; the client resumes from there", async () => {
    const bytes = randomBytes(8 * MiB)
    const url = await createRaw(server, "kate", bytes.length)
    const auth = await tusHeaders("kate")
    await new Promise<void>((resolve) => {
      const req = request(url, {
        method: "PATCH",
        headers: { ...auth, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0", "Content-Length": String(bytes.length) }
      })
      req.on("error", () => resolve())
      req.write(bytes.subarray(0, 3 * MiB), () => setTimeout(() => req.destroy(), 200))
    })
    let offset = 0
    for (let i = 0; i < 50 && offset === 0; i++) {
      await new Promise((r) => setTimeout(r, 50))
      offset = Number((await headRaw(url, "kate")).headers.get("Upload-Offset"))
    }
    expect(offset).toBeGreaterThan(0)
    expect(offset).toBeLessThanOrEqual(3 * MiB)
    expect((await stagedBytes(server, idOf(url))).sha256).toBe(sha256(bytes.subarray(0, offset)))
    expect((await patchRaw(url, "kate", offset, bytes.subarray(offset))).status).toBe(204)
    expect((await stagedBytes(server, idOf(url))).sha256).toBe(sha256(bytes))
  })
})

describe("ownership and termination", () => {
  it("another user's HEAD, PATCH, DELETE and GET /uploads/:id are 404; an admin may look", async () => {
    const url = await createRaw(server, "lena", 100)
    expect((await headRaw(url, "mallory")).status).toBe(404)
    const patch = await patchRaw(url, "mallory", 0, new Uint8Array(10))
    expect(patch.status).toBe(404)
    expect((await jsonError(patch)).code).toBe("UPLOAD_NOT_FOUND")
    const del = await fetch(url, { method: "DELETE", headers: await tusHeaders("mallory") })
    expect(del.status).toBe(404)
    const get = await fetch(`${server.origin}/uploads/${idOf(url)}`, { headers: await tusHeaders("mallory") })
    expect(get.status).toBe(404)
    const missing = await fetch(`${server.origin}/uploads/no-such-upload`, { headers: await tusHeaders("mallory") })
    expect(missing.status).toBe(404)
    expect((await get.json()).error.code).toBe((await missing.json()).error.code)
    expect((await headRaw(url, "root", ["admin"])).status).toBe(200)
    expect((await headRaw(url, "lena")).headers.get("Upload-Offset")).toBe("0")
  })

  it("DELETE cancels, releases the quota and deletes the bytes; then PATCH is 410 and DELETE again 204", async () => {
    const url = await createRaw(server, "nina", 100)
    expect((await patchRaw(url, "nina", 0, new Uint8Array(30))).status).toBe(204)
    const del = await fetch(url, { method: "DELETE", headers: await tusHeaders("nina") })
    expect(del.status).toBe(204)
    expect(del.headers.get("Tus-Resumable")).toBe("1.0.0")
    const quota = await quotaOf("nina")
    expect(quota.status === "Tracked" && quota.reservations).toEqual([])
    expect((await stagedBytes(server, idOf(url))).keys).toEqual([])
    const patch = await patchRaw(url, "nina", 30, new Uint8Array(10))
    expect(patch.status).toBe(410)
    expect((await jsonError(patch)).code).toBe("UPLOAD_GONE")
    expect((await headRaw(url, "nina")).status).toBe(410)
    expect((await fetch(url, { method: "DELETE", headers: await tusHeaders("nina") })).status).toBe(204)
    const view = await fetch(`${server.origin}/uploads/${idOf(url)}`, { headers: await tusHeaders("nina") })
    expect(await view.json()).toMatchObject({ status: "cancelled", offset: null })
  })

  it("X-HTTP-Method-Override: POST acts as PATCH", async () => {
    const url = await createRaw(server, "otto", 10)
    const res = await fetch(url, {
      method: "POST",
      headers: await tusHeaders("otto", {
        "X-HTTP-Method-Override": "PATCH",
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": "0"
      }),
      body: new Uint8Array(10)
    })
    expect(res.status).toBe(204)
    expect(res.headers.get("Upload-Offset")).toBe("10")
  })

  it("GET /uploads/:id shows the reason of a failed upload", async () => {
    const url = await createRaw(server, "pia", 10)
    const id = idOf(url)
    await server.runtime.runPromise(
      ActorSystem.use((a) =>
        a.send(UploadAggregate, id, {
          command: { _tag: "FailUpload", uploadId: id, reason: "The file is not a video." },
          actor: { userId: "system", roles: ["system"] }
        })
      )
    )
    const res = await fetch(`${server.origin}/uploads/${id}`, { headers: await tusHeaders("pia") })
    expect(await res.json()).toMatchObject({ id, status: "failed", reason: "The file is not a video.", offset: null })
  })
})

describe("expiration", () => {
  it("an upload past Upload-Expires is expired on access: 410, quota released, bytes gone", async () => {
    // a second app with a half-second expiry, on the same event store (no second PGlite to start)
    const store = await server.runtime.runPromise(EventStore.use(Effect.succeed))
    const quick = await startTusServer({ settings: { uploadExpiryHours: 0.5 / 3600 }, eventStore: Layer.succeed(EventStore, store) })
    try {
      const url = await createRaw(quick, "quinn", 100)
      expect((await patchRaw(url, "quinn", 0, new Uint8Array(10))).status).toBe(204)
      await new Promise((r) => setTimeout(r, 700))
      const head = await headRaw(url, "quinn")
      expect(head.status).toBe(410)
      const patch = await patchRaw(url, "quinn", 10, new Uint8Array(10))
      expect(patch.status).toBe(410)
      const quota = await quick.runtime.runPromise(ActorSystem.use((a) => a.current(QuotaAggregate, "quinn")))
      expect(quota.state.status === "Tracked" && quota.state.reservations).toEqual([])
      expect((await stagedBytes(quick, idOf(url))).keys).toEqual([])
      const view = await fetch(`${quick.origin}/uploads/${idOf(url)}`, { headers: await tusHeaders("quinn") })
      expect(await view.json()).toMatchObject({ status: "expired" })
    } finally {
      await quick.stop()
    }
  })
})
