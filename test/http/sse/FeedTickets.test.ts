/**
 * Feed tickets instead of `?token=` in URLs: `POST /feeds/tickets` trades a bearer token for an
 * opaque id valid 60 s, bound to the user and to the one feed path it names; `?ticket=<id>` then
 * opens that feed (again and again until it expires: EventSource reconnects reuse the URL).
 */
import { sign } from "hono/jwt"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { auth, type Harness, SECRET, startHarness } from "../queries/ReadSideHarness.ts"
import { connectSse } from "../queries/SseClient.ts"

const ticketFor = async (h: Harness, path: string, headers: Record<string, string>) =>
  fetch(`${h.origin}/feeds/tickets`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ path }) })

const issue = async (h: Harness, sub: string, path: string) => {
  const res = await ticketFor(h, path, await auth(sub))
  expect(res.status).toBe(201)
  return (await res.json()) as { ticket: string; path: string; expiresAt: string }
}

describe("tickets", () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ sseHeartbeatMillis: 200 })
    await h.createUpload("tess", "t-1", 1000)
    await h.createUpload("tess", "t-2", 1000)
  }, 60_000)
  afterAll(() => h?.stop())

  it("POST /feeds/tickets needs a bearer token and a feed path; it answers an opaque id valid 60 s", async () => {
    expect((await ticketFor(h, "/uploads/t-1/events", {})).status).toBe(401)
    // `/uploads/t-1` and `/rooms/r-1` are WebSocket paths (test/realtime/UploadFeedSuite.ts)
    for (const path of ["/etc/passwd", "/uploads/t-1/x", "/rooms/r-1/events", "/uploads/t-1/events?x=1", "/uploads/bad id/events", ""]) {
      const res = await ticketFor(h, path, await auth("tess"))
      expect(res.status, path).toBe(422)
      expect(((await res.json()) as any).error.code).toBe("VALIDATION_FAILED")
    }
    const before = Date.now()
    const t = await issue(h, "tess", "/uploads/t-1/events")
    expect(t.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(t.path).toBe("/uploads/t-1/events")
    const ttl = Date.parse(t.expiresAt) - before
    expect(ttl).toBeGreaterThan(58_000)
    expect(ttl).toBeLessThanOrEqual(61_000)
    const other = await issue(h, "tess", "/uploads/t-1/events")
    expect(other.ticket).not.toBe(t.ticket)
  })

  it("?ticket= opens its own path as its user, again on reconnect; not another path, not with another user's token", async () => {
    const { ticket } = await issue(h, "tess", "/uploads/t-1/events")
    const feed = await connectSse(`${h.origin}/uploads/t-1/events?ticket=${ticket}`, {})
    expect(feed.status).toBe(200)
    expect(await feed.next()).toMatchObject({ event: "snapshot", data: { upload: { id: "t-1" } } })
    feed.close()
    // EventSource reconnects with the same URL: the ticket still opens it
    const again = await connectSse(`${h.origin}/uploads/t-1/events?ticket=${ticket}`, {})
    expect(again.status).toBe(200)
    expect((await again.next())!.event).toBe("snapshot")
    again.close()

    for (const path of ["/uploads/t-2/events", "/videos/t-1/events"]) {
      const res = await fetch(`${h.origin}${path}?ticket=${ticket}`)
      expect(res.status, path).toBe(401)
      expect(((await res.json()) as any).error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/ticket/) })
    }
    // a ticket with someone else's bearer token: which user is it? refused
    const mixed = await fetch(`${h.origin}/uploads/t-1/events?ticket=${ticket}`, { headers: await auth("ivan") })
    expect(mixed.status).toBe(401)

    // ivan's ticket for tess's upload acts as ivan: not visible to him
    const ivans = await issue(h, "ivan", "/uploads/t-1/events")
    expect((await fetch(`${h.origin}/uploads/t-1/events?ticket=${ivans.ticket}`)).status).toBe(404)
    // an unknown or malformed ticket
    for (const bad of ["A".repeat(43), "not a ticket"]) {
      const res = await fetch(`${h.origin}/uploads/t-1/events?ticket=${encodeURIComponent(bad)}`)
      expect(res.status).toBe(401)
    }
  })

  it("a feed opened with a ticket still ends when the token that issued the ticket expires", async () => {
    const short = await sign({ sub: "tess", roles: ["user"], exp: Math.floor(Date.now() / 1000) + 2 }, SECRET, "HS256")
    const res = await ticketFor(h, "/uploads/t-2/events", { Authorization: `Bearer ${short}` })
    expect(res.status).toBe(201)
    const { ticket } = (await res.json()) as any
    const feed = await connectSse(`${h.origin}/uploads/t-2/events?ticket=${ticket}`, {})
    expect((await feed.next())!.event).toBe("snapshot")
    const end = (await feed.until((e) => e.event === "end", 6_000)).at(-1)!
    expect(end.data).toMatchObject({ reason: "token_expired", reconnect: true })
  }, 15_000)

  it("the OpenAPI document has POST /feeds/tickets and the feeds' ticket parameter", async () => {
    const doc = (await (await fetch(`${h.origin}/openapi.json`)).json()) as any
    const op = doc.paths["/feeds/tickets"]?.post
    expect(op).toBeDefined()
    expect(op.responses["201"]).toBeDefined()
    expect(op.requestBody.content["application/json"]).toBeDefined()
    for (const path of ["/uploads/{id}/events", "/videos/{id}/events"]) {
      const names = doc.paths[path].get.parameters.map((p: any) => p.name)
      expect(names).toEqual(expect.arrayContaining(["ticket", "token"]))
      const token = doc.paths[path].get.parameters.find((p: any) => p.name === "token")
      expect(JSON.stringify(token.schema)).toMatch(/discouraged/)
    }
  })
})

describe("ticket expiry", () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ sseHeartbeatMillis: 200, feeds: { ticketTtlMillis: 800 } })
    await h.createUpload("tess", "t-9", 1000)
  }, 60_000)
  afterAll(() => h?.stop())

  it("an expired ticket is 401", async () => {
    const { ticket } = await issue(h, "tess", "/uploads/t-9/events")
    const fresh = await connectSse(`${h.origin}/uploads/t-9/events?ticket=${ticket}`, {})
    expect(fresh.status).toBe(200)
    fresh.close()
    await new Promise((r) => setTimeout(r, 1_000))
    const res = await fetch(`${h.origin}/uploads/t-9/events?ticket=${ticket}`)
    expect(res.status).toBe(401)
    expect(((await res.json()) as any).error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/expired|unknown/) })
  }, 15_000)
})
