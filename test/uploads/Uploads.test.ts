/**
 * Given/when/then specifications of the upload use cases (src/uploads/Uploads.ts) on real parts: what each
 * one writes to the Upload and Quota streams, under which command ids, and what it leaves in the object store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { QuotaEvent } from "../../src/domain/quota/QuotaEvents.ts"
import { quotaPeriodAt } from "../../src/domain/quota/QuotaPeriod.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { incrementalDigest as makeDigest } from "../../src/digest/Hashes.ts"
import { testActors } from "../../src/testing/TestContext.ts"
import { attemptPrefix, mediaPrefix, originalKey, stagingKey, stagingPrefix } from "../../src/uploads/UploadObjectKeys.ts"
import { bodyOf, freshId, outcome, startUploads, type UploadsHarness } from "./UploadsHarness.ts"

const { alice, carol } = testActors
const settings = defaultDomainSettings
const HOUR = 3_600_000
const never = new AbortController().signal

let t: UploadsHarness
beforeAll(async () => {
  t = await startUploads()
}, 60_000)
afterAll(() => t?.stop())

// ---- histories ----
const created = (uploadId: string, declaredSize: number, at = Date.now(), ownerId = "alice"): UploadEvent => ({
  _tag: "UploadCreated", uploadId, ownerId, filename: "clip.mp4", container: "mp4", declaredSize, contentType: "video/mp4", at
})
const bytes = (uploadId: string, offset: number, length: number, at = Date.now()): UploadEvent => ({
  _tag: "BytesReceived", uploadId, offset, length, receivedBytes: offset + length, at
})
const receivedWhole = (uploadId: string, size: number, ownerId = "alice"): ReadonlyArray<UploadEvent> => [
  created(uploadId, size, Date.now(), ownerId),
  bytes(uploadId, 0, size),
  { _tag: "UploadReceived", uploadId, size, at: Date.now() }
]
const reserved = (uploadId: string, bytes: number, userId: string, at = Date.now()): QuotaEvent => {
  const period = quotaPeriodAt(at, settings)
  return { _tag: "UploadReserved", userId, uploadId, bytes, periodStart: period.start, periodEnd: period.end, at }
}

/**
 * A user of their own per test: `given` writes past the actors, so a quota actor another test already loaded
 * would not see it (in the running system only actors write).
 */
const freshUser = () => {
  const userId = freshId("user")
  return { userId, actor: { userId, roles: ["user"] } as const }
}

const tags = (events: ReadonlyArray<{ readonly type: string; readonly causationId: string | undefined }>) =>
  events.map((e) => [e.type, e.causationId])

describe("create", () => {
  it("given nothing, when alice creates an upload, then the quota is reserved first and the upload created, under ids derived from it", async () => {
    const id = freshId("create")
    const exit = await t.when((u) =>
      u.create({ uploadId: id, actor: alice, filename: "clip.mp4", declaredSize: 1000, contentType: "video/mp4", requestId: "req-1", settings })
    )
    expect(outcome(exit)).toBe("success")
    const quota = (await t.quotaEvents("alice")).filter((e) => e.data.uploadId === id)
    expect(tags(quota)).toEqual([["UploadReserved", `reserve:${id}`]])
    expect(tags(await t.uploadEvents(id))).toEqual([["UploadCreated", `create:${id}`]])
  })

  it("given nothing, when the Upload decider would refuse the file, then the quota is never touched", async () => {
    const id = freshId("refused")
    const exit = await t.when((u) =>
      u.create({ uploadId: id, actor: carol, filename: "notes.txt", declaredSize: 10, contentType: "text/plain", requestId: "req-2", settings })
    )
    expect(outcome(exit)).toBe("UnsupportedFormat")
    expect(await t.quotaEvents("carol")).toEqual([])
    expect(await t.uploadEvents(id)).toEqual([])
  })

  it("given a weekly limit already used up, when another upload is created, then QuotaExceeded and no Upload exists", async () => {
    const userId = freshId("full")
    const id = freshId("over")
    await t.given({ quota: [{ _tag: "QuotaLimitSet", userId, limitBytes: 100, setBy: "system", reason: "test", at: Date.now() }] })
    const exit = await t.when((u) =>
      u.create({ uploadId: id, actor: { userId, roles: ["user"] }, filename: "clip.mp4", declaredSize: 101, contentType: "video/mp4", requestId: "r", settings })
    )
    expect(outcome(exit)).toBe("QuotaExceeded")
    expect(await t.uploadEvents(id)).toEqual([])
  })
})

