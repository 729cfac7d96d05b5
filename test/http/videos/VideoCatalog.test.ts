/**
 * The video catalog over real HTTP against the read models the runner builds: private by default, the
 * owner's edits (with bad input refused and nothing changed), visibility, publishing, admin takedowns,
 * deletion, categories, filters and sorts; another user's private video is 404 everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Harness, startHarness } from "../queries/ReadSideHarness.ts"

let h: Harness
const admin = ["user", "admin"] as const
beforeAll(async () => {
  h = await startHarness({ waitMillis: 3_000 })
  await h.readyUpload("alice", "v-priv", 1000, "private")
  await h.readyUpload("alice", "v-pub", 1000, "public")
  await h.readyUpload("bob", "v-bob", 1000, "public")
  await h.readyUpload("alice", "v-unl", 1000, "unlisted")
  for (const [slug, name] of [["music", "Music"], ["gaming", "Gaming"]]) {
    expect((await h.request("POST", "/admin/categories", "root", admin, { slug, name })).status).toBe(200)
  }
}, 60_000)
afterAll(() => h?.stop())

const json = async (res: Response) => (await res.json()) as any
const ids = (body: any): Array<string> => body.items.map((v: any) => v.id).sort()
/** Reads after a command's answer: waits for its position. */
const after = (res: Response) => ({ "Keyframe-Min-Position": res.headers.get("Keyframe-Position") ?? "0" })
const get = (path: string, sub: string, roles?: ReadonlyArray<string>, headers?: Record<string, string>) => h.get(path, sub, roles, headers)

describe("visibility", () => {
  it("a new video is private: its owner and admins see it, others get 404 and do not list it", async () => {
    const doc = await json(await get("/videos/v-priv", "alice"))
    expect(doc).toMatchObject({ id: "v-priv", status: "ready", visibility: "private", published: true, takenDown: false, category: null, views: 0, likes: 0, dislikes: 0 })
    expect((await get("/videos/v-priv", "root", admin)).status).toBe(200)
    const other = await get("/videos/v-priv", "bob")
    expect(other.status).toBe(404)
    expect((await json(other)).error.code).toBe("NOT_FOUND")
    expect(ids(await json(await get("/videos?limit=100", "bob")))).toEqual(["v-bob", "v-pub"])
    expect(ids(await json(await get("/videos?owner=me", "alice")))).toEqual(["v-priv", "v-pub", "v-unl"])
    expect(ids(await json(await get("/videos?owner=alice", "bob")))).toEqual(["v-pub"])
    expect(ids(await json(await get("/videos?limit=100", "root", admin)))).toEqual(["v-bob", "v-priv", "v-pub", "v-unl"])
    // nor may they follow its live feed; a public one they may
    expect((await get("/videos/v-priv/events", "bob")).status).toBe(404)
    const feed = new AbortController()
    const pub = await fetch(`${h.origin}/videos/v-pub/events`, { headers: await (await import("../queries/ReadSideHarness.ts")).auth("bob"), signal: feed.signal })
    expect([pub.status, pub.headers.get("content-type")]).toEqual([200, expect.stringContaining("text/event-stream")])
    feed.abort()
  })

  it("an unlisted video is reachable by id but not listed", async () => {
    expect((await get("/videos/v-unl", "bob")).status).toBe(200)
    expect(ids(await json(await get("/videos?owner=alice", "bob")))).not.toContain("v-unl")
  })

  it("another user cannot change a private video (404) nor a public one (403 NOT_OWNER)", async () => {
    const hidden = await h.request("PATCH", "/videos/v-priv", "bob", undefined, { title: "mine" })
    expect(hidden.status).toBe(404)
    expect((await json(hidden)).error.code).toBe("NOT_FOUND")
    for (const [method, path] of [["POST", "/videos/v-priv/publish"], ["POST", "/videos/v-priv/unpublish"], ["DELETE", "/videos/v-priv"]] as const) {
      expect((await h.request(method, path, "bob")).status, `${method} ${path}`).toBe(404)
    }
    const visible = await h.request("PATCH", "/videos/v-pub", "bob", undefined, { title: "mine" })
    expect(visible.status).toBe(403)
    expect((await json(visible)).error.code).toBe("NOT_OWNER")
    expect((await h.request("PATCH", "/videos/nope", "alice", undefined, { title: "x" })).status).toBe(404)
  })
})

