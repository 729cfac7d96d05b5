/**
 * Engagement over real HTTP against the real read models (actors, PGlite, memory read store, the
 * ProjectionRunner): views tied to signed playback sessions, ratings, comment threads, subscriptions and
 * the feed, storage statistics; every refusal is a typed JSON error that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { testPlaybackSessions } from "../../support/PlaybackSessions.ts"
import { auth, type Harness, startHarness } from "../queries/ReadSideHarness.ts"

const sessions = testPlaybackSessions()
let h: Harness
let last = 0

beforeAll(async () => {
  h = await startHarness({ playbackSessions: sessions.layer })
  await h.readyUpload("alice", "va-1", 1000)
  await h.readyUpload("alice", "va-2", 2000)
  await h.readyUpload("carol", "vc-1", 500)
  // bob's video is still processing: nobody else may see it
  await h.createUpload("bob", "vb-hidden", 300)
  last = await h.appendBytes("bob", "vb-hidden", 0, 300)
}, 60_000)
afterAll(() => h?.stop())

const json = async (res: Response) => (await res.json()) as any
const send = async (method: string, path: string, sub: string, body?: unknown, roles?: ReadonlyArray<string>, headers: Record<string, string> = {}) => {
  const res = await fetch(`${h.origin}${path}`, {
    method,
    headers: { ...(await auth(sub, roles)), ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
  })
  const position = Number(res.headers.get("Keyframe-Position") ?? 0)
  if (position > last) last = position
  return res
}
/** A read after every write so far. */
const read = async (path: string, sub: string, roles?: ReadonlyArray<string>) => h.get(path, sub, roles, { "Keyframe-Min-Position": String(last) })
const counts = async (videoId: string, sub = "bob") => json(await read(`/videos/${videoId}/engagement`, sub))
const expectError = async (res: Response, status: number, code: string) => {
  expect(res.status).toBe(status)
  expect((await json(res)).error.code).toBe(code)
}

