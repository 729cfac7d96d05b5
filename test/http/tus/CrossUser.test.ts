/**
 * One user cannot disturb another's upload: while the owner's PATCH trickles its body over a real
 * connection, another user's (or an admin's) PATCH, HEAD and DELETE are 404s that leave it alone;
 * only the owner's own newer request, or an admin's termination, may take the upload over.
 */
import { request } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  createRaw,
  headRaw,
  idOf,
  MiB,
  patchRaw,
  randomBytes,
  sha256,
  stagedBytes,
  startTusServer,
  token,
  tusHeaders,
  type TusServer
} from "./TusServer.ts"

let server: TusServer

beforeAll(async () => {
  server = await startTusServer()
})
afterAll(() => server?.stop())

type PatchEnd = { readonly status: number; readonly offset: string | undefined } | { readonly error: string }

/** A PATCH whose body goes out 64 KiB every `everyMs` over node:http, until `done` (its answer, or how the connection broke). */
const trickle = async (url: string, user: string, bytes: Uint8Array, everyMs = 60) => {
  const auth = await tusHeaders(user)
  let sent = 0
  let ended = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const done = new Promise<PatchEnd>((resolve) => {
    const finish = (end: PatchEnd) => {
      ended = true
      clearTimeout(timer)
      resolve(end)
    }
    const req = request(url, {
      method: "PATCH",
      headers: { ...auth, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0", "Content-Length": String(bytes.length) }
    })
    req.on("response", (res) => {
      res.resume()
      res.on("end", () => finish({ status: res.statusCode ?? 0, offset: res.headers["upload-offset"] as string | undefined }))
    })
    req.on("error", (e) => finish({ error: e.message }))
    const pump = () => {
      if (ended) return
      if (sent >= bytes.length) return void req.end()
      const chunk = bytes.subarray(sent, sent + 64 * 1024)
      sent += chunk.length
      req.write(chunk, () => {
        timer = setTimeout(pump, everyMs)
      })
    }
    pump()
  })
  return { done, sent: () => sent, ended: () => ended }
}

/** Waits until the trickling PATCH has sent `bytes` (and is still in flight). */
const untilSent = async (patch: { sent: () => number; ended: () => boolean }, bytes: number) => {
  while (patch.sent() < bytes && !patch.ended()) await new Promise((r) => setTimeout(r, 10))
  expect(patch.ended()).toBe(false)
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error

describe("another user's requests during the owner's PATCH", () => {
  it("another user's PATCH, HEAD and DELETE (and an admin's PATCH) are 404 like a missing upload; the owner's PATCH completes", async () => {
    const bytes = randomBytes(3 * MiB)
    const url = await createRaw(server, "owner-a", bytes.length)
    const missing = `${server.endpoint}/no-such-upload-${crypto.randomUUID()}`
    const owner = await trickle(url, "owner-a", bytes)
    await untilSent(owner, 512 * 1024)

    for (const [user, roles] of [["intruder", ["user"]], ["root", ["admin"]]] as const) {
      const bearer = { Authorization: `Bearer ${await token(user, roles)}` }
      const patch = await patchRaw(url, user, 0, new Uint8Array(16), bearer)
      const patchMissing = await patchRaw(missing, user, 0, new Uint8Array(16), bearer)
      expect(patch.status).toBe(404)
      expect(patchMissing.status).toBe(404)
      expect((await errorOf(patch)).code).toBe((await errorOf(patchMissing)).code)
    }
    expect((await headRaw(url, "intruder")).status).toBe(404)
    const del = await fetch(url, { method: "DELETE", headers: await tusHeaders("intruder") })
    const delMissing = await fetch(missing, { method: "DELETE", headers: await tusHeaders("intruder") })
    expect(del.status).toBe(404)
    const delError = await errorOf(del)
    expect(delError.code).toBe((await errorOf(delMissing)).code)
    expect(delError.code).toMatch(/NOT_FOUND$/)
    const overridden = await fetch(url, { method: "POST", headers: await tusHeaders("intruder", { "X-HTTP-Method-Override": "DELETE" }) })
    expect(overridden.status).toBe(404)
    // all of that happened while the owner's body was still on its way
    expect(owner.ended() ? await owner.done : "in flight").toBe("in flight")

    expect(await owner.done).toEqual({ status: 204, offset: String(bytes.length) })
    const staged = await stagedBytes(server, idOf(url))
    expect(staged.size).toBe(bytes.length)
    expect(staged.sha256).toBe(sha256(bytes))
    expect((await headRaw(url, "owner-a")).headers.get("Upload-Offset")).toBe(String(bytes.length))
  })

  it("an admin's DELETE still terminates an upload whose PATCH is in flight", async () => {
    const bytes = randomBytes(3 * MiB)
    const url = await createRaw(server, "owner-b", bytes.length)
    const owner = await trickle(url, "owner-b", bytes)
    await untilSent(owner, 512 * 1024)
    const del = await fetch(url, { method: "DELETE", headers: await tusHeaders("root", {}, ["admin"]) })
    expect(del.status).toBe(204)
    const end = await owner.done
    expect(end).not.toEqual({ status: 204, offset: String(bytes.length) })
    expect((await headRaw(url, "owner-b")).status).toBe(410)
    expect((await stagedBytes(server, idOf(url))).keys).toEqual([])
  })

  it("the owner's own newer request takes over: the PATCH in flight keeps what arrived, the client resumes from there", async () => {
    const bytes = randomBytes(3 * MiB)
    const url = await createRaw(server, "owner-c", bytes.length)
    const owner = await trickle(url, "owner-c", bytes)
    await untilSent(owner, 512 * 1024)
    // A stale offset: answered only once the old request let go and recorded its bytes.
    const takeover = await patchRaw(url, "owner-c", 0, new Uint8Array(0))
    expect(takeover.status).toBe(409)
    expect((await errorOf(takeover)).code).toBe("OFFSET_MISMATCH")
    const end = await owner.done
    expect(end).not.toEqual({ status: 204, offset: String(bytes.length) })
    const offset = Number((await headRaw(url, "owner-c")).headers.get("Upload-Offset"))
    expect(offset).toBeGreaterThan(0)
    expect(offset).toBeLessThan(bytes.length)
    expect((await stagedBytes(server, idOf(url))).sha256).toBe(sha256(bytes.subarray(0, offset)))
    const rest = await patchRaw(url, "owner-c", offset, bytes.subarray(offset))
    expect(rest.status).toBe(204)
    expect((await stagedBytes(server, idOf(url))).sha256).toBe(sha256(bytes))
  })
})
