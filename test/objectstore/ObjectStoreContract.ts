/** The object store contract: one suite every adapter must pass (fs and S3 entries register it). */
import { createHash, randomBytes } from "node:crypto"
import { Effect, type Layer, ManagedRuntime, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ObjectBody, ObjectStore, type ObjectStoreShape } from "../../src/objectstore/ObjectStore.ts"

export interface ObjectStoreTarget {
  /** Builds the adapter's layer; called once, in beforeAll. */
  readonly layer: () => Promise<Layer.Layer<ObjectStore, unknown>>
  /** Whether presignGet returns a URL (S3) or undefined (fs). */
  readonly presigns: boolean
  /**
   * Whether list() comes back in ascending key order. S3 and MinIO list in UTF-8 binary key order;
   * s3rver walks its directories instead (`a/c` before `a-b`), so against it only the set is compared.
   */
  readonly listsInKeyOrder: boolean
  readonly cleanup?: () => Promise<void>
}

const MiB = 1024 * 1024

/** Runs an effect expecting failure; returns the typed error. */
const failureOf = <E>(runtime: ManagedRuntime.ManagedRuntime<ObjectStore, unknown>, effect: Effect.Effect<unknown, E, ObjectStore>) =>
  runtime.runPromise(Effect.flip(effect))

/** A stream of `total` random bytes in chunks of varying size, with no announced length; `sha256` is ready once read. */
const randomStream = (total: number) => {
  const hash = createHash("sha256")
  let sent = 0
  const result = { sha256: "" }
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) {
        result.sha256 = hash.digest("hex")
        controller.close()
        return
      }
      const size = Math.min(total - sent, 64 * 1024 + Math.floor(Math.random() * MiB))
      const chunk = new Uint8Array(randomBytes(size))
      hash.update(chunk)
      sent += size
      controller.enqueue(chunk)
    }
  })
  return { stream, result }
}

const readAll = async (body: ReadableStream<Uint8Array>): Promise<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  for await (const chunk of body) chunks.push(chunk)
  return new Uint8Array(Buffer.concat(chunks))
}

const sha256Of = async (body: ReadableStream<Uint8Array>) => {
  const hash = createHash("sha256")
  let size = 0
  for await (const chunk of body) {
    hash.update(chunk)
    size += chunk.byteLength
  }
  return { sha256: hash.digest("hex"), size }
}

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")
const streamOf = (bytes: Uint8Array): ObjectBody =>
  new ReadableStream({
    start(c) {
      c.enqueue(bytes)
      c.close()
    }
  })

