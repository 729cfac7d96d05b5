/** The ticket store's scopes: an SSE feed's ticket opens its path until it expires; a WebSocket path's ticket opens one connection. */
import { describe, expect, it } from "vitest"
import { FEED_PATH, makeFeedTicketStore } from "../../src/auth/FeedTickets.ts"

const actor = { userId: "tess", roles: ["user" as const] }

describe("feed tickets", () => {
  it("an SSE path's ticket is reusable until it expires; a WebSocket path's is spent by its first use; neither opens another path", () => {
    let now = 1_000_000
    const store = makeFeedTicketStore({ ttlMillis: 60_000, now: () => now })
    const sse = store.issue({ actor, path: "/uploads/u1/events", tokenExpiresAt: undefined })
    expect(store.redeem(sse.id, "/uploads/u1/events")).toMatchObject({ actor, path: "/uploads/u1/events" })
    expect(store.redeem(sse.id, "/uploads/u1/events")).toMatchObject({ actor })
    expect(store.redeem(sse.id, "/uploads/u1")).toMatch(/another path/)

    for (const path of ["/uploads/u1", "/rooms/r1"]) {
      const ws = store.issue({ actor, path, tokenExpiresAt: undefined })
      expect(store.redeem(ws.id, "/rooms/other")).toMatch(/another path/)
      expect(store.redeem(ws.id, path)).toMatchObject({ actor, path })
      expect(store.redeem(ws.id, path)).toMatch(/used/)
    }
    now += 60_001
    expect(store.redeem(sse.id, "/uploads/u1/events")).toMatch(/expired/)
  })

  it("never outlives the token that asked for it", () => {
    const store = makeFeedTicketStore({ ttlMillis: 60_000, now: () => 0 })
    expect(store.issue({ actor, path: "/rooms/r1", tokenExpiresAt: 5_000 }).expiresAt).toBe(5_000)
  })

  it("names only feed and WebSocket paths", () => {
    for (const ok of ["/uploads/a/events", "/videos/a/events", "/uploads/a", "/rooms/a"]) expect(FEED_PATH.test(ok), ok).toBe(true)
    for (const bad of ["/videos/a", "/rooms/a/events", "/uploads/a/x", "/files/a", "/uploads/", "/uploads/a b"]) expect(FEED_PATH.test(bad), bad).toBe(false)
  })
})
