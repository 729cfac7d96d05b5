/** What only the fs adapter promises beyond the contract: opaque etags shaped as S3's, atomic puts, its key/folder limit, part checks. */
import { existsSync } from "node:fs"
import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Fiber, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { ObjectStore, type ObjectStoreShape } from "../../src/objectstore/ObjectStore.ts"

const MiB = 1024 * 1024

describe("FsObjectStore", () => {
  let root = ""
  let runtime: ManagedRuntime.ManagedRuntime<ObjectStore, unknown>
  let store: ObjectStoreShape
  const run = <A, E>(effect: Effect.Effect<A, E, ObjectStore>) => runtime.runPromise(effect)
  const failure = <A, E>(effect: Effect.Effect<A, E, ObjectStore>) => runtime.runPromise(Effect.flip(effect))

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "kf-fsobjects-"))
    runtime = ManagedRuntime.make(FsObjectStore.layer({ root }))
    store = await runtime.runPromise(ObjectStore.useSync((s) => s))
  })
  afterAll(async () => {
    await runtime.dispose()
    await rm(root, { recursive: true, force: true })
  })

  it("gives a multipart object an etag shaped as S3's (<hex>-<count>), with the parts' bytes in order", async () => {
    const parts = [new Uint8Array(5 * MiB).fill(1), new Uint8Array(10).fill(2)]
    const id = await run(store.createMultipartUpload("mp/etag"))
    const etags = [
      await run(store.uploadPart("mp/etag", id, 1, parts[0]!, parts[0]!.length)),
      await run(store.uploadPart("mp/etag", id, 2, parts[1]!, parts[1]!.length))
    ]
    const done = await run(store.completeMultipartUpload("mp/etag", id, etags.map((etag, i) => ({ partNumber: i + 1, etag }))))
    expect(done.etag).toMatch(/^"[0-9a-f]{32}-2"$/)
    expect(new Set(etags).size).toBe(2)
    const whole = await run(store.get("mp/etag"))
    expect(Buffer.from(await new Response(whole.body).arrayBuffer()).equals(Buffer.concat(parts))).toBe(true)
    expect(existsSync(join(root, ".keyframe", "uploads", id))).toBe(false)
  })

  it("checks the part list on complete: etags, order, the minimum size of all but the last part", async () => {
    const id = await run(store.createMultipartUpload("mp/checks"))
    const small = await run(store.uploadPart("mp/checks", id, 1, new Uint8Array(10), 10))
    const last = await run(store.uploadPart("mp/checks", id, 2, new Uint8Array(10), 10))
    for (
      const parts of [
        [{ partNumber: 1, etag: small }, { partNumber: 2, etag: last }], // part 1 is below 5 MiB
        [{ partNumber: 1, etag: '"0000"' }],
        [{ partNumber: 2, etag: last }, { partNumber: 1, etag: small }],
        [{ partNumber: 3, etag: last }],
        []
      ]
    ) {
      expect((await failure(store.completeMultipartUpload("mp/checks", id, parts)))._tag).toBe("InvalidObjectRequest")
    }
    // The upload survives a refused complete; completing with one part works.
    expect((await run(store.completeMultipartUpload("mp/checks", id, [{ partNumber: 1, etag: small }]))).size).toBe(10)
  })

  it("an interrupted put stores nothing and leaves no temp file", async () => {
    let pulls = 0
    const endless = new ReadableStream<Uint8Array>({
      pull: (c) => {
        pulls++
        if (pulls < 4) c.enqueue(new Uint8Array(1024))
        else return new Promise<void>(() => {}) // stalls like a client that went quiet
      }
    })
    const fiber = runtime.runFork(ObjectStore.use((s) => s.put("interrupted/x", endless)))
    while (pulls < 4) await new Promise((r) => setTimeout(r, 10))
    await runtime.runPromise(Fiber.interrupt(fiber))
    expect((await failure(store.head("interrupted/x")))._tag).toBe("ObjectNotFound")
    expect(await readdir(join(root, ".keyframe", "tmp"))).toEqual([])
  })

  it("refuses a key that is both an object and a folder (a limit of files, not of S3)", async () => {
    await run(store.put("c/d", new Uint8Array(1)))
    expect((await failure(store.put("c", new Uint8Array(1))))._tag).toBe("InvalidObjectRequest")
    expect((await failure(store.put("c/d/e", new Uint8Array(1))))._tag).toBe("InvalidObjectRequest")
    expect((await failure(store.get("c")))._tag).toBe("ObjectNotFound")
    await run(store.delete("c")) // a folder is no object: nothing to delete
    expect((await run(store.head("c/d"))).size).toBe(1)
  })

  it("removes emptied folders on delete, so a folder can later become an object", async () => {
    await run(store.put("p/q/r", new Uint8Array(1)))
    await run(store.delete("p/q/r"))
    expect(existsSync(join(root, "p"))).toBe(false)
    await run(store.put("p", new Uint8Array(2)))
    expect((await run(store.head("p"))).size).toBe(2)
  })
})
