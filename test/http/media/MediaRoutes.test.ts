/**
 * /media/<videoId>/… through the whole app (makeApp), on the fs object store (bytes served by Keyframe)
 * and on S3 via s3rver (segments redirected to presigned URLs, playlists passed through).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AppServices, makeApp } from "../../../src/http/App.ts"
import type { AppRuntime } from "../../../src/http/AppRuntime.ts"
import { FsObjectStore } from "../../../src/objectstore/fs/FsObjectStore.ts"
import { ObjectStore } from "../../../src/objectstore/ObjectStore.ts"
import { S3ObjectStore } from "../../../src/objectstore/s3/S3ObjectStore.ts"
import { cacheControlOf, contentTypeOf } from "../../../src/workers/PublishedFiles.ts"
import { type S3TestServer, startS3 } from "../../support/s3.ts"

const SEGMENT = Uint8Array.from({ length: 1000 }, (_, i) => i % 251)
const PLAYLIST = "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:4.0,\nsegment_000.ts\n#EXT-X-ENDLIST\n"

const appWith = async (objectStore: Layer.Layer<ObjectStore, unknown>) => {
  // The media routes use the object store only: no event store is started.
  const runtime = ManagedRuntime.make(Layer.mergeAll(objectStore, Logger.layer([])))
  await runtime.runPromise(Effect.gen(function*() {
    const store = yield* ObjectStore
    const put = (file: string, bytes: Uint8Array) =>
      store.put(`media/vid-1/${file}`, bytes, { contentType: contentTypeOf(file), cacheControl: cacheControlOf(file) })
    yield* put("360p/segment_000.ts", SEGMENT)
    yield* put("360p/index.m3u8", new TextEncoder().encode(PLAYLIST))
    yield* put("thumbnail.jpg", Uint8Array.of(0xff, 0xd8, 0xff, 0xe0))
  }))
  return { app: makeApp({ runtime: runtime as unknown as AppRuntime<AppServices> }), runtime }
}

describe("GET /media on the fs object store", () => {
  let t: Awaited<ReturnType<typeof appWith>>
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kf-media-routes-"))
    t = await appWith(FsObjectStore.layer({ root: dir }))
  }, 60_000)
  afterAll(async () => {
    await t?.runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it("serves a segment with its type, cache policy, validators and length", async () => {
    const res = await t.app.request("/media/vid-1/360p/segment_000.ts")
    expect(res.status).toBe(200)
    expect(Object.fromEntries(["content-type", "cache-control", "accept-ranges", "content-length"].map((h) => [h, res.headers.get(h)]))).toEqual({
      "content-type": "video/mp2t",
      "cache-control": "public, max-age=31536000, immutable",
      "accept-ranges": "bytes",
      "content-length": "1000"
    })
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]+"$/)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(SEGMENT)
    const playlist = await t.app.request("/media/vid-1/360p/index.m3u8")
    expect(playlist.headers.get("content-type")).toBe("application/vnd.apple.mpegurl")
    expect(await playlist.text()).toBe(PLAYLIST)
    expect((await t.app.request("/media/vid-1/thumbnail.jpg")).headers.get("content-type")).toBe("image/jpeg")
  })

  it("answers ranges with 206, a range past the end with 416, a known ETag with 304, HEAD without a body", async () => {
    const part = await t.app.request("/media/vid-1/360p/segment_000.ts", { headers: { Range: "bytes=10-19" } })
    expect(part.status).toBe(206)
    expect(part.headers.get("content-range")).toBe("bytes 10-19/1000")
    expect(part.headers.get("content-length")).toBe("10")
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(SEGMENT.subarray(10, 20))
    const past = await t.app.request("/media/vid-1/360p/segment_000.ts", { headers: { Range: "bytes=5000-" } })
    expect(past.status).toBe(416)
    expect(past.headers.get("content-range")).toBe("bytes */1000")
    const etag = (await t.app.request("/media/vid-1/360p/segment_000.ts")).headers.get("etag")!
    expect((await t.app.request("/media/vid-1/360p/segment_000.ts", { headers: { "If-None-Match": etag } })).status).toBe(304)
    // If-Range with an old validator: the whole file, not the range.
    const stale = await t.app.request("/media/vid-1/360p/segment_000.ts", { headers: { Range: "bytes=0-1", "If-Range": "\"old\"" } })
    expect(stale.status).toBe(200)
    const head = await t.app.request("/media/vid-1/360p/segment_000.ts", { method: "HEAD" })
    expect(head.status).toBe(200)
    expect(head.headers.get("content-length")).toBe("1000")
    expect(await head.text()).toBe("")
  })

  it("answers 404 JSON for missing files, bad ids and paths that try to leave the video's folder", async () => {
    for (const path of [
      "/media/vid-1/360p/segment_999.ts",
      "/media/vid-2/360p/index.m3u8",
      "/media/bad%20id/x.ts",
      "/media/vid-1/..%2F..%2Fstaging%2Fx",
      "/media/vid-1/360p/%2e%2e/%2e%2e/x",
      "/media/vid-1/360p/"
    ]) {
      const res = await t.app.request(path)
      expect(res.status, path).toBe(404)
      expect((await res.json()).error.code, path).toBe("NOT_FOUND")
    }
  })
})

describe("GET /media on S3 (s3rver)", () => {
  let s3: S3TestServer
  let t: Awaited<ReturnType<typeof appWith>>
  beforeAll(async () => {
    s3 = await startS3()
    t = await appWith(S3ObjectStore.layer(s3.options))
  }, 60_000)
  afterAll(async () => {
    await t?.runtime.dispose()
    await s3?.stop()
  })

  it("redirects segments and thumbnails to presigned URLs that serve the object as published", async () => {
    const res = await t.app.request("/media/vid-1/360p/segment_000.ts")
    expect(res.status).toBe(302)
    expect(res.headers.get("cache-control")).toBe("private, max-age=600")
    const location = res.headers.get("location")!
    expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/media/vid-1/360p/segment_000.ts?`)).toBe(true)
    const object = await fetch(location)
    expect(object.status).toBe(200)
    expect(object.headers.get("content-type")).toBe("video/mp2t")
    expect(object.headers.get("cache-control")).toBe("public, max-age=31536000, immutable")
    expect(new Uint8Array(await object.arrayBuffer())).toEqual(SEGMENT)
  })

  it("passes playlists through, so their relative URIs resolve against /media", async () => {
    const res = await t.app.request("/media/vid-1/360p/index.m3u8")
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/vnd.apple.mpegurl")
    expect(res.headers.get("cache-control")).toBe("public, max-age=300")
    expect(await res.text()).toBe(PLAYLIST)
    const missing = await t.app.request("/media/vid-1/360p/none.ts")
    expect(missing.status).toBe(404)
  })
})
