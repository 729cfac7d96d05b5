/** What each read model says about hand-written lifecycles (sequential folds of decoded domain events). */
import { describe, expect, it } from "vitest"
import { QuotasProjection, RoomsProjection, StorageProjection, StreamsProjection, UploadsProjection, VideosProjection } from "../../projections/index.ts"
import type { AnyProjection } from "../../projections/Projection.ts"
import { foldSequential } from "../../projections/ProjectionReplay.ts"
import { type HistoryAppend, makeHistory, toRecorded } from "./RealisticHistory.ts"
import { QuotaEventCodec } from "../../src/domain/quota/QuotaAggregate.ts"
import { RoomEventCodec } from "../../src/domain/room/RoomAggregate.ts"
import { StreamEventCodec } from "../../src/domain/stream/StreamAggregate.ts"
import { UploadEventCodec } from "../../src/domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import type { QuotaEvent } from "../../src/domain/quota/QuotaEvents.ts"
import type { RoomEvent } from "../../src/domain/room/RoomEvents.ts"
import type { StreamEvent } from "../../src/domain/stream/StreamEvents.ts"

const T = Date.UTC(2026, 0, 5, 12)
const enc = (e: { type: string; data: unknown; schemaVersion: number }) => ({ type: e.type, data: e.data, metadata: { schemaVersion: e.schemaVersion } })
const up = (...es: Array<UploadEvent>): HistoryAppend => ({ stream: `upload-${es[0]!.uploadId}`, events: es.map((e) => enc(UploadEventCodec.encode(e))) })
const quota = (...es: Array<QuotaEvent>): HistoryAppend => ({ stream: `quota-${es[0]!.userId}`, events: es.map((e) => enc(QuotaEventCodec.encode(e))) })
const room = (...es: Array<RoomEvent>): HistoryAppend => ({ stream: `room-${es[0]!.roomId}`, events: es.map((e) => enc(RoomEventCodec.encode(e))) })
const live = (...es: Array<StreamEvent>): HistoryAppend => ({ stream: `stream-${es[0]!.streamId}`, events: es.map((e) => enc(StreamEventCodec.encode(e))) })

const fold = (projection: AnyProjection, appends: Array<HistoryAppend>) => foldSequential(projection, toRecorded(appends))

const uploadLife = (id: string): Array<HistoryAppend> => [
  up({ _tag: "UploadCreated", uploadId: id, ownerId: "ann", filename: "holiday.mov", container: "mov", declaredSize: 100, contentType: "video/quicktime", at: T }),
  up({ _tag: "BytesReceived", uploadId: id, offset: 0, length: 60, receivedBytes: 60, at: T + 1 }),
  up({ _tag: "BytesReceived", uploadId: id, offset: 60, length: 40, receivedBytes: 100, at: T + 2 }, { _tag: "UploadReceived", uploadId: id, size: 100, at: T + 2 }),
  up({ _tag: "StepClaimed", uploadId: id, step: "chunk", workerId: "w1", attempt: 1, leaseExpiresAt: T + 100, at: T + 3 }),
  up({ _tag: "StepCompleted", uploadId: id, step: "chunk", workerId: "w1", attempt: 1, at: T + 4 }),
  up({ _tag: "StepClaimed", uploadId: id, step: "transcode", workerId: "w1", attempt: 1, leaseExpiresAt: T + 100, at: T + 5 }),
  up({ _tag: "StepFailed", uploadId: id, step: "transcode", workerId: "w1", attempt: 1, reason: "ffmpeg crashed", retryAt: T + 50, at: T + 6 })
]

