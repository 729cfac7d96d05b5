/** The tus endpoint's pure parts: metadata, headers, the per-upload lock (incremental digests: test/digest/Digests.test.ts). */
import { createHash } from "node:crypto"
import { Effect, Exit, Scope } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { checkResumable, parseByteCount, parseChecksum } from "../../../src/http/tus/TusHeaders.ts"
import { formatMetadata, parseMetadata } from "../../../src/http/tus/TusMetadata.ts"
import { makeUploadLocks } from "../../../src/http/tus/UploadLocks.ts"
import { stagingKey } from "../../../src/uploads/UploadObjectKeys.ts"

describe("Upload-Metadata", () => {
  it("round-trips any keys and UTF-8 values", () => {
    const key = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/)
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, fc.string({ unit: "grapheme" })), { selector: ([k]) => k, maxLength: 6 }), (entries) => {
        const parsed = parseMetadata(formatMetadata(entries))
        expect(parsed.ok && [...parsed.metadata.entries()]).toEqual(entries)
      })
    )
  })

  it("accepts a key without a value and unpadded base64; refuses malformed pairs", () => {
    const ok = parseMetadata("is_confidential,filename Y2xpcC5tcDQ")
    expect(ok.ok && Object.fromEntries(ok.metadata)).toEqual({ is_confidential: "", filename: "clip.mp4" })
    for (const bad of ["filename a b", "filename ***", "filename Y", "a YQ==,,b", " , ", "filename /w==", "a YQ==,a YQ=="]) {
      expect(parseMetadata(bad).ok, bad).toBe(false)
    }
  })
})

describe("headers", () => {
  it("byte counts are digits only, within safe integers", () => {
    expect(parseByteCount("Upload-Length", "42", true)).toEqual({ ok: true, value: 42 })
    expect(parseByteCount("Upload-Length", undefined, false)).toEqual({ ok: true, value: undefined })
    for (const bad of ["", "-1", "1e3", "0x10", "4.5", "99999999999999999", " "]) {
      const parsed = parseByteCount("Upload-Length", bad, true)
      expect(parsed.ok, bad).toBe(false)
      if (!parsed.ok) expect(parsed.error.status).toBe(400)
    }
  })

  it("Tus-Resumable must be 1.0.0", () => {
    expect(checkResumable("1.0.0")).toBeUndefined()
    expect(checkResumable(undefined)?.status).toBe(412)
    expect(checkResumable("1.0.0")).toBeUndefined()
    expect(checkResumable("2.0.0")?.headers).toEqual({ "Tus-Version": "1.0.0" })
  })

  it("Upload-Checksum: sha1/sha256 with a digest of the right size", () => {
    const sha1 = createHash("sha1").update("x").digest("base64")
    expect(parseChecksum(`sha1 ${sha1}`)).toMatchObject({ ok: true, value: { algorithm: "sha1", value: sha1 } })
    expect(parseChecksum(`SHA256 ${createHash("sha256").update("x").digest("base64")}`).ok).toBe(true)
    const codes = ["md5 AAAA", `sha256 ${sha1}`, "sha1", "sha1 !!!!", "crc32 AAAAAA=="].map((h) => {
      const p = parseChecksum(h)
      return p.ok ? "ok" : p.error.code
    })
    expect(codes).toEqual(["CHECKSUM_ALGORITHM_UNSUPPORTED", "INVALID_CHECKSUM", "INVALID_CHECKSUM", "INVALID_CHECKSUM", "CHECKSUM_ALGORITHM_UNSUPPORTED"])
  })
})

describe("staging keys", () => {
  it("sort in offset order", () => {
    const offsets = [0, 5, 10, 1_000, 5_242_880, 2 ** 31, 2 ** 40]
    const keys = offsets.map((o) => stagingKey("u1", o))
    expect([...keys].sort()).toEqual(keys)
    expect(keys[1]).toBe("staging/u1/0000000000000005")
  })
})

describe("upload locks", () => {
  const run = <A>(effect: Effect.Effect<A, never, Scope.Scope>, scope: Scope.Closeable) =>
    Effect.runPromise(Scope.provide(scope)(effect))

  it("a second request asks the holder to stop and gets the lock once it is released", async () => {
    const locks = makeUploadLocks()
    const first = Effect.runSync(Scope.make())
    const lease = await run(locks.acquire("u", 1000), first)
    expect(lease?.stopRequested.aborted).toBe(false)
    const second = Effect.runSync(Scope.make())
    const waiting = run(locks.acquire("u", 1000), second)
    await new Promise((r) => setTimeout(r, 20))
    expect(lease?.stopRequested.aborted).toBe(true)
    await Effect.runPromise(Scope.close(first, Exit.void))
    expect((await waiting)?.stopRequested.aborted).toBe(false)
    await Effect.runPromise(Scope.close(second, Exit.void))
  })

  it("gives up when the holder does not let go in time", async () => {
    const locks = makeUploadLocks()
    const first = Effect.runSync(Scope.make())
    await run(locks.acquire("u", 1000), first)
    const second = Effect.runSync(Scope.make())
    expect(await run(locks.acquire("u", 50), second)).toBeUndefined()
    await Effect.runPromise(Scope.close(first, Exit.void))
    // another upload is never blocked
    expect(await run(locks.acquire("v", 10), second)).toBeDefined()
  })
})
