/**
 * Signed playback through the whole app (makeTestApp: Main.ts's services, PGlite, the memory read
 * store, the dev playback key under DATA_DIR): minting, serving under /play/<token>/…, bad tokens,
 * revocation (the access facts written through the real ReadStore, VideoDocs.ts), and the thumbnails left
 * on /media. On the fs store; then on S3 (s3rver) for the presigned redirects. Hotlink protection, set by the
 * owner through the real path (PATCH → Video → read model), is PlaybackOrigins.test.ts.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PLAYBACK_KEY_FILE } from "../../../src/runtime/PlaybackKeys.ts"
import { signingKeys, signPlaybackToken } from "../../../src/videos/PlaybackTokens.ts"
import { type S3TestServer, startS3 } from "../../support/s3.ts"
import { bearer, makeTestApp, settle, type TestApp } from "../TestApp.ts"
import { deleteVideoDoc, patchVideoDoc, putMedia } from "./VideoDocs.ts"

const SEGMENT = Uint8Array.from({ length: 1000 }, (_, i) => i % 251)
const MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n"
const PLAYLIST = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nsegment_000.ts\n#EXT-X-ENDLIST\n"
const FILES = { "master.m3u8": MASTER, "360p/index.m3u8": PLAYLIST, "360p/segment_000.ts": SEGMENT, "thumbnail.jpg": Uint8Array.of(0xff, 0xd8, 0xff, 0xe0) }

const ready = (id: string, ownerId: string, extra: Record<string, unknown> = {}) =>
  ({ id, ownerId, status: "ready", visibility: "public", published: true, takenDown: false, accessEpoch: 0, createdAt: 1, ...extra })

const seed = async (t: TestApp) => {
  await patchVideoDoc(t.runtime, "vid-1", ready("vid-1", "alice"))
  await patchVideoDoc(t.runtime, "vid-2", ready("vid-2", "carol"))
  await patchVideoDoc(t.runtime, "vid-busy", { id: "vid-busy", ownerId: "alice", status: "processing" })
  await putMedia(t.runtime, "vid-1", FILES)
  await putMedia(t.runtime, "vid-2", { ...FILES, "secret.m3u8": "#EXTM3U\n" })
}

/** The path part of a minted URL: `/play/<token>/master.m3u8`. */
const mint = async (t: TestApp, user: string, video: string, roles?: ReadonlyArray<string>) => {
  const res = await t.app.request(`/videos/${video}/playback`, { headers: await bearer(user, roles) })
  const body = await res.json()
  return { res, body, path: res.status === 200 ? new URL(body.url).pathname : "", token: res.status === 200 ? new URL(body.url).pathname.split("/")[2]! : "" }
}

const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

/** Polls until `check` holds (revocation is "within seconds": the facts cache is 1 s old at most). */
const eventually = async (check: () => Promise<boolean>, ms = 5000) => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return check()
}