describe("uploads", () => {
  it("tracks offset, progress milestones, the step, attempts and the last error", () => {
    const doc = fold(UploadsProjection, uploadLife("u1")).get("upload")!.get("u1") as any
    expect(doc).toMatchObject({
      status: "processing",
      offset: 100,
      progress: 1,
      step: "transcode",
      stepState: "retrying",
      attempts: 1,
      retryAt: T + 50,
      lastError: { step: "transcode", attempt: 1, reason: "ffmpeg crashed", at: T + 6 },
      stepsDone: ["chunk"],
      lease: null
    })
    expect(doc.milestones.map((m: any) => m.name)).toEqual(["created", "receiving", "25%", "50%", "75%", "received", "chunk-started", "chunk-done", "transcode-started", "transcode-failed"])
  })

  it("a cancelled upload is no video; a failed one is, with its reason", () => {
    const cancelled = [...uploadLife("u2").slice(0, 2), up({ _tag: "UploadCancelled", uploadId: "u2", cancelledBy: "ann", at: T + 9 })]
    expect(fold(VideosProjection, cancelled).get("video")!.has("u2")).toBe(false)
    expect(fold(UploadsProjection, cancelled).get("upload")!.get("u2")).toMatchObject({ status: "cancelled", endedAt: T + 9 })
    const failed = [...uploadLife("u3"), up({ _tag: "UploadFailed", uploadId: "u3", reason: "Not a video.", at: T + 9 })]
    expect(fold(VideosProjection, failed).get("video")!.get("u3")).toMatchObject({ status: "failed", failureReason: "Not a video.", title: "holiday", sizeBytes: 100 })
  })

  it("a live stream's adopted original: source stream, all bytes there, the chunk step behind it, transcoding next", () => {
    const sha256 = "c".repeat(64)
    const adopted = [
      up({ _tag: "UploadAdoptedFromStream", uploadId: "s1", ownerId: "ann", filename: "Morning show", container: "mp4", contentType: "video/mp4", size: 300, sha256, at: T }),
      up({ _tag: "StepClaimed", uploadId: "s1", step: "transcode", workerId: "w1", attempt: 1, leaseExpiresAt: T + 100, at: T + 1 })
    ]
    const doc = fold(UploadsProjection, adopted).get("upload")!.get("s1") as any
    expect(doc).toMatchObject({
      source: "stream",
      status: "processing",
      declaredSize: 300,
      offset: 300,
      progress: 1,
      step: "transcode",
      stepState: "running",
      attempts: 1,
      stepsDone: ["chunk"],
      receivedAt: T,
      media: { sizeBytes: 300, sha256 }
    })
    expect(doc.milestones.map((m: any) => m.name)).toEqual(["adopted", "received", "transcode-started"])
    expect(fold(UploadsProjection, uploadLife("u4")).get("upload")!.get("u4")).toMatchObject({ source: "upload" })
    expect(fold(VideosProjection, adopted).get("video")!.get("s1")).toMatchObject({
      status: "processing", ownerId: "ann", title: "Morning show", sizeBytes: 300, sha256
    })
    // its original is stored whole from the start
    const storage = fold(StorageProjection, adopted)
    expect(storage.get("upload")!.get("s1")).toMatchObject({ ownerId: "ann", originalBytes: 300, mediaBytes: 0 })
    expect(storage.get("totals")!.get("all")).toMatchObject({ originalsBytes: 300, uploads: 1 })
  })
})

describe("quotas", () => {
  it("reserved and committed per period, the limit override per user", () => {
    const period = { periodStart: T - 3600_000, periodEnd: T + 6 * 86_400_000 }
    const docs = fold(QuotasProjection, [
      quota({ _tag: "UploadReserved", userId: "ann", uploadId: "a", bytes: 100, ...period, at: T }),
      quota({ _tag: "UploadReserved", userId: "ann", uploadId: "b", bytes: 50, ...period, at: T }),
      quota({ _tag: "UploadCommitted", userId: "ann", uploadId: "a", periodStart: period.periodStart, reservedBytes: 100, committedBytes: 90, at: T }),
      quota({ _tag: "ReservationReleased", userId: "ann", uploadId: "b", periodStart: period.periodStart, bytes: 50, reason: "cancelled", at: T }),
      quota({ _tag: "UploadReserved", userId: "ann", uploadId: "c", bytes: 10, ...period, at: T }),
      quota({ _tag: "QuotaLimitSet", userId: "ann", limitBytes: -1, setBy: "root", reason: "sponsor", at: T + 5 })
    ])
    expect(docs.get("period")!.get(`ann:${period.periodStart}`)).toMatchObject({ reservedBytes: 10, committedBytes: 90, openReservations: 1, uploads: 3, periodEnd: period.periodEnd })
    expect(docs.get("user")!.get("ann")).toMatchObject({ limitOverride: -1, limitSetBy: "root", latestPeriodStart: period.periodStart })
  })
})