describe("the owner's edits", () => {
  it("PATCH changes title, description, category and visibility; the read model shows them", async () => {
    const res = await h.request("PATCH", "/videos/v-priv", "alice", undefined, { title: "  Beach day  ", description: "Sun.", category: "music", visibility: "public" })
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body).toMatchObject({ id: "v-priv", changed: true })
    const doc = await json(await get("/videos/v-priv", "bob", undefined, after(res)))
    expect(doc).toMatchObject({ title: "Beach day", description: "Sun.", category: "music", visibility: "public" })
    const again = await json(await h.request("PATCH", "/videos/v-priv", "alice", undefined, { title: "Beach day" }))
    expect(again.changed).toBe(false)
  })

  it("an edit or publish that comes before the catalog worker made the Video (the read model already says ready) creates it first", async () => {
    // ready uploads without their Video: the harness runs no catalog worker
    await h.readyUpload("alice", "v-early", 1000, false)
    await h.readyUpload("alice", "v-early-2", 1000, false)
    expect((await h.request("PATCH", "/videos/v-early", "bob", undefined, { title: "Mine now" })).status).toBe(404)
    const edit = await h.request("PATCH", "/videos/v-early", "alice", undefined, { title: "Early", visibility: "public" })
    expect(edit.status).toBe(200)
    expect(await json(await get("/videos/v-early", "bob", undefined, after(edit)))).toMatchObject({ title: "Early", visibility: "public", ownerId: "alice" })
    expect((await h.request("POST", "/videos/v-early-2/publish", "alice")).status).toBe(200)
    // an id that is no upload stays not found, and creates nothing
    expect((await h.request("PATCH", "/videos/v-never", "alice", undefined, { title: "x" })).status).toBe(404)
  })

  it("refuses bad input with a typed error and changes nothing", async () => {
    const before = await json(await get("/videos/v-pub", "alice"))
    const cases: Array<[unknown, number, string]> = [
      [{ title: "t".repeat(201) }, 422, "VIDEO_TITLE_INVALID"],
      [{ title: "   " }, 422, "VIDEO_TITLE_INVALID"],
      [{ description: "d".repeat(5001) }, 422, "VIDEO_DESCRIPTION_INVALID"],
      // checked before the title is written
      [{ title: "fine", category: "knitting" }, 422, "UNKNOWN_CATEGORY"],
      [{ category: "Not A Slug" }, 422, "VALIDATION_FAILED"],
      [{ visibility: "secret" }, 422, "VALIDATION_FAILED"],
      [{}, 422, "VALIDATION_FAILED"]
    ]
    for (const [body, status, code] of cases) {
      const res = await h.request("PATCH", "/videos/v-pub", "alice", undefined, body)
      expect(res.status, JSON.stringify(body)).toBe(status)
      expect((await json(res)).error.code, JSON.stringify(body)).toBe(code)
    }
    const bad = await fetch(`${h.origin}/videos/v-pub`, { method: "PATCH", headers: { ...(await import("../queries/ReadSideHarness.ts").then((m) => m.auth("alice"))), "Content-Type": "application/json" }, body: "{" })
    expect((await json(bad)).error.code).toBe("INVALID_JSON")
    const now = await json(await get("/videos/v-pub", "alice"))
    expect(now.title).toBe(before.title)
    expect(now.position).toBe(before.position)
  })

  it("unpublish hides a video from others and moves its access epoch; publish brings it back", async () => {
    const before = await json(await get("/videos/v-pub", "alice"))
    const off = await h.request("POST", "/videos/v-pub/unpublish", "alice")
    expect(await json(off)).toMatchObject({ changed: true })
    expect((await get("/videos/v-pub", "bob", undefined, after(off))).status).toBe(404)
    const hidden = await json(await get("/videos/v-pub", "alice"))
    expect(hidden.published).toBe(false)
    expect(hidden.accessEpoch).toBeGreaterThan(before.accessEpoch)
    const on = await h.request("POST", "/videos/v-pub/publish", "alice")
    const back = await json(await get("/videos/v-pub", "bob", undefined, after(on)))
    expect(back).toMatchObject({ published: true })
    expect(back.publishedAt).toBeGreaterThan(0)
  })
})

