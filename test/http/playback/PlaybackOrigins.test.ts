/**
 * Hotlink protection end to end, through the app as `npm start` composes it (makeTestApp): the owner PATCHes
 * `allowedOrigins`, the Video aggregate records it, the videos projection writes it into the read model, and
 * every `/play/<token>/…` request is checked against it. Bad lists and other users change nothing.
 */
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../../src/actors/ActorSystem.ts"
import { VideoAggregate } from "../../../src/domain/video/VideoAggregate.ts"
import { SYSTEM_ACTOR } from "../../../src/uploads/SystemActor.ts"
import { bearer, makeTestApp, type TestApp } from "../TestApp.ts"
import { putMedia } from "./VideoDocs.ts"

const MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n"
const SEGMENT = Uint8Array.from({ length: 500 }, (_, i) => i % 251)
const FILES = { "master.m3u8": MASTER, "360p/segment_000.ts": SEGMENT }
const ALLOWED = "https://player.example"

const json = async (res: Response) => (await res.json()) as any
const codeOf = async (res: Response) => (await json(res)).error.code as string

const eventually = async (check: () => Promise<boolean>, ms = 5000) => {
  const until = Date.now() + ms
  while (Date.now() < until && !(await check())) await new Promise((r) => setTimeout(r, 100))
  return check()
}

let t: TestApp

const patch = async (user: string, id: string, body: unknown) =>
  t.app.request(`/videos/${id}`, {
    method: "PATCH",
    headers: { ...(await bearer(user)), "Content-Type": "application/json" },
    body: JSON.stringify(body)
  })

/** The Video's stream revision, from the aggregate itself (what "nothing written" means). */
const revisionOf = (id: string) => t.runtime.runPromise(ActorSystem.use((a) => a.current(VideoAggregate, id)).pipe(Effect.map((c) => c.revision)))

/** A ready video of alice's with media, as the catalog worker creates one (the system's CreateVideo), made public by her. */
const video = async (id: string) => {
  await t.runtime.runPromise(ActorSystem.use((a) =>
    a.send(VideoAggregate, id, { command: { _tag: "CreateVideo", videoId: id, ownerId: "alice", title: `${id}.mp4`, source: "stream" }, actor: SYSTEM_ACTOR })
  ))
  await putMedia(t.runtime, id, FILES)
  expect((await patch("alice", id, { visibility: "public" })).status).toBe(200)
}

/** GET /videos/:id after a command's answer (read-your-writes). */
const readAfter = async (res: Response, user: string, id: string) =>
  t.app.request(`/videos/${id}`, { headers: { ...(await bearer(user)), "Keyframe-Min-Position": res.headers.get("Keyframe-Position") ?? "0" } })

/** The path of a fresh playback URL: `/play/<token>/master.m3u8`. */
const mint = async (user: string, id: string) => {
  const res = await t.app.request(`/videos/${id}/playback`, { headers: await bearer(user) })
  expect(res.status).toBe(200)
  return new URL((await json(res)).url).pathname
}

beforeAll(async () => {
  t = await makeTestApp({ RATE_LIMIT_PER_IP: "0", RATE_LIMIT_PER_USER: "0" })
  await video("vid-o")
}, 60_000)
afterAll(() => t?.dispose())