describe("rooms and streams", () => {
  it("rooms count members and keep playback; a closed room is empty", () => {
    const r = fold(RoomsProjection, [
      room({ _tag: "RoomOpened", roomId: "r", hostId: "ann", sponsored: true, capacity: -1, at: T }),
      room({ _tag: "MemberJoined", roomId: "r", userId: "bo", at: T + 1 }),
      room({ _tag: "PlaybackChanged", roomId: "r", action: "play", positionMs: 1500, by: "ann", at: T + 2 }),
      room({ _tag: "ChatPosted", roomId: "r", messageId: "m1", userId: "bo", text: "hi", at: T + 3 })
    ]).get("room")!.get("r")
    expect(r).toMatchObject({ tier: "sponsor", memberCount: 2, chatMessages: 1, lastActivityAt: T + 3, playback: { playing: true, positionMs: 1500, by: "ann" } })
    const closed = fold(RoomsProjection, [
      room({ _tag: "RoomOpened", roomId: "q", hostId: "ann", sponsored: false, capacity: 10, at: T }),
      room({ _tag: "RoomClosed", roomId: "q", closedBy: "ann", reason: "host", at: T + 9 })
    ]).get("room")!.get("q")
    expect(closed).toMatchObject({ status: "closed", memberCount: 0, closedAt: T + 9, closeReason: "host" })
  })

  it("streams show bytes received versus stored in parts (the lag), the last growth, and how they ended", () => {
    const sha = "a".repeat(64)
    const s = fold(StreamsProjection, [
      live({ _tag: "StreamStarted", streamId: "s", ownerId: "ann", source: "push", title: "Cam", chunkSizeBytes: 10, at: T }),
      live({ _tag: "StreamMultipartStarted", streamId: "s", key: "originals/s", multipartUploadId: "mp", at: T }),
      live({ _tag: "StreamBytesReceived", streamId: "s", offset: 0, length: 25, at: T + 1 }),
      live({ _tag: "StreamPartUploaded", streamId: "s", partNumber: 1, offset: 0, size: 10, etag: "e", sha256: sha, observedBytes: 25, at: T + 3 })
    ]).get("stream")!.get("s")
    expect(s).toMatchObject({ state: "live", title: "Cam", bytesReceived: 25, partsUploaded: 1, bytesUploaded: 10, lagBytes: 15, lastGrowthAt: T + 1 })
    const watched = fold(StreamsProjection, [
      live({ _tag: "StreamStarted", streamId: "w", ownerId: "ann", source: "watch", chunkSizeBytes: 10, at: T }),
      live({ _tag: "StreamMultipartStarted", streamId: "w", key: "originals/w", multipartUploadId: "mp", at: T }),
      live({ _tag: "StreamPartUploaded", streamId: "w", partNumber: 1, offset: 0, size: 10, etag: "e", sha256: sha, observedBytes: 14, at: T + 2 }),
      live({ _tag: "StreamFailed", streamId: "w", reason: "source-vanished", detail: "the file is gone", uploadedBytes: 10, at: T + 5 })
    ]).get("stream")!.get("w")
    expect(watched).toMatchObject({ state: "failed", bytesReceived: 14, lagBytes: 4, lastGrowthAt: T + 2, failureReason: "source-vanished", failedAt: T + 5 })
  })
})

describe("a realistic history", () => {
  it("every model folds it without a bug and fills every status", () => {
    const events = toRecorded(makeHistory({ events: 10_000, idPrefix: "x", concurrency: 30, seed: 8 }))
    const videos = foldSequential(VideosProjection, events).get("video")!
    expect(new Set([...videos.values()].map((v: any) => v.status))).toEqual(new Set(["uploading", "processing", "ready", "failed"]))
    // the Video aggregate's facts: every visibility, takedowns, categories; the catalog without its removed category
    expect(new Set([...videos.values()].map((v: any) => v.visibility))).toEqual(new Set(["public", "unlisted", "private"]))
    expect([...videos.values()].some((v: any) => v.takenDown && v.accessEpoch > 0)).toBe(true)
    expect([...videos.values()].some((v: any) => v.category === "music")).toBe(true)
    expect([...videos.values()].some((v: any) => v.allowedOrigins.includes("https://player.example"))).toBe(true)
    expect([...videos.values()].every((v: any) => Array.isArray(v.allowedOrigins))).toBe(true)
    expect([...foldSequential(VideosProjection, events).get("category")!.keys()].sort()).toEqual(["gaming", "music", "travel", "vlogs"])
    const uploads = foldSequential(UploadsProjection, events).get("upload")!
    expect([...new Set([...uploads.values()].map((u: any) => u.status))]).toEqual(
      expect.arrayContaining(["cancelled", "created", "expired", "failed", "processing", "ready", "receiving"])
    )
  })
})