describe("moderation and deletion", () => {
  it("an admin takes a video down with a reason the owner sees; others get 404; restore undoes it", async () => {
    expect((await h.request("POST", "/admin/videos/v-bob/takedown", "alice", undefined, { reason: "spam" })).status).toBe(403)
    expect((await json(await h.request("POST", "/admin/videos/v-bob/takedown", "root", admin, {}))).error.code).toBe("VALIDATION_FAILED")
    const down = await h.request("POST", "/admin/videos/v-bob/takedown", "root", admin, { reason: "copyright claim" })
    expect(down.status).toBe(200)
    expect((await get("/videos/v-bob", "alice", undefined, after(down))).status).toBe(404)
    expect(ids(await json(await get("/videos", "alice")))).not.toContain("v-bob")
    const own = await json(await get("/videos/v-bob", "bob"))
    expect(own).toMatchObject({ takenDown: true, takedown: { reason: "copyright claim" } })
    // the owner's publishing does not lift it
    await h.request("POST", "/videos/v-bob/unpublish", "bob")
    const republished = await h.request("POST", "/videos/v-bob/publish", "bob")
    expect((await get("/videos/v-bob", "alice", undefined, after(republished))).status).toBe(404)
    const up = await h.request("POST", "/admin/videos/v-bob/restore", "root", admin)
    expect(await json(await get("/videos/v-bob", "alice", undefined, after(up)))).toMatchObject({ takenDown: false, takedown: null })
  })

  it("DELETE removes the entry for everyone; the events stay", async () => {
    await h.readyUpload("alice", "v-gone", 1000, "public")
    const res = await h.request("DELETE", "/videos/v-gone", "alice")
    expect(res.status).toBe(200)
    expect((await get("/videos/v-gone", "alice", undefined, after(res))).status).toBe(404)
    expect((await get("/videos/v-gone", "root", admin)).status).toBe(404)
    // a repeated DELETE (a client's retry) is answered as the first; any other command is 404 now
    expect((await h.request("DELETE", "/videos/v-gone", "alice")).status).toBe(200)
    expect((await h.request("POST", "/videos/v-gone/publish", "alice")).status).toBe(404)
    const audit = await get("/audit/streams/video-v-gone", "root", ["auditor"])
    expect(audit.status).toBe(200)
    expect(JSON.stringify(await json(audit))).toMatch(/VideoCreated.*VideoVisibilitySet.*VideoDeleted/)
  })
})