describe("signed playback on the fs object store", () => {
  let t: TestApp
  beforeAll(async () => {
    t = await makeTestApp({ RATE_LIMIT_PER_IP: "0", RATE_LIMIT_PER_USER: "0" })
    await seed(t)
  }, 60_000)
  afterAll(() => t?.dispose())

  it("mints a URL with its expiry for a caller who may watch, 404/409/401 otherwise", async () => {
    const before = Date.now()
    const { res, body, path } = await mint(t, "bob", "vid-1")
    expect(res.status).toBe(200)
    expect(res.headers.get("cache-control")).toBe("no-store")
    expect(body.url).toMatch(/^http:\/\/[^/]+\/play\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\/master\.m3u8$/)
    expect(path.startsWith("/play/")).toBe(true)
    const expires = Date.parse(body.expiresAt)
    expect(expires).toBeGreaterThan(before + 3_590_000)
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000)
    expect((await mint(t, "bob", "nope")).res.status).toBe(404)
    const busy = await mint(t, "alice", "vid-busy")
    expect([busy.res.status, busy.body.error.code]).toEqual([409, "VIDEO_NOT_READY"])
    expect((await mint(t, "bob", "vid-busy")).res.status).toBe(404) // not visible to others
    expect((await t.app.request("/videos/vid-1/playback")).status).toBe(401)
  })

  it("serves the playlists and segments under the token, cacheable per token, with ranges, ETags and HEAD", async () => {
    const { path } = await mint(t, "bob", "vid-1")
    const base = path.slice(0, -"master.m3u8".length)
    const master = await t.app.request(path)
    expect(master.status).toBe(200)
    expect(master.headers.get("content-type")).toBe("application/vnd.apple.mpegurl")
    expect(master.headers.get("access-control-allow-origin")).toBe("*")
    expect(master.headers.get("cache-control")).toMatch(/^private, max-age=(\d+)$/)
    expect(Number(/max-age=(\d+)/.exec(master.headers.get("cache-control")!)![1])).toBeLessThanOrEqual(300)
    expect(await master.text()).toBe(MASTER)
    // the relative URIs resolve under the same token
    expect(await (await t.app.request(`${base}360p/index.m3u8`)).text()).toBe(PLAYLIST)
    const seg = await t.app.request(`${base}360p/segment_000.ts`)
    expect(seg.status).toBe(200)
    expect(seg.headers.get("content-type")).toBe("video/mp2t")
    const age = Number(/^private, max-age=(\d+), immutable$/.exec(seg.headers.get("cache-control")!)?.[1])
    expect(age).toBeGreaterThan(3500)
    expect(age).toBeLessThanOrEqual(3600)
    expect(new Uint8Array(await seg.arrayBuffer())).toEqual(SEGMENT)
    const part = await t.app.request(`${base}360p/segment_000.ts`, { headers: { Range: "bytes=10-19" } })
    expect([part.status, part.headers.get("content-range")]).toEqual([206, "bytes 10-19/1000"])
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(SEGMENT.subarray(10, 20))
    const past = await t.app.request(`${base}360p/segment_000.ts`, { headers: { Range: "bytes=5000-" } })
    expect([past.status, past.headers.get("content-range")]).toEqual([416, "bytes */1000"])
    const etag = seg.headers.get("etag")!
    expect((await t.app.request(`${base}360p/segment_000.ts`, { headers: { "If-None-Match": etag } })).status).toBe(304)
    const head = await t.app.request(`${base}360p/segment_000.ts`, { method: "HEAD" })
    expect([head.status, head.headers.get("content-length"), await head.text()]).toEqual([200, "1000", ""])
    expect((await t.app.request(`${base}360p/none.ts`)).status).toBe(404)
  })

  it("never writes a playback token to the log", async () => {
    const { path, token } = await mint(t, "bob", "vid-1")
    expect((await t.app.request(path)).status).toBe(200)
    expect((await t.app.request(`${path.slice(0, -"master.m3u8".length)}nope.ts`)).status).toBe(404)
    await settle()
    const lines = t.logs.filter((l) => l.message === "request" && String(l.annotations?.route ?? "").startsWith("/play/"))
    expect(lines.map((l) => l.annotations.path)).toEqual(expect.arrayContaining(["/play/<token>/master.m3u8", "/play/<token>/nope.ts"]))
    expect(JSON.stringify(t.logs)).not.toContain(token.split(".")[2])
  })

  it("a request the client abandoned is not logged as a failure", async () => {
    const { path } = await mint(t, "bob", "vid-1")
    const before = t.logs.length
    const gone = new AbortController()
    gone.abort()
    await Promise.resolve(t.app.request(path, { signal: gone.signal })).catch(() => undefined)
    await settle()
    expect(t.logs.slice(before).filter((l) => l.message === "request failed")).toEqual([])
  })

  it("refuses forged, malformed and expired tokens with a code the player can act on, before reading anything", async () => {
    const { token } = await mint(t, "bob", "vid-1")
    const [kid, payload, sig] = token.split(".") as [string, string, string]
    const forged = `${kid}.${payload}.${sig.startsWith("A") ? "B" : "A"}${sig.slice(1)}`
    for (const bad of [forged, "garbage", `${kid}.${payload}`, `zz.${payload}.${sig}`]) {
      const res = await t.app.request(`/play/${bad}/master.m3u8`)
      expect(res.status, bad).toBe(403)
      expect(res.headers.get("access-control-allow-origin")).toBe("*") // hls.js sees the 403, not a CORS failure
      expect(res.headers.get("cache-control")).toBe("no-store")
      expect(await codeOf(res), bad).toBe("PLAYBACK_TOKEN_INVALID")
    }
    // a genuine token (the server's own key from DATA_DIR) that has expired
    const secret = new TextEncoder().encode(readFileSync(join(t.config.server.dataDir, PLAYBACK_KEY_FILE), "utf8").trim())
    const expired = signPlaybackToken(signingKeys([{ kid: "local", secret }]), {
      videoId: "vid-1", sessionId: "s", userId: "bob", roles: ["user"], issuedAt: Date.now() - 7_200_000, expiresAt: Date.now() - 1000, accessEpoch: 0
    })
    const res = await t.app.request(`/play/${expired}/master.m3u8`)
    expect([res.status, await codeOf(res)]).toEqual([403, "PLAYBACK_TOKEN_EXPIRED"])
  })

  it("a token for video A never reaches video B's files, however the path is spelled", async () => {
    const { token } = await mint(t, "bob", "vid-1")
    for (const rest of ["../vid-2/secret.m3u8", "..%2Fvid-2%2Fsecret.m3u8", "%2e%2e/vid-2/secret.m3u8", "360p/%2e%2e/%2e%2e/vid-2/secret.m3u8", "secret.m3u8", ""]) {
      // a literal ../ is resolved by the URL parser first: the token is then "vid-2" (403); encoded ones never leave vid-1 (404)
      const res = await t.app.request(`/play/${token}/${rest}`)
      expect([403, 404], rest).toContain(res.status)
    }
    // B's own token does reach it
    const b = await mint(t, "bob", "vid-2")
    expect((await t.app.request(`/play/${b.token}/secret.m3u8`)).status).toBe(200)
  })

  it("making a video private revokes URLs minted before, within seconds; the owner gets a fresh one that plays", async () => {
    await patchVideoDoc(t.runtime, "vid-r", ready("vid-r", "alice"))
    await putMedia(t.runtime, "vid-r", FILES)
    const bobs = await mint(t, "bob", "vid-r")
    const alices = await mint(t, "alice", "vid-r")
    expect((await t.app.request(bobs.path)).status).toBe(200)
    const changedAt = Date.now()
    await patchVideoDoc(t.runtime, "vid-r", { visibility: "private", accessEpoch: 100 })
    expect(await eventually(async () => (await t.app.request(bobs.path)).status === 403)).toBe(true)
    expect(Date.now() - changedAt).toBeLessThan(5000)
    expect(await codeOf(await t.app.request(bobs.path))).toBe("PLAYBACK_REVOKED")
    expect(await codeOf(await t.app.request(alices.path))).toBe("PLAYBACK_REVOKED") // minted before the change: epoch 0 < 100
    expect((await mint(t, "bob", "vid-r")).res.status).toBe(404)
    const fresh = await mint(t, "alice", "vid-r")
    expect((await t.app.request(fresh.path)).status).toBe(200)

    // unpublish: the same, for a public video
    await patchVideoDoc(t.runtime, "vid-r", { visibility: "public" })
    const again = await mint(t, "bob", "vid-r")
    expect((await t.app.request(again.path)).status).toBe(200)
    await patchVideoDoc(t.runtime, "vid-r", { published: false, accessEpoch: 200 })
    expect(await eventually(async () => (await t.app.request(again.path)).status === 403)).toBe(true)

    // delete: gone
    await deleteVideoDoc(t.runtime, "vid-r")
    expect(await eventually(async () => (await t.app.request(fresh.path)).status === 410)).toBe(true)
    expect(await codeOf(await t.app.request(fresh.path))).toBe("VIDEO_GONE")
  })

  it("a takedown stops everyone but admins", async () => {
    await patchVideoDoc(t.runtime, "vid-t", ready("vid-t", "alice", { takenDown: true }))
    expect((await mint(t, "bob", "vid-t")).res.status).toBe(404)
    const owner = await mint(t, "alice", "vid-t")
    expect([owner.res.status, owner.body.error.code]).toEqual([403, "FORBIDDEN"])
    expect((await mint(t, "root", "vid-t", ["admin"])).res.status).toBe(200)
  })

  it("/media keeps only the thumbnails of public videos", async () => {
    const thumb = await t.app.request("/media/vid-1/thumbnail.jpg")
    expect([thumb.status, thumb.headers.get("content-type"), thumb.headers.get("cache-control")]).toEqual([200, "image/jpeg", "public, max-age=60, immutable"])
    expect((await t.app.request("/media/vid-1/thumbnail.jpg", { method: "HEAD" })).status).toBe(200)
    await patchVideoDoc(t.runtime, "vid-p", ready("vid-p", "alice", { visibility: "unlisted" }))
    await putMedia(t.runtime, "vid-p", FILES)
    for (const path of ["/media/vid-p/thumbnail.jpg", "/media/vid-1/master.m3u8", "/media/vid-1/360p/segment_000.ts", "/media/nope/thumbnail.jpg", "/media/bad%20id/thumbnail.jpg"]) {
      const res = await t.app.request(path)
      expect(res.status, path).toBe(404)
      expect(await codeOf(res), path).toBe("NOT_FOUND")
    }
  })
})