describe("receive bytes", () => {
  it("given a created upload, when a body arrives at its offset, then it is staged under its key and recorded (append:<id>@<offset>+<length>)", async () => {
    const id = freshId("recv")
    await t.given({ upload: [created(id, 10)] })
    const exit = await t.whenLoaded(id, (u, upload) =>
      u.receiveBytes({ upload, offset: 0, body: bodyOf(new Uint8Array(4).fill(7)), stop: never, actor: alice, requestId: "r" })
    )
    expect(exit._tag === "Success" && exit.value.length).toBe(4)
    expect(await t.keys(stagingPrefix(id))).toEqual([stagingKey(id, 0)])
    expect(tags(await t.uploadEvents(id)).slice(1)).toEqual([["BytesReceived", `append:${id}@0+4`]])
  })

  it("given 6 bytes left, when the last 6 arrive, then the upload is received whole", async () => {
    const id = freshId("last")
    await t.given({ upload: [created(id, 10), bytes(id, 0, 4)] })
    const exit = await t.whenLoaded(id, (u, upload) =>
      u.receiveBytes({ upload, offset: 4, body: bodyOf(new Uint8Array(6)), stop: never, actor: alice, requestId: "r" })
    )
    expect(exit._tag === "Success" && exit.value.recorded?.events.map((e) => e._tag)).toEqual(["BytesReceived", "UploadReceived"])
  })

  it("given 4 bytes left, when a longer body arrives, then BodyTooLong and nothing is stored or recorded", async () => {
    const id = freshId("long")
    await t.given({ upload: [created(id, 10), bytes(id, 0, 6)] })
    const exit = await t.whenLoaded(id, (u, upload) =>
      u.receiveBytes({ upload, offset: 6, body: bodyOf(new Uint8Array(5)), stop: never, actor: alice, requestId: "r" })
    )
    expect(outcome(exit)).toBe("BodyTooLong")
    expect(await t.keys(stagingPrefix(id))).toEqual([])
    expect((await t.uploadEvents(id)).length).toBe(2)
  })

  it("given a checksum that does not match, when the body arrives, then ChecksumMismatch: the staged object is removed and nothing recorded", async () => {
    const id = freshId("sum")
    await t.given({ upload: [created(id, 10)] })
    const exit = await t.whenLoaded(id, (u, upload) =>
      u.receiveBytes({
        upload,
        offset: 0,
        body: bodyOf(new Uint8Array(3)),
        checksum: { algorithm: "sha256", value: "AAAA", digest: makeDigest("sha256"), matches: () => false },
        stop: never,
        actor: alice,
        requestId: "r"
      })
    )
    expect(outcome(exit)).toBe("ChecksumMismatch")
    expect(await t.keys(stagingPrefix(id))).toEqual([])
    expect((await t.uploadEvents(id)).length).toBe(1)
  })

  it("given a matching checksum, when the body arrives, then the checksum is recorded with the bytes", async () => {
    const id = freshId("sumok")
    await t.given({ upload: [created(id, 10)] })
    let seen: Uint8Array | undefined
    const exit = await t.whenLoaded(id, (u, upload) =>
      u.receiveBytes({
        upload,
        offset: 0,
        body: bodyOf(new TextEncoder().encode("abc")),
        checksum: { algorithm: "sha256", value: "given", digest: makeDigest("sha256"), matches: (d) => ((seen = d), true) },
        stop: never,
        actor: alice,
        requestId: "r"
      })
    )
    expect(outcome(exit)).toBe("success")
    // SHA-256("abc")
    expect(Array.from(seen!, (b) => b.toString(16).padStart(2, "0")).join("")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect((await t.uploadEvents(id))[1]?.data.checksum).toEqual({ algorithm: "sha256", value: "given" })
  })
})

describe("cancel and expire", () => {
  it("given a receiving upload with staged bytes, when it is cancelled, then it ends, its reservation is released and its bytes are gone; a repeat changes nothing", async () => {
    const id = freshId("cancel")
    const { userId, actor } = freshUser()
    await t.given({ quota: [reserved(id, 10, userId)], upload: [created(id, 10, Date.now(), userId), bytes(id, 0, 4)] })
    await t.put(stagingKey(id, 0), new Uint8Array(4))
    expect(outcome(await t.whenLoaded(id, (u, upload) => u.cancel(upload, actor, "r")))).toBe("success")
    expect(tags(await t.uploadEvents(id)).slice(2)).toEqual([["UploadCancelled", `cancel:${id}`]])
    expect(tags(await t.quotaEvents(userId)).slice(1)).toEqual([["ReservationReleased", `release:${id}`]])
    expect(await t.keys(stagingPrefix(id))).toEqual([])

    expect(outcome(await t.whenLoaded(id, (u, upload) => u.cancel(upload, actor, "r2")))).toBe("success")
    expect((await t.uploadEvents(id)).length).toBe(3)
    expect((await t.quotaEvents(userId)).length).toBe(2)
  })

  it("given an upload idle past UPLOAD_EXPIRY_HOURS, when a request finds it, then it expires at once: released, bytes gone", async () => {
    const id = freshId("expire")
    const { userId } = freshUser()
    const idleSince = Date.now() - (settings.uploadExpiryHours + 1) * HOUR
    await t.given({ quota: [reserved(id, 10, userId, idleSince)], upload: [created(id, 10, idleSince, userId)] })
    await t.put(stagingKey(id, 0), new Uint8Array(1))
    expect(outcome(await t.whenLoaded(id, (u, upload) => u.expire(upload, "r")))).toBe("success")
    expect(tags(await t.uploadEvents(id)).slice(1)).toEqual([["UploadExpired", `expire:${id}`]])
    expect(tags(await t.quotaEvents(userId)).slice(1)).toEqual([["ReservationReleased", `release:${id}`]])
    expect(await t.keys(stagingPrefix(id))).toEqual([])
  })

  it("given an upload still within its expiry, when the janitor expires it, then UploadNotExpired; past it, the same command id as a request's expiry", async () => {
    const fresh = freshId("idle")
    await t.given({ upload: [created(fresh, 10)] })
    expect(outcome(await t.when((u) => u.expireIdle(fresh)))).toBe("UploadNotExpired")
    const old = freshId("idle")
    await t.given({ upload: [created(old, 10, Date.now() - (settings.uploadExpiryHours + 1) * HOUR)] })
    expect(outcome(await t.when((u) => u.expireIdle(old)))).toBe("success")
    expect(tags(await t.uploadEvents(old)).slice(1)).toEqual([["UploadExpired", `expire:${old}`]])
  })
})

describe("settle", () => {
  it("given a ready upload, when it is settled, then its quota is committed and its staged bytes and transcode output are deleted, the media kept", async () => {
    const id = freshId("ready")
    const { userId } = freshUser()
    await t.given({ quota: [reserved(id, 8, userId)], upload: [...receivedWhole(id, 8, userId), { _tag: "UploadReady", uploadId: id, at: Date.now() }] })
    await t.put(stagingKey(id, 0), new Uint8Array(8))
    await t.put(`${attemptPrefix(id, 1)}master.m3u8`, new Uint8Array(1))
    await t.put(`${mediaPrefix(id)}master.m3u8`, new Uint8Array(1))
    expect(outcome(await t.whenLoaded(id, (u, upload) => u.settle(upload)))).toBe("success")
    expect(tags(await t.quotaEvents(userId)).slice(1)).toEqual([["UploadCommitted", `commit:${id}`]])
    expect(await t.keys(stagingPrefix(id))).toEqual([])
    expect(await t.keys(attemptPrefix(id, 1))).toEqual([])
    expect(await t.keys(mediaPrefix(id))).toEqual([`${mediaPrefix(id)}master.m3u8`])
  })

  it("given a failed upload, when it is settled, then its reservation is released and everything it stored is deleted", async () => {
    const id = freshId("failed")
    const { userId } = freshUser()
    await t.given({ quota: [reserved(id, 8, userId)], upload: [...receivedWhole(id, 8, userId), { _tag: "UploadFailed", uploadId: id, reason: "no", at: Date.now() }] })
    for (const key of [stagingKey(id, 0), originalKey(id), `${attemptPrefix(id, 1)}a.ts`, `${mediaPrefix(id)}a.ts`]) await t.put(key, new Uint8Array(1))
    expect(outcome(await t.whenLoaded(id, (u, upload) => u.settle(upload)))).toBe("success")
    expect((await t.quotaEvents(userId)).slice(1).map((e) => [e.type, e.causationId, e.data.reason])).toEqual([
      ["ReservationReleased", `release:${id}`, "failed"]
    ])
    for (const prefix of [stagingPrefix(id), originalKey(id), attemptPrefix(id, 1), mediaPrefix(id)]) expect(await t.keys(prefix)).toEqual([])
  })
})

describe("processing commands", () => {
  it("given a received upload, when a worker claims, records and completes the chunk step, then each event carries its step id", async () => {
    const id = freshId("steps")
    await t.given({ upload: receivedWhole(id, 8) })
    const claim = await t.when((u) => u.claimStep(id, "chunk", 1, "w-1", 60_000))
    expect(outcome(claim)).toBe("success")
    const under = { uploadId: id, step: "chunk" as const, workerId: "w-1", attempt: 1 }
    expect(outcome(await t.when((u) => u.recordChunk(under, "mp-1", { partNumber: 1, etag: "e1", size: 8 })))).toBe("success")
    expect(outcome(await t.when((u) => u.recordMilestone(under, "probed", { width: 8 })))).toBe("success")
    expect(outcome(await t.when((u) => u.completeStep(under, { details: { sizeBytes: 8 } })))).toBe("success")
    const chunkId = (await t.uploadEvents(id)).find((e) => e.type === "ChunkUploaded")?.causationId
    expect(chunkId).toMatch(new RegExp(`^chunk:${id}:[0-9a-f]{8}:1$`))
    expect(tags(await t.uploadEvents(id)).filter(([type]) => type !== "ChunkUploaded").slice(3)).toEqual([
      ["StepClaimed", `claim:${id}:chunk:1`],
      ["MilestoneReached", `milestone:${id}:chunk:1:probed`],
      ["StepCompleted", `complete:${id}:chunk:1`]
    ])
  })

  it("given a claimed step, when it fails for good, then the upload fails; giving up on a silent worker fails it with a reason a person can read", async () => {
    const id = freshId("fail")
    await t.given({ upload: receivedWhole(id, 8) })
    await t.when((u) => u.claimStep(id, "chunk", 1, "w-1", 60_000))
    expect(outcome(await t.when((u) => u.failStep({ uploadId: id, step: "chunk", workerId: "w-1", attempt: 1 }, "not a video", false)))).toBe("success")
    expect(tags(await t.uploadEvents(id)).slice(4)).toEqual([["StepFailed", `fail:${id}:chunk:1`], ["UploadFailed", `fail:${id}:chunk:1`]])

    const silent = freshId("silent")
    await t.given({ upload: receivedWhole(silent, 8) })
    await t.when((u) => u.claimStep(silent, "chunk", 1, "w-1", 60_000))
    expect(outcome(await t.when((u) => u.giveUp(silent, "chunk", 3, 300)))).toBe("success")
    const failed = (await t.uploadEvents(silent)).at(-1)!
    expect([failed.type, failed.causationId]).toEqual(["UploadFailed", `give-up:${silent}:chunk`])
    expect(failed.data.reason).toContain("VIDEO_PROCESSING_TIMEOUT (300 s)")
  })
})

describe("reconcile a reservation", () => {
  it("given a reservation whose upload was never created, when it is reconciled, then it is given back once however often it is tried", async () => {
    const userId = freshId("rec")
    const id = freshId("never")
    await t.given({ quota: [reserved(id, 50, userId)] })
    expect(await t.when((u) => u.reconcileReservation(userId, id))).toMatchObject({ _tag: "Success", value: true })
    expect(await t.when((u) => u.reconcileReservation(userId, id))).toMatchObject({ _tag: "Success", value: false })
    expect(tags(await t.quotaEvents(userId)).slice(1)).toEqual([["ReservationReconciled", `reconcile:${id}`]])
  })

  it("given a reservation whose upload exists, when it is reconciled, then it stays for the upload's own life to settle", async () => {
    const userId = freshId("rec")
    const id = freshId("exists")
    await t.given({ quota: [reserved(id, 50, userId)], upload: [{ ...created(id, 50), ownerId: userId } as UploadEvent] })
    expect(await t.when((u) => u.reconcileReservation(userId, id))).toMatchObject({ _tag: "Success", value: false })
    expect((await t.quotaEvents(userId)).length).toBe(1)
  })

  it("given a live stream's reservation (made under the stream's id, before its upload exists), then it stays for the stream to settle", async () => {
    const userId = freshId("rec")
    const id = freshId("live")
    await t.given({ quota: [reserved(id, 50, userId)] })
    await t.appendRaw(`stream-${id}`, [{ type: "StreamStarted", data: { streamId: id, ownerId: userId, source: "push", chunkSizeBytes: 10, at: Date.now() } }])
    expect(await t.when((u) => u.reconcileReservation(userId, id))).toMatchObject({ _tag: "Success", value: false })
    expect((await t.quotaEvents(userId)).length).toBe(1)
  })
})

describe("adopt a stream's original", () => {
  const SHA = "b".repeat(64)

  it("given a sealed original, when adopted, then the upload starts at transcode under the stream's id, reserving nothing, once", async () => {
    const { userId } = freshUser()
    const id = freshId("stream")
    await t.put(originalKey(id), new Uint8Array(1234))
    const adopt = () => t.when((u) => u.adoptStreamOriginal({ streamId: id, ownerId: userId, title: "Live at five", size: 1234, sha256: SHA }))
    expect(outcome(await adopt())).toBe("success")
    expect(outcome(await adopt())).toBe("success")
    const written = await t.uploadEvents(id)
    expect(tags(written)).toEqual([["UploadAdoptedFromStream", `adopt:${id}`]])
    expect(written[0]!.data).toMatchObject({ ownerId: userId, filename: "Live at five", container: "mp4", size: 1234, sha256: SHA })
    expect(await t.quotaEvents(userId)).toEqual([])
  })

  it("names it after its source when it has no usable title, else after the stream", async () => {
    const named = async (names: { readonly title?: string; readonly sourceRef?: string }) => {
      const id = freshId("stream")
      await t.put(originalKey(id), new Uint8Array(10))
      await t.when((u) => u.adoptStreamOriginal({ streamId: id, ownerId: "alice", ...names, size: 10, sha256: SHA }))
      return { id, filename: (await t.uploadEvents(id))[0]?.data["filename"] }
    }
    expect((await named({ title: "\u0000", sourceRef: "cam2.mp4" })).filename).toBe("cam2.mp4")
    const bare = await named({})
    expect(bare.filename).toBe(`${bare.id}.mp4`)
  })

  it("given no original, or one of another size, then nothing is written", async () => {
    const id = freshId("stream")
    const adopt = (size: number) => t.when((u) => u.adoptStreamOriginal({ streamId: id, ownerId: "alice", size, sha256: SHA }))
    expect(outcome(await adopt(10))).toBe("StreamOriginalMissing")
    await t.put(originalKey(id), new Uint8Array(11))
    expect(outcome(await adopt(10))).toBe("StreamOriginalMismatch")
    expect(await t.uploadEvents(id)).toEqual([])
  })
})

describe("quota summary", () => {
  it("given a limit and a reservation, then the summary shows what is left and when it renews", async () => {
    const userId = freshId("sum")
    await t.given({ quota: [{ _tag: "QuotaLimitSet", userId, limitBytes: 1000, setBy: "system", reason: "test", at: Date.now() }, reserved("u-1", 300, userId)] })
    const exit = await t.when((u) => u.quotaSummary({ userId, roles: ["user"] }, settings))
    expect(exit).toMatchObject({
      _tag: "Success",
      value: { limitBytes: 1000, remainingBytes: 700, resetsAt: new Date(quotaPeriodAt(Date.now(), settings).end).toISOString() }
    })
  })
})