describe("categories, filters and sorts", () => {
  it("GET /categories lists them; admins create, rename and remove them with unique slugs and names", async () => {
    const created = await h.request("POST", "/admin/categories", "root", admin, { slug: "cooking", name: "Cooking" })
    const list = await json(await get("/categories", "bob", undefined, after(created)))
    expect(list.items.map((c: any) => c.slug)).toEqual(["music", "gaming", "cooking"])
    expect((await h.request("POST", "/admin/categories", "alice", undefined, { slug: "x", name: "X" })).status).toBe(403)
    const dupSlug = await h.request("POST", "/admin/categories", "root", admin, { slug: "music", name: "Songs" })
    expect([dupSlug.status, (await json(dupSlug)).error.code]).toEqual([409, "ALREADY_EXISTS"])
    const dupName = await h.request("POST", "/admin/categories", "root", admin, { slug: "songs", name: "MUSIC" })
    expect([dupName.status, (await json(dupName)).error.code]).toEqual([409, "CATEGORY_NAME_TAKEN"])
    const long = await h.request("POST", "/admin/categories", "root", admin, { slug: "long", name: "n".repeat(51) })
    expect((await json(long)).error.code).toBe("CATEGORY_NAME_INVALID")
    expect((await h.request("POST", "/admin/categories", "root", admin, { slug: "Bad Slug", name: "Bad" })).status).toBe(422)
    const renamed = await h.request("PATCH", "/admin/categories/cooking", "root", admin, { name: "Kitchen" })
    expect((await json(await get("/categories", "bob", undefined, after(renamed)))).items.at(-1)).toMatchObject({ slug: "cooking", name: "Kitchen" })
    expect((await h.request("PATCH", "/admin/categories/nope", "root", admin, { name: "Nope" })).status).toBe(404)
    expect((await h.request("DELETE", "/admin/categories/nope", "root", admin)).status).toBe(404)
  })

  it("filters by category and title; a removed category's videos show none", async () => {
    const tagged = await h.request("PATCH", "/videos/v-unl", "alice", undefined, { category: "gaming", visibility: "public", title: "Speedrun attempt" })
    const gaming = await json(await get("/videos?category=gaming", "bob", undefined, after(tagged)))
    expect(ids(gaming)).toEqual(["v-unl"])
    expect(ids(await json(await get("/videos?q=SPEEDRUN", "bob")))).toEqual(["v-unl"])
    expect(ids(await json(await get("/videos?q=speed&category=music", "bob")))).toEqual([])
    expect(ids(await json(await get("/videos?owner=me&category=gaming", "alice")))).toEqual(["v-unl"])
    const unknown = await get("/videos?category=knitting", "bob")
    expect([unknown.status, (await json(unknown)).error.code]).toEqual([422, "UNKNOWN_CATEGORY"])

    const removed = await h.request("DELETE", "/admin/categories/gaming", "root", admin)
    expect((await json(await get("/videos/v-unl", "bob", undefined, after(removed)))).category).toBeNull()
    expect((await get("/videos?category=gaming", "bob")).status).toBe(422)
    expect((await json(await get("/categories", "bob"))).items.map((c: any) => c.slug)).not.toContain("gaming")
  })

  it("sorts newest, most viewed and most liked over the same videos; bad sorts and status mixes are refused", async () => {
    const newest = await json(await get("/videos?limit=100", "bob"))
    for (const sort of ["views", "likes"]) {
      const sorted = await json(await get(`/videos?sort=${sort}&limit=100`, "bob"))
      expect(ids(sorted)).toEqual(ids(newest))
    }
    const times = newest.items.map((v: any) => v.createdAt)
    expect([...times].sort((a, b) => b - a)).toEqual(times)
    expect((await get("/videos?sort=random", "bob")).status).toBe(422)
    expect((await get("/videos?q=", "bob")).status).toBe(422)
    expect((await get("/videos?owner=me&status=ready&sort=views", "alice")).status).toBe(422)
    expect((await get("/videos?status=failed", "bob")).status).toBe(403)
  })

  it("a q listing pages through the scan with next", async () => {
    for (let i = 0; i < 3; i++) await h.readyUpload("carol", `clip-${i}`, 1000, "public")
    const first = await json(await get("/videos?q=clip&limit=2", "bob"))
    expect(first.items).toHaveLength(2)
    expect(first.next).not.toBeNull()
    const second = await json(await get(`/videos?q=clip&limit=2&cursor=${encodeURIComponent(first.next)}`, "bob"))
    expect([...ids(first), ...ids(second)].sort()).toEqual(["clip-0", "clip-1", "clip-2"])
  })
})
