/** The workers' tracker: what is due when, for each upload state, and which checkpoint is safe. */
import { describe, expect, it } from "vitest"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { T0 } from "../../src/testing/TestContext.ts"
import { UploadTracker } from "../../src/workers/UploadTracker.ts"

const rules = { jobMaxAttempts: 3, uploadExpiryMs: 24 * 3_600_000, leaseGraceMs: 2000 }
const created = (uploadId: string, at = T0): UploadEvent => ({
  _tag: "UploadCreated", uploadId, ownerId: "alice", filename: "a.mp4", container: "mp4", declaredSize: 10, contentType: "video/mp4", at
})
const received = (uploadId: string): ReadonlyArray<UploadEvent> => [
  { _tag: "BytesReceived", uploadId, offset: 0, length: 10, receivedBytes: 10, at: T0 },
  { _tag: "UploadReceived", uploadId, size: 10, at: T0 }
]
const claimed = (uploadId: string, step: "chunk" | "transcode" | "publish", attempt: number, leaseExpiresAt: number): UploadEvent => ({
  _tag: "StepClaimed", uploadId, step, workerId: "w-1", attempt, leaseExpiresAt, at: T0
})

const feed = (tracker: UploadTracker, events: ReadonlyArray<UploadEvent>, from = 1) =>
  events.forEach((e, i) => tracker.apply(from + i, e))

describe("UploadTracker", () => {
  it("expires an upload that stopped receiving, after the expiry period", () => {
    const t = new UploadTracker()
    feed(t, [created("a", T0 + 5)])
    expect(t.due(rules)).toEqual([{ kind: "expire", uploadId: "a", at: T0 + 5 + rules.uploadExpiryMs }])
  })

  it("claims the next step at once, a retry when it is due, a dead lease after its expiry, and gives up after the last attempt", () => {
    const t = new UploadTracker()
    feed(t, [created("a"), ...received("a")])
    expect(t.due(rules)).toEqual([{ kind: "claim", uploadId: "a", step: "chunk", attempt: 1, at: 0 }])
    t.apply(10, claimed("a", "chunk", 1, T0 + 60_000))
    expect(t.due(rules)).toEqual([{ kind: "claim", uploadId: "a", step: "chunk", attempt: 2, at: T0 + 62_000 }])
    t.apply(11, { _tag: "StepFailed", uploadId: "a", step: "chunk", workerId: "w-1", attempt: 1, reason: "x", retryAt: T0 + 5000, at: T0 })
    expect(t.due(rules)).toEqual([{ kind: "claim", uploadId: "a", step: "chunk", attempt: 2, at: T0 + 5000 }])
    t.apply(12, claimed("a", "chunk", 2, T0 + 70_000))
    t.apply(13, claimed("a", "chunk", 3, T0 + 80_000))
    expect(t.due(rules)).toEqual([{ kind: "giveUp", uploadId: "a", step: "chunk", attempts: 3, at: T0 + 82_000 }])
    t.apply(14, { _tag: "StepCompleted", uploadId: "a", step: "chunk", workerId: "w-1", attempt: 3, at: T0 })
    expect(t.due(rules)).toEqual([{ kind: "claim", uploadId: "a", step: "transcode", attempt: 1, at: 0 }])
  })

  it("settles an ended upload, then forgets it; postponing delays its work", () => {
    const t = new UploadTracker()
    feed(t, [created("a"), { _tag: "UploadFailed", uploadId: "a", reason: "x", at: T0 }])
    expect(t.due(rules)).toEqual([{ kind: "settle", uploadId: "a", at: 0 }])
    t.postpone("a", T0 + 1)
    expect(t.due(rules)[0]!.at).toBe(T0 + 1)
    t.forget("a")
    expect(t.due(rules)).toEqual([])
  })

  it("keeps the checkpoint just before the oldest upload still tracked, and ignores uploads created before the replay", () => {
    const t = new UploadTracker()
    t.apply(5, received("old")[0]!) // its creation came before the checkpoint it was replayed from: settled long ago
    expect(t.size).toBe(0)
    expect(t.checkpoint()).toBe(5)
    feed(t, [created("a"), ...received("a")], 10)
    feed(t, [created("b")], 20)
    expect(t.checkpoint()).toBe(9)
    t.apply(21, { _tag: "UploadReady", uploadId: "a", at: T0 })
    t.forget("a")
    expect(t.checkpoint()).toBe(19)
    t.apply(22, { _tag: "UploadCancelled", uploadId: "b", cancelledBy: "alice", at: T0 })
    t.forget("b")
    expect(t.checkpoint()).toBe(22)
  })

  it("remembers the multipart upload of the original, to abort it if the upload ends unfinished", () => {
    const t = new UploadTracker()
    feed(t, [created("a"), ...received("a"), claimed("a", "chunk", 1, T0 + 60_000)])
    t.apply(9, { _tag: "ChunkUploaded", uploadId: "a", workerId: "w-1", attempt: 1, multipartUploadId: "mp-9", partNumber: 1, etag: "\"e\"", size: 5, at: T0 })
    t.apply(10, { _tag: "UploadFailed", uploadId: "a", reason: "x", at: T0 })
    expect(t.get("a")?.multipartUploadId).toBe("mp-9")
  })
})