describe("signed playback on S3 (s3rver)", () => {
  let s3: S3TestServer
  let t: TestApp
  beforeAll(async () => {
    s3 = await startS3()
    t = await makeTestApp({
      RATE_LIMIT_PER_IP: "0",
      RATE_LIMIT_PER_USER: "0",
      S3_ENDPOINT_URL: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_FORCE_PATH_STYLE: "true"
    })
    await seed(t)
  }, 60_000)
  afterAll(async () => {
    await t?.dispose()
    await s3?.stop()
  })

  it("passes playlists through and redirects segments to presigned URLs, after the token check", async () => {
    const { path } = await mint(t, "bob", "vid-1")
    const base = path.slice(0, -"master.m3u8".length)
    const master = await t.app.request(path)
    expect([master.status, await master.text()]).toEqual([200, MASTER])
    const seg = await t.app.request(`${base}360p/segment_000.ts`)
    expect(seg.status).toBe(302)
    expect(seg.headers.get("cache-control")).toBe("private, max-age=600")
    expect(seg.headers.get("access-control-allow-origin")).toBe("*")
    const location = seg.headers.get("location")!
    expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/media/vid-1/360p/segment_000.ts?`)).toBe(true)
    expect(new Uint8Array(await (await fetch(location)).arrayBuffer())).toEqual(SEGMENT)
    expect((await t.app.request(`/play/garbage/360p/segment_000.ts`)).status).toBe(403)
  })
})
