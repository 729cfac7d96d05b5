/**
 * The fs store's media cache (MEDIA_CACHE_MB): hits are never stale, whichever process replaced or deleted
 * the file; only `media/` objects within the size limit are kept; least recently used first out.
 */
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { FsReadCache } from "../../src/objectstore/fs/FsReadCache.ts"
import { ObjectStore, type ObjectStoreShape } from "../../src/objectstore/ObjectStore.ts"

const KiB = 1024
const MiB = 1024 * KiB

const bytesOf = (n: number) => new Uint8Array(randomBytes(n))

describe("FsObjectStore with a media cache", () => {
  let root = ""
  // two stores over one root: the writer stands for another process (a worker), the reader for the API
  const runtimes: Array<ManagedRuntime.ManagedRuntime<ObjectStore, unknown>> = []
  let writer: ObjectStoreShape
  let reader: ObjectStoreShape
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
  const read = async (key: string) => {
    const got = await run(reader.get(key))
    const viaStream = new Uint8Array(await new Response(got.body).arrayBuffer())
    return { got, viaStream }
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "kf-fscache-"))
    for (const cache of [0, 8 * MiB]) {
      const runtime = ManagedRuntime.make(FsObjectStore.layer({ root, mediaCacheBytes: cache }))
      runtimes.push(runtime)
    }
    writer = await runtimes[0]!.runPromise(ObjectStore.useSync((s) => s))
    reader = await runtimes[1]!.runPromise(ObjectStore.useSync((s) => s))
  })
  afterAll(async () => {
    for (const r of runtimes) await r.dispose()
    await rm(root, { recursive: true, force: true })
  })

  it("answers repeated gets with the object's bytes and metadata, beyond the first read's 256 KiB", async () => {
    const bytes = bytesOf(300 * KiB)
    const put = await run(writer.put("media/v1/360p/segment_000.ts", bytes, { contentType: "video/mp2t", cacheControl: "public, max-age=60" }))
    for (let i = 0; i < 3; i++) {
      const { got, viaStream } = await read("media/v1/360p/segment_000.ts")
      expect(got.bytes).toEqual(bytes)
      expect(viaStream).toEqual(bytes)
      expect(got.etag).toBe(put.etag)
      expect(got.contentType).toBe("video/mp2t")
      expect(got.cacheControl).toBe("public, max-age=60")
      expect(got.contentLength).toBe(bytes.length)
    }
  })

  it("sees another process's replacement and deletion at once", async () => {
    const key = "media/v2/master.m3u8"
    await run(writer.put(key, new TextEncoder().encode("#EXTM3U\n# first\n"), { contentType: "application/vnd.apple.mpegurl" }))
    expect(new TextDecoder().decode((await read(key)).got.bytes)).toContain("first")
    const second = await run(writer.put(key, new TextEncoder().encode("#EXTM3U\n# second\n"), { contentType: "application/vnd.apple.mpegurl" }))
    const after = await read(key)
    expect(new TextDecoder().decode(after.got.bytes)).toContain("second")
    expect(after.got.etag).toBe(second.etag)
    await run(writer.delete(key))
    const missing = await run(Effect.flip(reader.get(key)))
    expect(missing._tag).toBe("ObjectNotFound")
  })

  it("serves objects above its size limit and ranges through the file, correctly", async () => {
    const big = bytesOf(900 * KiB) // above 8 MiB / 10
    await run(writer.put("media/v3/1080p/segment_000.ts", big, { contentType: "video/mp2t" }))
    expect((await read("media/v3/1080p/segment_000.ts")).viaStream).toEqual(big)
    const small = bytesOf(64 * KiB)
    await run(writer.put("media/v3/360p/segment_000.ts", small, { contentType: "video/mp2t" }))
    await read("media/v3/360p/segment_000.ts")
    const part = await run(reader.get("media/v3/360p/segment_000.ts", { range: { start: 10, end: 19 } }))
    expect(new Uint8Array(await new Response(part.body).arrayBuffer())).toEqual(small.subarray(10, 20))
  })

  it("answers a folder as not found, as without the cache", async () => {
    await run(writer.put("media/v4/360p/segment_000.ts", bytesOf(10), { contentType: "video/mp2t" }))
    expect((await run(Effect.flip(reader.get("media/v4/360p"))))._tag).toBe("ObjectNotFound")
  })
})

describe("FsReadCache", () => {
  const identity = (ino: number, size = 10) => ({ ino, size, mtimeMs: 1 })
  const entry = (ino: number, bytes: number) => ({
    identity: identity(ino, bytes),
    meta: { contentType: "video/mp2t", cacheControl: undefined, etag: `"${ino}"`, size: bytes },
    lastModified: new Date(0),
    bytes: new Uint8Array(bytes)
  })

  it("covers only its prefixes, and nothing when its capacity is 0", () => {
    expect(new FsReadCache(MiB, ["media/"]).covers("media/a/b.ts")).toBe(true)
    expect(new FsReadCache(MiB, ["media/"]).covers("staging/a/0000")).toBe(false)
    expect(new FsReadCache(0, ["media/"]).covers("media/a/b.ts")).toBe(false)
  })

  it("drops the least recently used entries past its capacity, and entries whose file changed", () => {
    const cache = new FsReadCache(1000, ["media/"]) // objects up to 100 bytes
    for (let i = 0; i < 12; i++) cache.store(`media/${i}`, entry(i, 100))
    expect(cache.size).toBeLessThanOrEqual(1000)
    expect(cache.lookup("media/0", identity(0, 100))).toBeUndefined()
    expect(cache.lookup("media/11", identity(11, 100))).toBeDefined()
    // a hit is the most recent: media/2 survives the next insertions, media/3 does not
    expect(cache.lookup("media/2", identity(2, 100))).toBeDefined()
    cache.store("media/12", entry(12, 100))
    cache.store("media/13", entry(13, 100))
    expect(cache.lookup("media/2", identity(2, 100))).toBeDefined()
    expect(cache.lookup("media/3", identity(3, 100))).toBeUndefined()
    // another inode under the same key: a miss, and the entry is gone
    expect(cache.lookup("media/11", identity(99, 100))).toBeUndefined()
    expect(cache.lookup("media/11", identity(11, 100))).toBeUndefined()
    cache.store("media/big", entry(50, 101))
    expect(cache.lookup("media/big", identity(50, 101))).toBeUndefined()
  })
})