export const describeObjectStoreContract = (name: string, target: ObjectStoreTarget): void => {
  describe(`object store contract: ${name}`, () => {
    let runtime: ManagedRuntime.ManagedRuntime<ObjectStore, unknown>
    let store: ObjectStoreShape
    const run = <A, E>(effect: Effect.Effect<A, E, ObjectStore>) => runtime.runPromise(effect)
    const ns = `t${Date.now().toString(36)}`

    beforeAll(async () => {
      runtime = ManagedRuntime.make(await target.layer())
      store = await runtime.runPromise(ObjectStore.useSync((s) => s))
    })
    afterAll(async () => {
      await runtime?.dispose()
      await target.cleanup?.()
    })

    it("round-trips a 30 MiB body of unknown length, streamed, with equal SHA-256", async () => {
      const { result, stream } = randomStream(30 * MiB)
      const put = await run(store.put(`${ns}/big/source.bin`, stream, { contentType: "video/mp4" }))
      expect(put.size).toBe(30 * MiB)
      const got = await run(store.get(`${ns}/big/source.bin`))
      expect(got.size).toBe(30 * MiB)
      expect(got.contentType).toBe("video/mp4")
      const read = await sha256Of(got.body)
      expect(read.size).toBe(30 * MiB)
      expect(read.sha256).toBe(result.sha256)
    }, 120_000)

    it("serves byte ranges (inclusive end, clamped) and refuses a range past the end", async () => {
      const bytes = new Uint8Array(randomBytes(1000))
      await run(store.put(`${ns}/range.bin`, bytes))
      const mid = await run(store.get(`${ns}/range.bin`, { range: { start: 10, end: 19 } }))
      expect(await readAll(mid.body)).toEqual(bytes.subarray(10, 20))
      expect([mid.size, mid.contentLength, mid.range]).toEqual([1000, 10, { start: 10, end: 19 }])
      const tail = await run(store.get(`${ns}/range.bin`, { range: { start: 990 } }))
      expect(await readAll(tail.body)).toEqual(bytes.subarray(990))
      expect(tail.range).toEqual({ start: 990, end: 999 })
      const clamped = await run(store.get(`${ns}/range.bin`, { range: { start: 995, end: 5000 } }))
      expect(await readAll(clamped.body)).toEqual(bytes.subarray(995))
      expect(clamped.range).toEqual({ start: 995, end: 999 })
      const past = await failureOf(runtime, store.get(`${ns}/range.bin`, { range: { start: 1000 } }))
      expect(past._tag).toBe("RangeNotSatisfiable")
    })

    it("keeps content type and cache control; head matches get; a quoted etag (S3: the md5) that changes on rewrite", async () => {
      const bytes = new TextEncoder().encode("#EXTM3U\n")
      const put = await run(
        store.put(`${ns}/meta/index.m3u8`, bytes, {
          contentType: "application/vnd.apple.mpegurl",
          cacheControl: "public, max-age=60",
          contentLength: bytes.length
        })
      )
      // Etags are opaque (ObjectStore.ts); S3 gives the md5 of the bytes, the fs store a random id per write.
      if (store.kind === "s3") expect(put.etag).toBe(`"${md5(bytes)}"`)
      else expect(put.etag).toMatch(/^"[0-9a-f]{32}"$/)
      const head = await run(store.head(`${ns}/meta/index.m3u8`))
      expect(head).toMatchObject({
        key: `${ns}/meta/index.m3u8`,
        size: bytes.length,
        etag: put.etag,
        contentType: "application/vnd.apple.mpegurl",
        cacheControl: "public, max-age=60"
      })
      const got = await run(store.get(`${ns}/meta/index.m3u8`))
      expect([got.contentType, got.cacheControl, got.etag]).toEqual([head.contentType, head.cacheControl, head.etag])
      expect(await readAll(got.body)).toEqual(bytes)
      await run(store.put(`${ns}/meta/plain`, new Uint8Array([1])))
      const plain = await run(store.head(`${ns}/meta/plain`))
      expect([plain.contentType, plain.cacheControl]).toEqual(["application/octet-stream", undefined])
    })

    it("replaces an object; a body whose length differs from contentLength fails and stores nothing", async () => {
      await run(store.put(`${ns}/replace`, new Uint8Array([1, 2, 3])))
      const first = await run(store.head(`${ns}/replace`))
      await run(store.put(`${ns}/replace`, streamOf(new Uint8Array([4, 5])), { contentLength: 2 }))
      const replaced = await run(store.get(`${ns}/replace`))
      expect(await readAll(replaced.body)).toEqual(new Uint8Array([4, 5]))
      expect(replaced.etag).not.toBe(first.etag)
      for (const declared of [3, 1]) {
        const error = await failureOf(runtime, store.put(`${ns}/short-${declared}`, streamOf(new Uint8Array([1, 2])), { contentLength: declared }))
        expect(error._tag).toBe("InvalidObjectRequest")
        expect((await failureOf(runtime, store.head(`${ns}/short-${declared}`)))._tag).toBe("ObjectNotFound")
      }
      const error = await failureOf(runtime, store.put(`${ns}/short-bytes`, new Uint8Array([1, 2]), { contentLength: 5 }))
      expect(error._tag).toBe("InvalidObjectRequest")
    })

    it("stores an empty object", async () => {
      const put = await run(store.put(`${ns}/empty`, streamOf(new Uint8Array(0))))
      expect(put.size).toBe(0)
      const got = await run(store.get(`${ns}/empty`))
      expect([got.size, (await readAll(got.body)).length]).toEqual([0, 0])
    })

    it("deletes an object; deleting a missing one succeeds", async () => {
      await run(store.put(`${ns}/del/x`, new Uint8Array([1])))
      await run(store.delete(`${ns}/del/x`))
      expect((await failureOf(runtime, store.head(`${ns}/del/x`)))._tag).toBe("ObjectNotFound")
      await run(store.delete(`${ns}/del/x`))
      await run(store.delete(`${ns}/never/was`))
    })

    it("lists by string prefix in key order and deletes by prefix", async () => {
      const keys = [`${ns}/l/a-b`, `${ns}/l/a/c`, `${ns}/l/a/d/e`, `${ns}/l/ab`, `${ns}/l/b`]
      for (const [i, key] of [...keys].reverse().entries()) await run(store.put(key, new Uint8Array(i + 1)))
      const ordered = <T extends { readonly key: string }>(xs: ReadonlyArray<T>) =>
        target.listsInKeyOrder ? xs : [...xs].sort((a, b) => (a.key < b.key ? -1 : 1))
      if (!target.listsInKeyOrder) console.info(`[${name}] list order not checked: this server does not list in key order`)
      const all = ordered(await run(Stream.runCollect(store.list(`${ns}/l/`))))
      expect(all.map((o) => o.key)).toEqual(keys)
      expect(all.map((o) => o.size)).toEqual([5, 4, 3, 2, 1])
      expect(all.every((o) => /^"[0-9a-f]{32}"$/.test(o.etag) && o.lastModified instanceof Date)).toBe(true)
      const partial = ordered(await run(Stream.runCollect(store.list(`${ns}/l/a`))))
      expect(partial.map((o) => o.key)).toEqual(keys.slice(0, 4))
      expect(await run(Stream.runCollect(store.list(`${ns}/nothing/`)))).toEqual([])
      expect(await run(store.deletePrefix(`${ns}/l/a/`))).toBe(2)
      const left = ordered(await run(Stream.runCollect(store.list(`${ns}/l/`))))
      expect(left.map((o) => o.key)).toEqual([`${ns}/l/a-b`, `${ns}/l/ab`, `${ns}/l/b`])
      expect(await run(store.deletePrefix(`${ns}/l/`))).toBe(3)
      expect(await run(store.deletePrefix(`${ns}/l/`))).toBe(0)
    })

    it("multipart: 3 parts out of order, listParts, complete; the bytes are the parts in order", async () => {
      const key = `${ns}/mp/stream.mp4`
      const parts = [new Uint8Array(randomBytes(5 * MiB)), new Uint8Array(randomBytes(5 * MiB)), new Uint8Array(randomBytes(MiB + 123))]
      const uploadId = await run(store.createMultipartUpload(key, { contentType: "video/mp4", cacheControl: "no-cache" }))
      expect(await run(store.listParts(key, uploadId))).toEqual([])
      const etag2 = await run(store.uploadPart(key, uploadId, 2, parts[1]!, parts[1]!.length))
      const etag1 = await run(store.uploadPart(key, uploadId, 1, streamOf(parts[0]!), parts[0]!.length))
      // A restarted worker asks which parts landed, then continues after the last one.
      const listed = await run(store.listParts(key, uploadId))
      expect(listed).toEqual([
        { partNumber: 1, etag: etag1, size: 5 * MiB },
        { partNumber: 2, etag: etag2, size: 5 * MiB }
      ])
      if (store.kind === "s3") expect(etag1).toBe(`"${md5(parts[0]!)}"`)
      expect(etag1).not.toBe(etag2)
      const etag3 = await run(store.uploadPart(key, uploadId, 3, streamOf(parts[2]!), parts[2]!.length))
      const done = await run(
        store.completeMultipartUpload(key, uploadId, [
          { partNumber: 1, etag: etag1 },
          { partNumber: 2, etag: etag2 },
          { partNumber: 3, etag: etag3 }
        ])
      )
      expect(done.size).toBe(11 * MiB + 123)
      const got = await run(store.get(key))
      expect(got.etag).toBe(done.etag)
      expect([got.contentType, got.cacheControl, got.size]).toEqual(["video/mp4", "no-cache", 11 * MiB + 123])
      const expected = createHash("sha256").update(parts[0]!).update(parts[1]!).update(parts[2]!).digest("hex")
      expect((await sha256Of(got.body)).sha256).toBe(expected)
      expect((await failureOf(runtime, store.listParts(key, uploadId)))._tag).toBe("MultipartUploadNotFound")
    }, 60_000)

    it("multipart: abort discards the upload; abort is idempotent; a part after abort is refused", async () => {
      const key = `${ns}/mp/aborted.mp4`
      const uploadId = await run(store.createMultipartUpload(key))
      await run(store.uploadPart(key, uploadId, 1, new Uint8Array(100), 100))
      await run(store.abortMultipartUpload(key, uploadId))
      expect((await failureOf(runtime, store.listParts(key, uploadId)))._tag).toBe("MultipartUploadNotFound")
      await run(store.abortMultipartUpload(key, uploadId))
      const late = await failureOf(runtime, store.uploadPart(key, uploadId, 2, new Uint8Array(1), 1))
      expect(late._tag).toBe("MultipartUploadNotFound")
      const complete = await failureOf(runtime, store.completeMultipartUpload(key, uploadId, [{ partNumber: 1, etag: "x" }]))
      expect(complete._tag).toBe("MultipartUploadNotFound")
      expect((await failureOf(runtime, store.head(key)))._tag).toBe("ObjectNotFound")
      const other = await run(store.createMultipartUpload(key))
      const wrongKey = await failureOf(runtime, store.listParts(`${ns}/mp/other-key`, other))
      expect(wrongKey._tag).toBe("MultipartUploadNotFound")
      const badNumber = await failureOf(runtime, store.uploadPart(key, other, 0, new Uint8Array(1), 1))
      expect(badNumber._tag).toBe("InvalidObjectRequest")
      await run(store.abortMultipartUpload(key, other))
    })

    it(target.presigns ? "presigns a GET URL that plain fetch() can download" : "has no presigned URLs (Keyframe serves the bytes)", async () => {
      const bytes = new TextEncoder().encode("presigned bytes")
      await run(store.put(`${ns}/presign/a b.txt`, bytes, { contentType: "text/plain" }))
      const url = await run(store.presignGet(`${ns}/presign/a b.txt`, 60))
      if (!target.presigns) {
        expect(url).toBeUndefined()
        return
      }
      expect(url).toMatch(/^https?:\/\//)
      const response = await fetch(url!)
      expect(response.status).toBe(200)
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes)
    })

    it("refuses bad keys and prefixes with InvalidObjectKey", async () => {
      const bad = ["", "/abs", "a/../b", "..", "a/./b", "a//b", "a/", "x".repeat(1025), "a\u0000b", "a\\b", ".keyframe/tmp/x"]
      for (const key of bad) {
        for (const effect of [store.put(key, new Uint8Array(1)), store.get(key), store.head(key), store.delete(key), store.createMultipartUpload(key)]) {
          const error = await failureOf(runtime, effect as Effect.Effect<unknown, { readonly _tag: string }, ObjectStore>)
          expect(error._tag, JSON.stringify(key)).toBe("InvalidObjectKey")
        }
      }
      expect((await failureOf(runtime, store.deletePrefix("")))._tag).toBe("InvalidObjectKey")
      expect((await failureOf(runtime, Stream.runCollect(store.list("../x"))))._tag).toBe("InvalidObjectKey")
      expect((await failureOf(runtime, store.presignGet("/x", 60)))._tag).toBe("InvalidObjectKey")
    })

    it("refuses malformed ranges, lengths and part lists the same way, before looking at the store", async () => {
      await run(store.put(`${ns}/checks.bin`, new Uint8Array(10)))
      for (const range of [{ start: -1 }, { start: 0.5 }, { start: 0, end: Number.NaN }, { start: 6, end: 2 }]) {
        for (const key of [`${ns}/checks.bin`, `${ns}/missing/checks.bin`]) {
          const error = await failureOf(runtime, store.get(key, { range }))
          expect(error._tag, `${key} ${JSON.stringify(range)}`).toBe("RangeNotSatisfiable")
        }
      }
      const longer = await failureOf(runtime, store.put(`${ns}/longer.bin`, new Uint8Array(3), { contentLength: 2 }))
      expect([longer._tag, longer.message]).toEqual([
        "InvalidObjectRequest",
        `put ${ns}/longer.bin: the body has 3 bytes, but its declared length is 2`
      ])
      expect((await failureOf(runtime, store.head(`${ns}/longer.bin`)))._tag).toBe("ObjectNotFound")
      const uploadId = await run(store.createMultipartUpload(`${ns}/mp/checks`))
      await run(store.abortMultipartUpload(`${ns}/mp/checks`, uploadId))
      const empty = await failureOf(runtime, store.completeMultipartUpload(`${ns}/mp/checks`, uploadId, []))
      expect([empty._tag, empty.message]).toEqual(["InvalidObjectRequest", `completeMultipartUpload ${ns}/mp/checks: the part list is empty`])
    })

    it("a missing object is ObjectNotFound", async () => {
      expect((await failureOf(runtime, store.get(`${ns}/missing/x`)))._tag).toBe("ObjectNotFound")
      expect((await failureOf(runtime, store.head(`${ns}/missing/x`)))._tag).toBe("ObjectNotFound")
      expect((await failureOf(runtime, store.get(`${ns}/missing/x`, { range: { start: 0, end: 1 } })))._tag).toBe("ObjectNotFound")
    })

    it("answers ping", async () => {
      await run(store.ping)
    })
  })
}
