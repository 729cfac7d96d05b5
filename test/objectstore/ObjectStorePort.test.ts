/**
 * makeObjectStore runs every input check of the port before the adapter's raw implementation: a raw
 * store that records its calls shows that bad keys, prefixes, options, lengths, ranges, part numbers
 * and part lists never reach it, whatever the method, and that good input arrives with defaults filled in.
 */
import { Effect, Exit, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { BodyLengthMismatch } from "../../src/objectstore/ObjectBody.ts"
import { makeObjectStore, type ObjectBody, type ObjectStoreShape, type RawObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { type Call, callRecorder } from "../support/CallRecorder.ts"


const recordingStore = (): { readonly store: ObjectStoreShape; readonly calls: Array<Call> } => {
  const { calls, record } = callRecorder()
  const info = { key: "k", size: 0, etag: '"e"', lastModified: new Date(0), contentType: "t", cacheControl: undefined }
  const raw: RawObjectStore = {
    kind: "recording",
    minPartSize: 5,
    put: (key, body, metadata) => record(["put", key, body, metadata], { key, size: 0, etag: '"e"' }),
    get: (key, range) =>
      record(["get", key, range], { ...info, body: new ReadableStream(), contentLength: 0, range: undefined }),
    head: (key) => record(["head", key], info),
    delete: (key) => record(["delete", key], undefined),
    deletePrefix: (prefix) => record(["deletePrefix", prefix], 0),
    list: (prefix) => Stream.fromEffect(record(["list", prefix], undefined)).pipe(Stream.drain),
    createMultipartUpload: (key, metadata) => record(["createMultipartUpload", key, metadata], "upload-1"),
    uploadPart: (key, uploadId, partNumber, body, contentLength) =>
      record(["uploadPart", key, uploadId, partNumber, body, contentLength], '"p"'),
    completeMultipartUpload: (key, uploadId, parts) =>
      record(["completeMultipartUpload", key, uploadId, parts], { key, size: 0, etag: '"e"' }),
    abortMultipartUpload: (key, uploadId) => record(["abortMultipartUpload", key, uploadId], undefined),
    listParts: (key, uploadId) => record(["listParts", key, uploadId], []),
    presignGet: (key, expiresSeconds) => record(["presignGet", key, expiresSeconds], undefined),
    ping: Effect.sync(() => void calls.push(["ping"]))
  }
  return { store: makeObjectStore(raw), calls }
}

const failureOf = async (effect: Effect.Effect<unknown, { readonly _tag: string }>) => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return { _tag: "success", message: "" }
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  return reason && "error" in reason
    ? (reason.error as { readonly _tag: string; readonly message: string })
    : { _tag: `defect: ${String(exit.cause)}`, message: "" }
}

const bytes = (n: number) => new Uint8Array(n)
const streamOf = (data: Uint8Array): ObjectBody =>
  new ReadableStream({
    start(c) {
      c.enqueue(data)
      c.close()
    }
  })

/** [what, call, expected tag]. */
const badCalls: ReadonlyArray<readonly [string, (s: ObjectStoreShape) => Effect.Effect<unknown, { readonly _tag: string }>, string]> = [
  ["put: a key with ..", (s) => s.put("a/../b", bytes(1)), "InvalidObjectKey"],
  ["put: a content type that is not printable ASCII", (s) => s.put("a", bytes(1), { contentType: "vidéo/mp4" }), "InvalidObjectRequest"],
  ["put: a negative content length", (s) => s.put("a", streamOf(bytes(1)), { contentLength: -1 }), "InvalidObjectRequest"],
  ["put: bytes of another length than declared", (s) => s.put("a", bytes(2), { contentLength: 5 }), "InvalidObjectRequest"],
  ["get: an empty key", (s) => s.get(""), "InvalidObjectKey"],
  ["get: a negative range start", (s) => s.get("a", { range: { start: -1 } }), "RangeNotSatisfiable"],
  ["get: a fractional range start", (s) => s.get("a", { range: { start: 0.5 } }), "RangeNotSatisfiable"],
  ["get: a range end that is not a number", (s) => s.get("a", { range: { start: 0, end: Number.NaN } }), "RangeNotSatisfiable"],
  ["get: a range that ends before it starts", (s) => s.get("a", { range: { start: 5, end: 2 } }), "RangeNotSatisfiable"],
  ["head: a leading /", (s) => s.head("/a"), "InvalidObjectKey"],
  ["delete: a reserved key", (s) => s.delete(".keyframe/tmp/x"), "InvalidObjectKey"],
  ["deletePrefix: the empty prefix", (s) => s.deletePrefix(""), "InvalidObjectKey"],
  ["deletePrefix: a prefix with ..", (s) => s.deletePrefix("../x"), "InvalidObjectKey"],
  ["list: a prefix with a backslash", (s) => Stream.runDrain(s.list("a\\b")), "InvalidObjectKey"],
  ["createMultipartUpload: a key ending in /", (s) => s.createMultipartUpload("a/"), "InvalidObjectKey"],
  ["createMultipartUpload: a cache policy with a newline", (s) => s.createMultipartUpload("a", { cacheControl: "a\nb" }), "InvalidObjectRequest"],
  ["uploadPart: a control character in the key", (s) => s.uploadPart("a\u0001", "u", 1, bytes(1), 1), "InvalidObjectKey"],
  ["uploadPart: part number 0", (s) => s.uploadPart("a", "u", 0, bytes(1), 1), "InvalidObjectRequest"],
  ["uploadPart: part number 10001", (s) => s.uploadPart("a", "u", 10_001, bytes(1), 1), "InvalidObjectRequest"],
  ["uploadPart: a fractional length", (s) => s.uploadPart("a", "u", 1, streamOf(bytes(1)), 1.5), "InvalidObjectRequest"],
  ["uploadPart: bytes of another length than declared", (s) => s.uploadPart("a", "u", 1, bytes(3), 2), "InvalidObjectRequest"],
  ["completeMultipartUpload: an empty key", (s) => s.completeMultipartUpload("", "u", [{ partNumber: 1, etag: "e" }]), "InvalidObjectKey"],
  ["completeMultipartUpload: no parts", (s) => s.completeMultipartUpload("a", "u", []), "InvalidObjectRequest"],
  ["completeMultipartUpload: parts out of order", (s) =>
    s.completeMultipartUpload("a", "u", [{ partNumber: 2, etag: "e" }, { partNumber: 1, etag: "e" }]), "InvalidObjectRequest"],
  ["completeMultipartUpload: a part twice", (s) =>
    s.completeMultipartUpload("a", "u", [{ partNumber: 1, etag: "e" }, { partNumber: 1, etag: "e" }]), "InvalidObjectRequest"],
  ["abortMultipartUpload: a . segment", (s) => s.abortMultipartUpload("a/./b", "u"), "InvalidObjectKey"],
  ["listParts: an empty segment", (s) => s.listParts("a//b", "u"), "InvalidObjectKey"],
  ["presignGet: a leading /", (s) => s.presignGet("/x", 60), "InvalidObjectKey"]
]

describe("makeObjectStore: the port's input checks, before the raw store", () => {
  for (const [what, call, tag] of badCalls) {
    it(`${what} fails with ${tag} and never reaches the raw store`, async () => {
      const { calls, store } = recordingStore()
      expect((await failureOf(call(store)))._tag).toBe(tag)
      expect(calls).toEqual([])
    })
  }

  it("every method that takes input is covered by a bad call", () => {
    const covered = new Set(badCalls.map(([what]) => what.slice(0, what.indexOf(":"))))
    const withInput = Object.entries(recordingStore().store).filter(([, v]) => typeof v === "function").map(([k]) => k)
    expect([...covered].sort()).toEqual(withInput.sort())
  })

  it("a length mismatch of bytes in memory says so in the same words on every adapter", async () => {
    const { store } = recordingStore()
    expect((await failureOf(store.put("a", bytes(3), { contentLength: 2 }))).message)
      .toBe("put a: the body has 3 bytes, but its declared length is 2")
    expect((await failureOf(store.uploadPart("a", "u", 1, bytes(1), 2))).message)
      .toBe("uploadPart a: the body has 1 bytes, but its declared length is 2")
  })

  it("good input reaches the raw store with the defaults filled in", async () => {
    const { calls, store } = recordingStore()
    const body = bytes(4)
    const parts = [{ partNumber: 1, etag: "a" }, { partNumber: 3, etag: "b" }]
    await Effect.runPromise(store.put("media/x", body))
    await Effect.runPromise(store.put("media/y", body, { contentType: "video/mp4", cacheControl: "no-cache", contentLength: 4 }))
    await Effect.runPromise(store.get("media/x"))
    await Effect.runPromise(store.get("media/x", { range: { start: 2 } }))
    await Effect.runPromise(store.head("media/x"))
    await Effect.runPromise(store.delete("media/x"))
    await Effect.runPromise(store.deletePrefix("media/"))
    await Effect.runPromise(Stream.runDrain(store.list("")))
    await Effect.runPromise(store.createMultipartUpload("media/z"))
    await Effect.runPromise(store.uploadPart("media/z", "u", 1, body, 4))
    await Effect.runPromise(store.completeMultipartUpload("media/z", "u", parts))
    await Effect.runPromise(store.abortMultipartUpload("media/z", "u"))
    await Effect.runPromise(store.listParts("media/z", "u"))
    await Effect.runPromise(store.presignGet("media/x", 60))
    await Effect.runPromise(store.ping)
    expect([store.kind, store.minPartSize]).toEqual(["recording", 5])
    expect(calls).toEqual([
      ["put", "media/x", body, { contentType: "application/octet-stream", cacheControl: undefined }],
      ["put", "media/y", body, { contentType: "video/mp4", cacheControl: "no-cache" }],
      ["get", "media/x", undefined],
      ["get", "media/x", { start: 2 }],
      ["head", "media/x"],
      ["delete", "media/x"],
      ["deletePrefix", "media/"],
      ["list", ""],
      ["createMultipartUpload", "media/z", { contentType: "application/octet-stream", cacheControl: undefined }],
      ["uploadPart", "media/z", "u", 1, body, 4],
      ["completeMultipartUpload", "media/z", "u", parts],
      ["abortMultipartUpload", "media/z", "u"],
      ["listParts", "media/z", "u"],
      ["presignGet", "media/x", 60],
      ["ping"]
    ])
  })

  it("a streamed body with a declared length reaches the raw store checked: it fails when its length differs", async () => {
    const { calls, store } = recordingStore()
    await Effect.runPromise(store.put("a", streamOf(bytes(2)), { contentLength: 3 }))
    await Effect.runPromise(store.uploadPart("a", "u", 1, streamOf(bytes(4)), 3))
    for (const [, , body] of calls.filter(([method]) => method === "put")) {
      await expect(new Response(body as ReadableStream<Uint8Array>).arrayBuffer()).rejects.toBeInstanceOf(BodyLengthMismatch)
    }
    const part = calls.find(([method]) => method === "uploadPart")![4]
    await expect(new Response(part as ReadableStream<Uint8Array>).arrayBuffer()).rejects.toBeInstanceOf(BodyLengthMismatch)
  })
})