describe("views", () => {
  it("counts a qualifying report once; a replayed session is not counted again", async () => {
    const session = sessions.mint({ videoId: "va-1", userId: "bob", issuedAt: Date.now() - 15_000 })
    const first = await send("POST", "/videos/va-1/views", "bob", { session, watchedSeconds: 12 })
    expect(first.status).toBe(200)
    expect(await json(first)).toMatchObject({ videoId: "va-1", counted: true, reason: null })
    const again = await send("POST", "/videos/va-1/views", "bob", { session, watchedSeconds: 14 })
    expect(await json(again)).toMatchObject({ counted: false, reason: "already_counted" })
    // a new session of the same viewer within the hour does not count either
    const second = sessions.mint({ videoId: "va-1", userId: "bob", issuedAt: Date.now() - 20_000 })
    expect(await json(await send("POST", "/videos/va-1/views", "bob", { session: second, watchedSeconds: 11 }))).toMatchObject({ counted: false })
    // another viewer counts
    const dave = sessions.mint({ videoId: "va-1", userId: "dave", issuedAt: Date.now() - 15_000 })
    expect(await json(await send("POST", "/videos/va-1/views", "dave", { session: dave, watchedSeconds: 10 }))).toMatchObject({ counted: true })
    expect((await counts("va-1")).views).toBe(2)
  })

  it("refuses forged, foreign and implausible reports, and counts nothing for them", async () => {
    const before = (await counts("va-2")).views
    const good = sessions.mint({ videoId: "va-2", userId: "erin", issuedAt: Date.now() - 30_000 })
    const [payload, signature] = good.split(".")
    const forgedPayload = Buffer.from(JSON.stringify({ videoId: "va-2", userId: "erin", sessionId: "x", issuedAt: 0, expiresAt: Date.now() + 60_000 })).toString("base64url")
    await expectError(await send("POST", "/videos/va-2/views", "erin", { session: `${forgedPayload}.${signature}`, watchedSeconds: 12 }), 403, "PLAYBACK_SESSION_INVALID")
    await expectError(await send("POST", "/videos/va-2/views", "erin", { session: `${payload}.${"A".repeat(43)}`, watchedSeconds: 12 }), 403, "PLAYBACK_SESSION_INVALID")
    await expectError(await send("POST", "/videos/va-2/views", "erin", { session: testPlaybackSessions("another-secret-0123456789abcdefgh").mint({ videoId: "va-2", userId: "erin", issuedAt: Date.now() - 30_000 }), watchedSeconds: 12 }), 403, "PLAYBACK_SESSION_INVALID")
    // a session for another video, or another user's session
    await expectError(await send("POST", "/videos/va-2/views", "erin", { session: sessions.mint({ videoId: "va-1", userId: "erin", issuedAt: Date.now() - 30_000 }), watchedSeconds: 12 }), 403, "PLAYBACK_SESSION_INVALID")
    await expectError(await send("POST", "/videos/va-2/views", "frank", { session: good, watchedSeconds: 12 }), 403, "PLAYBACK_SESSION_INVALID")
    // an expired session
    await expectError(await send("POST", "/videos/va-2/views", "erin", { session: sessions.mint({ videoId: "va-2", userId: "erin", issuedAt: Date.now() - 90_000, expiresAt: Date.now() - 1 }), watchedSeconds: 12 }), 403, "PLAYBACK_SESSION_INVALID")
    // 10 s watched two seconds after the session was minted
    const young = sessions.mint({ videoId: "va-2", userId: "erin", issuedAt: Date.now() - 2_000 })
    await expectError(await send("POST", "/videos/va-2/views", "erin", { session: young, watchedSeconds: 10 }), 422, "WATCH_TIME_IMPLAUSIBLE")
    // the clips are 4 s long: more than half of one (over 2 s) makes a view
    await expectError(await send("POST", "/videos/va-2/views", "erin", { session: good, watchedSeconds: 2 }), 422, "VIEW_NOT_QUALIFIED")
    await expectError(await send("POST", "/videos/va-2/views", "erin", { session: good, watchedSeconds: -1 }), 422, "VALIDATION_FAILED")
    await expectError(await send("POST", "/videos/va-2/views", "erin", { watchedSeconds: 12 }), 422, "VALIDATION_FAILED")
    await expectError(await send("POST", "/videos/va-2/views", "erin", "{not json"), 400, "INVALID_JSON")
    expect((await counts("va-2")).views).toBe(before)
    // the same good session still counts afterwards: the refusals left nothing behind
    expect(await json(await send("POST", "/videos/va-2/views", "erin", { session: good, watchedSeconds: 2.5 }))).toMatchObject({ counted: true })
    expect((await counts("va-2")).views).toBe(before + 1)
    expect((await catalogCounts("va-2", (d) => d.views === before + 1)).views).toBe(before + 1)
  })

  it("a video the viewer may not see is 404, whatever the session", async () => {
    const session = sessions.mint({ videoId: "vb-hidden", userId: "erin", issuedAt: Date.now() - 30_000 })
    await expectError(await send("POST", "/videos/vb-hidden/views", "erin", { session, watchedSeconds: 12 }), 404, "NOT_FOUND")
  })
})

/** `/videos/:id` as its owner reads it, once `done` holds (the videos read model folds the counts on its own). */
const catalogCounts = async (id: string, done: (doc: { views: number; likes: number; dislikes: number }) => boolean) => {
  for (let i = 0; i < 50; i++) {
    const doc = await json(await read(`/videos/${id}`, "alice"))
    if (done(doc)) return doc
    await new Promise((r) => setTimeout(r, 100))
  }
  return json(await read(`/videos/${id}`, "alice"))
}

