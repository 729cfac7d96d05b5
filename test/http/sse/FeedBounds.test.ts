/**
 * Live feeds are bounded (README "Security"): at most FEED_MAX_PER_USER open feeds per user and
 * FEED_MAX_PER_IP per client address (429 past either), and a feed ends with `event: end` (and a
 * reason that tells the client to reconnect) after FEED_MAX_LIFETIME_SECONDS or when its token
 * expires. Real HTTP through the app, real event store.
 */
import { sign } from "hono/jwt"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Harness, SECRET, startHarness, token } from "../queries/ReadSideHarness.ts"
import { connectSse, type SseConnection } from "../queries/SseClient.ts"

const bearer = async (sub: string) => ({ Authorization: `Bearer ${await token(sub)}` })

/** A token that expires `seconds` from now. */
const shortToken = (sub: string, seconds: number) => sign({ sub, roles: ["user"], exp: Math.floor(Date.now() / 1000) + seconds }, SECRET, "HS256")

/** Retries `open` until it answers 200: a closed feed's slot is freed once the server sees the disconnect. */
const eventually200 = async (open: () => Promise<SseConnection>, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const feed = await open()
    if (feed.status === 200 || Date.now() > deadline) return feed
    feed.close()
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe("open feeds per user and per address", () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ sseHeartbeatMillis: 200, feeds: { maxPerUser: 2, maxPerIp: 3 } })
    await h.createUpload("alice", "cap-a", 1000)
    await h.createUpload("bert", "cap-b", 1000)
  }, 60_000)
  afterAll(() => h?.stop())

  it("the (cap+1)th feed of a user is 429 TOO_MANY_FEEDS; the address cap counts every user from it; a closed feed frees its slot", async () => {
    const url = (id: string) => `${h.origin}/uploads/${id}/events`
    const a1 = await connectSse(url("cap-a"), await bearer("alice"))
    const a2 = await connectSse(url("cap-a"), await bearer("alice"))
    expect([a1.status, a2.status]).toEqual([200, 200])
    expect((await a1.next())!.event).toBe("snapshot")

    const a3 = await fetch(url("cap-a"), { headers: await bearer("alice") })
    expect(a3.status).toBe(429)
    expect(a3.headers.get("content-type")).toMatch(/^application\/json/)
    const body = (await a3.json()) as any
    expect(body.error.code).toBe("TOO_MANY_FEEDS")
    expect(body.error.message).toMatch(/FEED_MAX_PER_USER/)

    // bert holds one feed: three from this address, the address cap
    const b1 = await connectSse(url("cap-b"), await bearer("bert"))
    expect(b1.status).toBe(200)
    const b2 = await fetch(url("cap-b"), { headers: await bearer("bert") })
    expect(b2.status).toBe(429)
    const b2Body = (await b2.json()) as any
    expect(b2Body.error.code).toBe("TOO_MANY_FEEDS")
    expect(b2Body.error.message).toMatch(/FEED_MAX_PER_IP/)

    // alice closes one: she (and the address) has room for one more again
    a1.close()
    const again = await eventually200(async () => connectSse(url("cap-a"), await bearer("alice")))
    expect(again.status).toBe(200)
    expect((await again.next())!.event).toBe("snapshot")
    for (const f of [a2, b1, again]) f.close()
  }, 30_000)

  it("a feed ends with `event: end` (reason token_expired, reconnect) when its token expires", async () => {
    const started = Date.now()
    const feed = await eventually200(async () => connectSse(`${h.origin}/uploads/cap-a/events?token=${await shortToken("alice", 2)}`, {}))
    expect(feed.status).toBe(200)
    expect((await feed.next())!.event).toBe("snapshot")
    const messages = await feed.until((e) => e.event === "end", 6_000)
    const end = messages.at(-1)!
    expect(end.id).toBeUndefined() // a resume goes on from the last stored event
    expect(end.data).toMatchObject({ reason: "token_expired", reconnect: true })
    expect(typeof end.data.message).toBe("string")
    expect(Date.now() - started).toBeGreaterThanOrEqual(900) // not before the token's exp (whole seconds)
    expect(await feed.next()).toBeUndefined() // the stream is closed
  }, 15_000)
})

describe("feed lifetime", () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ sseHeartbeatMillis: 200, feeds: { maxLifetimeSeconds: 1 } })
    await h.createUpload("carl", "life-1", 1000)
  }, 60_000)
  afterAll(() => h?.stop())

  it("after FEED_MAX_LIFETIME_SECONDS the feed sends `event: end` (reason lifetime, reconnect) and closes; a resume goes on", async () => {
    const headers = await bearer("carl")
    const started = Date.now()
    const feed = await connectSse(`${h.origin}/uploads/life-1/events`, headers)
    const snapshot = (await feed.next())!
    expect(snapshot.event).toBe("snapshot")
    const end = (await feed.until((e) => e.event === "end", 5_000)).at(-1)!
    expect(end.data).toMatchObject({ reason: "lifetime", reconnect: true })
    expect(end.id).toBeUndefined()
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(await feed.next()).toBeUndefined()

    // the upload is not finished: resuming after the lifetime end is a new feed, not 204
    await h.appendBytes("carl", "life-1", 0, 100)
    const resumed = await connectSse(`${h.origin}/uploads/life-1/events`, { ...headers, "Last-Event-ID": snapshot.id! })
    expect(resumed.status).toBe(200)
    expect(await resumed.next()).toMatchObject({ event: "state", data: { type: "BytesReceived" } })
    resumed.close()
  }, 15_000)
})