describe("allowed origins set by the owner (PATCH → Video aggregate → videos read model → /play)", () => {
  it("refuses pages from other origins with 403 PLAYBACK_ORIGIN_NOT_ALLOWED; allowed ones and requests with neither header play", async () => {
    const res = await patch("alice", "vid-o", { allowedOrigins: ["HTTPS://Player.Example/", "http://localhost:8080", ALLOWED] })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ id: "vid-o", changed: true })
    // the read model holds the list normalized; anyone who may see the video sees it (GET /videos/:id)
    const doc = await json(await readAfter(res, "bob", "vid-o"))
    expect(doc.allowedOrigins).toEqual([ALLOWED, "http://localhost:8080"])

    const path = await mint("bob", "vid-o")
    const segment = path.replace(/master\.m3u8$/, "360p/segment_000.ts")
    for (const url of [path, segment]) {
      expect((await t.app.request(url, { headers: { Origin: ALLOWED } })).status, url).toBe(200)
      expect((await t.app.request(url, { headers: { Origin: "http://localhost:8080" } })).status, url).toBe(200)
      expect((await t.app.request(url, { headers: { Referer: `${ALLOWED}/watch?v=1` } })).status, url).toBe(200)
      // no Origin and no Referer (ffprobe, native apps, a typed URL): let through, as originAllowed always did
      expect((await t.app.request(url)).status, url).toBe(200)
      for (const headers of [{ Origin: "https://evil.example" }, { Referer: "https://evil.example/page" }, { Referer: "not a url" }, { Origin: "http://player.example" }] as Array<Record<string, string>>) {
        const refused = await t.app.request(url, { headers })
        expect([refused.status, await codeOf(refused)], `${url} ${JSON.stringify(headers)}`).toEqual([403, "PLAYBACK_ORIGIN_NOT_ALLOWED"])
      }
    }
    expect(new Uint8Array(await (await t.app.request(segment, { headers: { Origin: ALLOWED } })).arrayBuffer())).toEqual(SEGMENT)

    // the same set again is no change; [] allows every origin again, for URLs minted before too (within the facts cache's second)
    expect(await json(await patch("alice", "vid-o", { allowedOrigins: ["http://localhost:8080", ALLOWED] }))).toMatchObject({ changed: false })
    const cleared = await patch("alice", "vid-o", { allowedOrigins: [] })
    expect(await json(cleared)).toMatchObject({ changed: true })
    expect((await json(await readAfter(cleared, "alice", "vid-o"))).allowedOrigins).toEqual([])
    expect(await eventually(async () => (await t.app.request(segment, { headers: { Origin: "https://evil.example" } })).status === 200)).toBe(true)
  })

  it("refuses a bad list with 422 and another user's change with 404/403, writing nothing", async () => {
    await video("vid-b")
    expect((await patch("alice", "vid-b", { allowedOrigins: [ALLOWED] })).status).toBe(200)
    const before = await revisionOf("vid-b")
    const tooMany = Array.from({ length: 21 }, (_, i) => `https://site${i}.example`)
    const cases: Array<[string, unknown, number, string]> = [
      ["alice", { allowedOrigins: ["not a url"] }, 422, "VIDEO_ORIGINS_INVALID"],
      ["alice", { allowedOrigins: ["https://player.example/watch"] }, 422, "VIDEO_ORIGINS_INVALID"],
      ["alice", { allowedOrigins: ["https://user:pw@player.example"] }, 422, "VIDEO_ORIGINS_INVALID"],
      ["alice", { allowedOrigins: tooMany }, 422, "VIDEO_ORIGINS_INVALID"],
      // checked before the title (sent first) is written
      ["alice", { title: "Renamed", visibility: "private", allowedOrigins: ["ftp://player.example"] }, 422, "VIDEO_ORIGINS_INVALID"],
      ["alice", { allowedOrigins: "https://player.example" }, 422, "VALIDATION_FAILED"],
      ["alice", { allowedOrigins: [42] }, 422, "VALIDATION_FAILED"],
      // a public video: others may see it but not change it
      ["bob", { allowedOrigins: ["https://bob.example"] }, 403, "NOT_OWNER"]
    ]
    for (const [user, body, status, code] of cases) {
      const res = await patch(user, "vid-b", body)
      expect([res.status, await codeOf(res)], JSON.stringify(body)).toEqual([status, code])
    }
    expect(await revisionOf("vid-b")).toBe(before)
    // a private one is 404 to them, as for every other change
    const hidden = await patch("alice", "vid-b", { visibility: "private" })
    const hiddenRevision = await revisionOf("vid-b")
    const bobs = await patch("bob", "vid-b", { allowedOrigins: ["https://bob.example"] })
    expect([bobs.status, await codeOf(bobs)]).toEqual([404, "NOT_FOUND"])
    expect((await patch("bob", "nope", { allowedOrigins: [] })).status).toBe(404)
    expect(await revisionOf("vid-b")).toBe(hiddenRevision)
    const doc = await json(await readAfter(hidden, "alice", "vid-b"))
    expect([doc.title, doc.allowedOrigins]).toEqual(["vid-b", [ALLOWED]])
  })

  it("is in the OpenAPI document: the PATCH body and the video's schema", async () => {
    const doc = await json(await t.app.request("/openapi.json"))
    // an optional field is written as anyOf [its schema, null] (as title, description, …)
    const property = doc.components.schemas.EditVideoBody.properties.allowedOrigins
    const body = (property.anyOf ?? [property]).find((s: any) => s.type === "array")
    expect(body).toMatchObject({ type: "array", items: { type: "string" } })
    expect(body.description).toContain("PLAYBACK_ORIGIN_NOT_ALLOWED")
    expect(doc.components.schemas.Video.properties.allowedOrigins).toMatchObject({ type: "array", items: { type: "string" } })
    expect(doc.components.schemas.Video.required).toContain("allowedOrigins")
  })
})