describe("ratings", () => {
  it("one rating per user, changeable and idempotent; counts and my rating in the read model", async () => {
    const put = (sub: string, rating: string) => send("PUT", "/videos/va-1/rating", sub, { rating })
    expect(await json(await put("bob", "like"))).toMatchObject({ rating: "like", changed: true })
    expect(await json(await put("bob", "like"))).toMatchObject({ rating: "like", changed: false })
    await put("carol", "like")
    await put("dave", "dislike")
    expect(await counts("va-1", "bob")).toMatchObject({ likes: 2, dislikes: 1, myRating: "like" })
    await put("bob", "dislike")
    expect(await counts("va-1", "bob")).toMatchObject({ likes: 1, dislikes: 2, myRating: "dislike" })
    await put("bob", "none")
    expect(await counts("va-1", "bob")).toMatchObject({ likes: 1, dislikes: 1, myRating: "none" })
    expect((await counts("va-1", "carol")).myRating).toBe("like")
    // the catalog's document carries the counts too (what /videos sorts by)
    expect(await catalogCounts("va-1", (d) => d.likes === 1 && d.dislikes === 1)).toMatchObject({ likes: 1, dislikes: 1 })
    // and /videos/:id names the caller's own rating
    expect(await json(await read("/videos/va-1", "carol"))).toMatchObject({ myRating: "like", likes: 1 })
    expect(await json(await read("/videos/va-1", "bob"))).toMatchObject({ myRating: "none" })
    expect(await json(await read("/videos/va-1", "dave"))).toMatchObject({ myRating: "dislike" })
  })

  it("refuses a bad rating, and a video the caller may not see (404)", async () => {
    await expectError(await send("PUT", "/videos/va-1/rating", "bob", { rating: "love" }), 422, "VALIDATION_FAILED")
    await expectError(await send("PUT", "/videos/va-1/rating", "bob", { rating: "like" }, undefined, { "Content-Type": "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE")
    await expectError(await send("PUT", "/videos/vb-hidden/rating", "alice", { rating: "like" }), 404, "NOT_FOUND")
    await expectError(await send("PUT", "/videos/no-such/rating", "alice", { rating: "like" }), 404, "NOT_FOUND")
    await expectError(await read("/videos/vb-hidden/engagement", "alice"), 404, "NOT_FOUND")
    // the owner may rate their own unfinished video
    expect((await send("PUT", "/videos/vb-hidden/rating", "bob", { rating: "like" })).status).toBe(200)
    expect((await fetch(`${h.origin}/videos/va-1/rating`, { method: "PUT", body: "{}" })).status).toBe(401)
  })
})

describe("comments", () => {
  it("threads: a root, replies to it and to a reply; listed newest first, by thread, and as threads", async () => {
    const root = await json(await send("POST", "/videos/va-2/comments", "bob", { text: "  nice video " }))
    expect(root.id).toBe(root.threadId)
    const r1 = await json(await send("POST", "/videos/va-2/comments", "carol", { text: "agreed", parentId: root.id }))
    const r2 = await json(await send("POST", "/videos/va-2/comments", "bob", { text: "thanks", parentId: r1.id }))
    expect([r1.threadId, r2.threadId]).toEqual([root.id, root.id])
    const other = await json(await send("POST", "/videos/va-2/comments", "dave", { text: "second thread" }))
    const all = await json(await read("/videos/va-2/comments", "erin"))
    expect(all.items.map((c: any) => c.id)).toEqual([other.id, r2.id, r1.id, root.id])
    expect(all.items[3]).toMatchObject({ text: "nice video", authorId: "bob", parentId: null, replies: 1 })
    const thread = await json(await read(`/videos/va-2/comments?thread=${root.id}`, "erin"))
    expect(thread.items.map((c: any) => c.id)).toEqual([r2.id, r1.id, root.id])
    const threads = await json(await read("/videos/va-2/comments?view=threads", "erin"))
    expect(threads.items.map((c: any) => c.id)).toEqual([other.id, root.id])
    expect((await counts("va-2")).comments).toBe(4)

    // edit by the author only; delete by the video's owner keeps the thread's shape
    await expectError(await send("PATCH", `/videos/va-2/comments/${r1.id}`, "bob", { text: "hijack" }), 403, "FORBIDDEN")
    expect((await send("PATCH", `/videos/va-2/comments/${r1.id}`, "carol", { text: "agreed!" })).status).toBe(200)
    await expectError(await send("DELETE", `/videos/va-2/comments/${r1.id}`, "dave"), 403, "FORBIDDEN")
    expect(await json(await send("DELETE", `/videos/va-2/comments/${r1.id}`, "alice"))).toMatchObject({ changed: true })
    expect(await json(await send("DELETE", `/videos/va-2/comments/${r1.id}`, "alice"))).toMatchObject({ changed: false })
    await expectError(await send("POST", "/videos/va-2/comments", "bob", { text: "to a deleted one", parentId: r1.id }), 409, "COMMENT_DELETED")
    const after = await json(await read(`/videos/va-2/comments?thread=${root.id}`, "erin"))
    expect(after.items.find((c: any) => c.id === r1.id)).toMatchObject({ deleted: true, text: null })
    expect(after.items.find((c: any) => c.id === r2.id)).toMatchObject({ parentId: r1.id, text: "thanks" })
    expect((await counts("va-2")).comments).toBe(3)
    // admins may delete any comment
    expect((await send("DELETE", `/videos/va-2/comments/${other.id}`, "root", undefined, ["admin"])).status).toBe(200)
  })

  it("refuses too long or empty text, an unknown parent, bad ids, and hidden videos; nothing is posted", async () => {
    const before = (await counts("vc-1")).comments
    await expectError(await send("POST", "/videos/vc-1/comments", "bob", { text: "x".repeat(2001) }), 422, "COMMENT_TEXT_INVALID")
    await expectError(await send("POST", "/videos/vc-1/comments", "bob", { text: "   " }), 422, "COMMENT_TEXT_INVALID")
    await expectError(await send("POST", "/videos/vc-1/comments", "bob", { text: "hi", parentId: "no-such-comment" }), 422, "PARENT_NOT_FOUND")
    await expectError(await send("POST", "/videos/vc-1/comments", "bob", { text: "hi", parentId: "bad id!" }), 422, "VALIDATION_FAILED")
    await expectError(await send("POST", "/videos/vc-1/comments", "bob", { text: 42 }), 422, "VALIDATION_FAILED")
    await expectError(await send("PATCH", "/videos/vc-1/comments/nope", "bob", { text: "x" }), 404, "NOT_FOUND")
    await expectError(await send("POST", "/videos/vb-hidden/comments", "alice", { text: "hi" }), 404, "NOT_FOUND")
    await expectError(await read("/videos/vb-hidden/comments", "alice"), 404, "NOT_FOUND")
    await expectError(await read("/videos/vc-1/comments?view=sideways", "alice"), 422, "VALIDATION_FAILED")
    expect((await counts("vc-1")).comments).toBe(before)
  })

  it("an Idempotency-Key makes a retried post land once", async () => {
    const headers = { "Idempotency-Key": "post-1" }
    const a = await json(await send("POST", "/videos/vc-1/comments", "dave", { text: "once" }, undefined, headers))
    const b = await json(await send("POST", "/videos/vc-1/comments", "dave", { text: "once" }, undefined, headers))
    expect(b.id).toBe(a.id)
    const list = await json(await read("/videos/vc-1/comments", "dave"))
    expect(list.items.filter((c: any) => c.text === "once")).toHaveLength(1)
  })
})

describe("subscriptions and the feed", () => {
  it("subscribe, count, feed of the followed creators' videos newest first, unsubscribe", async () => {
    expect(await json(await send("PUT", "/me/subscriptions/alice", "gina"))).toMatchObject({ creatorId: "alice", subscribed: true, changed: true })
    expect(await json(await send("PUT", "/me/subscriptions/alice", "gina"))).toMatchObject({ changed: false })
    await send("PUT", "/me/subscriptions/carol", "gina")
    await send("PUT", "/me/subscriptions/bob", "gina")
    await send("PUT", "/me/subscriptions/alice", "hank")
    expect(await json(await read("/creators/alice", "gina"))).toMatchObject({ creatorId: "alice", subscribers: 2, subscribedByMe: true })
    expect(await json(await read("/creators/carol", "hank"))).toMatchObject({ subscribers: 1, subscribedByMe: false })
    const mine = await json(await read("/me/subscriptions", "gina"))
    expect(mine.items.map((f: any) => f.creatorId)).toEqual(["bob", "carol", "alice"])
    const feed = await json(await read("/me/feed", "gina"))
    // bob's only video is not ready: not in anyone's feed
    expect(feed.items.map((v: any) => v.id)).toEqual(["vc-1", "va-2", "va-1"])
    expect((await json(await read("/me/feed?limit=1", "gina"))).items.map((v: any) => v.id)).toEqual(["vc-1"])
    await send("DELETE", "/me/subscriptions/carol", "gina")
    expect((await json(await read("/me/feed", "gina"))).items.map((v: any) => v.id)).toEqual(["va-2", "va-1"])
    expect(await json(await send("DELETE", "/me/subscriptions/carol", "gina"))).toMatchObject({ changed: false })
    expect((await json(await read("/creators/carol", "gina"))).subscribers).toBe(0)
  })

  it("refuses a self-subscription and bad ids", async () => {
    await expectError(await send("PUT", "/me/subscriptions/gina", "gina"), 422, "SELF_SUBSCRIPTION")
    await expectError(await send("PUT", "/me/subscriptions/bad%20id", "gina"), 422, "VALIDATION_FAILED")
    await expectError(await read("/me/feed?limit=0", "gina"), 422, "VALIDATION_FAILED")
  })
})

describe("storage statistics", () => {
  it("your bytes by kind; admins see totals and the users storing the most", async () => {
    const alice = await json(await read("/me/storage", "alice"))
    expect(alice).toMatchObject({ userId: "alice", originalsBytes: 3000, uploads: 2, complete: true })
    const bob = await json(await read("/me/storage", "bob"))
    expect(bob).toMatchObject({ originalsBytes: 300, uploads: 1 })
    await expectError(await read("/storage/stats", "alice"), 403, "FORBIDDEN")
    const stats = await json(await read("/storage/stats", "root", ["admin"]))
    expect(stats.totals).toMatchObject({ originalsBytes: 3800, uploads: 4 })
    expect(stats.byUser.map((u: any) => u.userId)).toEqual(["alice", "carol", "bob"])
    expect(stats.complete).toBe(true)
  })
})

describe("documentation", () => {
  it("every engagement route is in /openapi.json", async () => {
    const doc = await json(await fetch(`${h.origin}/openapi.json`))
    for (const [path, method] of [
      ["/videos/{id}/views", "post"],
      ["/videos/{id}/rating", "put"],
      ["/videos/{id}/comments", "get"],
      ["/videos/{id}/comments", "post"],
      ["/videos/{id}/comments/{commentId}", "patch"],
      ["/videos/{id}/comments/{commentId}", "delete"],
      ["/videos/{id}/engagement", "get"],
      ["/me/subscriptions/{creatorId}", "put"],
      ["/me/subscriptions/{creatorId}", "delete"],
      ["/me/subscriptions", "get"],
      ["/creators/{creatorId}", "get"],
      ["/me/feed", "get"],
      ["/me/storage", "get"],
      ["/storage/stats", "get"]
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined()
      expect(doc.paths[path][method].summary).not.toBe("undocumented")
    }
  })
})

describe("a process without a playback-session verifier", () => {
  it("answers views with 503 PLAYBACK_SESSIONS_UNAVAILABLE and counts nothing", async () => {
    const bare = await startHarness()
    try {
      const position = await bare.readyUpload("alice", "vx-1", 100)
      const res = await fetch(`${bare.origin}/videos/vx-1/views`, {
        method: "POST",
        headers: { ...(await auth("bob")), "Content-Type": "application/json" },
        body: JSON.stringify({ session: sessions.mint({ videoId: "vx-1", userId: "bob", issuedAt: Date.now() - 20_000 }), watchedSeconds: 12 })
      })
      expect(res.status).toBe(503)
      expect((await json(res)).error.code).toBe("PLAYBACK_SESSIONS_UNAVAILABLE")
      const counts = await json(await bare.get(`/videos/vx-1/engagement?minPosition=${position}`, "bob"))
      expect(counts.views).toBe(0)
    } finally {
      await bare.stop()
    }
  }, 30_000)
})

describe("bad input on the engagement queries", () => {
  it("each query refuses malformed parameters with 422 VALIDATION_FAILED and needs a token", async () => {
    for (const path of [
      "/videos/bad%20id/engagement",
      "/videos/va-1/engagement?minPosition=abc",
      "/videos/va-1/comments?limit=1000",
      "/videos/va-1/comments?thread=bad%20id",
      "/creators/bad%20id",
      "/me/subscriptions?limit=0",
      "/me/feed?limit=101",
      "/me/storage?minPosition=-1"
    ]) {
      const res = await h.get(path, "bob")
      expect(res.status, path).toBe(422)
      expect((await json(res)).error.code, path).toBe("VALIDATION_FAILED")
      expect((await fetch(`${h.origin}${path}`)).status, path).toBe(401)
    }
    await expectError(await h.get("/storage/stats?minPosition=x", "root", ["admin"]), 422, "VALIDATION_FAILED")
  })
})
