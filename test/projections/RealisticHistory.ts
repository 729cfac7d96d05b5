/**
 * A deterministic, realistic event history for the read models (tests and the projections
 * benchmark): many uploads, quotas, rooms, live streams and engagement (views, ratings, comments,
 * subscriptions) whose lifecycles interleave the way
 * concurrent traffic does. Every event is built as a domain event and encoded with its
 * aggregate's codec, so it is exactly what the deciders would have stored.
 */
import { CommentEventCodec } from "../../src/domain/comment/CommentAggregate.ts"
import type { CommentEvent } from "../../src/domain/comment/CommentEvents.ts"
import { QuotaEventCodec } from "../../src/domain/quota/QuotaAggregate.ts"
import type { QuotaEvent } from "../../src/domain/quota/QuotaEvents.ts"
import { quotaPeriodAt } from "../../src/domain/quota/QuotaPeriod.ts"
import { RoomEventCodec } from "../../src/domain/room/RoomAggregate.ts"
import type { RoomEvent } from "../../src/domain/room/RoomEvents.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { RatingEventCodec } from "../../src/domain/rating/RatingAggregate.ts"
import type { RatingEvent } from "../../src/domain/rating/RatingEvents.ts"
import { SubscriptionEventCodec } from "../../src/domain/subscription/SubscriptionAggregate.ts"
import type { SubscriptionEvent } from "../../src/domain/subscription/SubscriptionEvents.ts"
import { ViewEventCodec } from "../../src/domain/view/ViewAggregate.ts"
import type { ViewEvent } from "../../src/domain/view/ViewEvents.ts"
import { StreamEventCodec } from "../../src/domain/stream/StreamAggregate.ts"
import type { StreamEvent } from "../../src/domain/stream/StreamEvents.ts"
import { UploadEventCodec } from "../../src/domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { CatalogEventCodec } from "../../src/domain/catalog/CatalogAggregate.ts"
import type { CatalogEvent } from "../../src/domain/catalog/CatalogEvents.ts"
import { VideoEventCodec } from "../../src/domain/video/VideoAggregate.ts"
import type { VideoEvent } from "../../src/domain/video/VideoEvents.ts"
import type { NewEvent, RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"

export interface HistoryAppend {
  readonly stream: string
  readonly events: ReadonlyArray<NewEvent>
}

export interface HistoryOptions {
  /** Stop once at least this many events were produced. */
  readonly events: number
  readonly seed?: number
  /** Prefix of every aggregate id (tests use a fresh one per case). */
  readonly idPrefix?: string
  readonly users?: number
  /** Lifecycles under way at once. */
  readonly concurrency?: number
  /** Start of the clock (ms). */
  readonly start?: number
  /** Ready uploads get a Video lifecycle, and the catalog is seeded first (default true). */
  readonly videos?: boolean
}

type Encoded = { readonly type: string; readonly data: unknown; readonly schemaVersion: number }
const asNew = (e: Encoded): NewEvent => ({ type: e.type, data: e.data, metadata: { schemaVersion: e.schemaVersion } })
const up = (...events: ReadonlyArray<UploadEvent>) => events.map((e) => asNew(UploadEventCodec.encode(e)))
const quota = (...events: ReadonlyArray<QuotaEvent>) => events.map((e) => asNew(QuotaEventCodec.encode(e)))
const room = (...events: ReadonlyArray<RoomEvent>) => events.map((e) => asNew(RoomEventCodec.encode(e)))
const live = (...events: ReadonlyArray<StreamEvent>) => events.map((e) => asNew(StreamEventCodec.encode(e)))
const view = (...events: ReadonlyArray<ViewEvent>) => events.map((e) => asNew(ViewEventCodec.encode(e)))
const rate = (...events: ReadonlyArray<RatingEvent>) => events.map((e) => asNew(RatingEventCodec.encode(e)))
const comment = (...events: ReadonlyArray<CommentEvent>) => events.map((e) => asNew(CommentEventCodec.encode(e)))
const follow = (...events: ReadonlyArray<SubscriptionEvent>) => events.map((e) => asNew(SubscriptionEventCodec.encode(e)))
const vid = (...events: ReadonlyArray<VideoEvent>) => events.map((e) => asNew(VideoEventCodec.encode(e)))
const cat = (...events: ReadonlyArray<CatalogEvent>) => events.map((e) => asNew(CatalogEventCodec.encode(e)))

/** One aggregate's (or a pair's) appends, produced lazily so lifecycles interleave. */
type Lifecycle = Generator<HistoryAppend, void, number>

export const makeHistory = (options: HistoryOptions): Array<HistoryAppend> => {
  let seed = options.seed ?? 7
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x7fffffff)
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1))
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(random() * xs.length)]!
  const prefix = options.idPrefix ?? "h"
  const users = Array.from({ length: options.users ?? 200 }, (_, i) => `${prefix}u${i}`)
  let clock = options.start ?? Date.UTC(2026, 0, 5, 12)
  let serial = 0
  const nextId = (kind: string) => `${prefix}${kind}${++serial}`
  // what engagement refers to, kept so its events are ones the deciders would write
  const ready: Array<{ readonly videoId: string; readonly ownerId: string }> = []
  const ratings = new Map<string, "like" | "dislike" | "none">()
  const follows = new Set<string>()

  function* uploadLifecycle(): Lifecycle {
    const uploadId = nextId("up")
    const ownerId = pick(users)
    const size = int(1, 400) * 1024 * 1024
    const ext = pick(["mp4", "mp4", "mov", "webm", "mkv"])
    let at: number = yield { stream: `upload-${uploadId}`, events: up({ _tag: "UploadCreated", uploadId, ownerId, filename: `clip ${serial}.${ext}`, container: ext, declaredSize: size, contentType: `video/${ext}`, at: clock }) }
    const period = quotaPeriodAt(at, defaultDomainSettings)
    const q = `quota-${ownerId}`
    at = yield { stream: q, events: quota({ _tag: "UploadReserved", userId: ownerId, uploadId, bytes: size, periodStart: period.start, periodEnd: period.end, at }) }
    const release = (reason: "cancelled" | "failed" | "expired", at: number): HistoryAppend => ({
      stream: q,
      events: quota({ _tag: "ReservationReleased", userId: ownerId, uploadId, periodStart: period.start, bytes: size, reason, at })
    })
    const fate = random()
    const chunks = int(3, 20)
    const chunk = Math.ceil(size / chunks)
    let received = 0
    for (let i = 0; i < chunks; i++) {
      const length = Math.min(chunk, size - received)
      if (length <= 0) break
      at = yield { stream: `upload-${uploadId}`, events: up({ _tag: "BytesReceived", uploadId, offset: received, length, receivedBytes: received + length, at }) }
      received += length
      if (fate < 0.04 && i === 1) {
        at = yield { stream: `upload-${uploadId}`, events: up({ _tag: "UploadCancelled", uploadId, cancelledBy: ownerId, reason: "changed my mind", at }) }
        yield release("cancelled", at)
        return
      }
      if (fate >= 0.04 && fate < 0.07 && i === 1) {
        at = yield { stream: `upload-${uploadId}`, events: up({ _tag: "UploadExpired", uploadId, idleSince: at, at: at + 86_400_000 }) }
        yield release("expired", at)
        return
      }
    }
    at = yield { stream: `upload-${uploadId}`, events: up({ _tag: "UploadReceived", uploadId, size, at }) }
    const workerId = `w${int(1, 8)}`
    const duration = int(3, 600)
    for (const step of ["chunk", "transcode", "publish"] as const) {
      let attempt = 1
      for (;;) {
        at = yield { stream: `upload-${uploadId}`, events: up({ _tag: "StepClaimed", uploadId, step, workerId, attempt, leaseExpiresAt: at + 300_000, at }) }
        const failsHere = step === "transcode" && fate >= 0.07 && fate < 0.17
        if (failsHere && attempt < 3) {
          const last = fate < 0.1 && attempt === 2
          if (last) {
            at = yield {
              stream: `upload-${uploadId}`,
              events: up(
                { _tag: "StepFailed", uploadId, step, workerId, attempt, reason: "ffmpeg exited with code 1", at },
                { _tag: "UploadFailed", uploadId, reason: "Processing failed at the transcode step after 2 attempts: ffmpeg exited with code 1", at }
              )
            }
            yield release("failed", at)
            return
          }
          at = yield { stream: `upload-${uploadId}`, events: up({ _tag: "StepFailed", uploadId, step, workerId, attempt, reason: "ffmpeg exited with code 1", retryAt: at + 5_000 * 2 ** (attempt - 1), at }) }
          attempt++
          continue
        }
        if (step === "chunk") {
          const parts = Math.max(1, Math.ceil(size / (10 * 1024 * 1024)))
          for (let partNumber = 1; partNumber <= Math.min(parts, 6); partNumber++) {
            at = yield {
              stream: `upload-${uploadId}`,
              events: up({ _tag: "ChunkUploaded", uploadId, workerId, attempt, multipartUploadId: `mp-${uploadId}`, partNumber, etag: `"e${partNumber}"`, size: Math.min(size, 10 * 1024 * 1024), at })
            }
          }
        }
        if (step === "transcode") {
          at = yield {
            stream: `upload-${uploadId}`,
            events: up({ _tag: "MilestoneReached", uploadId, step, workerId, attempt, milestone: "probed", details: { durationSeconds: duration, width: 1920, height: 1080 }, at })
          }
        }
        const completed: UploadEvent = { _tag: "StepCompleted", uploadId, step, workerId, attempt, at }
        if (step !== "publish") {
          at = yield { stream: `upload-${uploadId}`, events: up(completed) }
          break
        }
        const media = {
          masterPlaylistUrl: `/media/${uploadId}/master.m3u8`,
          thumbnailUrl: `/media/${uploadId}/thumbnail.jpg`,
          thumbnailWidth: 640,
          thumbnailHeight: 360,
          durationSeconds: duration,
          width: 1920,
          height: 1080,
          renditions: [[640, 360], [854, 480], [1280, 720], [1920, 1080]].map(([w, h]) => ({
            name: `${h}p`,
            width: w!,
            height: h!,
            bandwidth: h! * 4000,
            averageBandwidth: h! * 3000,
            codecs: "avc1.64001f,mp4a.40.2",
            frameRate: 30,
            playlistUrl: `/media/${uploadId}/${h}p/index.m3u8`
          })),
          sizeBytes: size,
          sha256: "ab".repeat(32)
        }
        at = yield { stream: `upload-${uploadId}`, events: up({ ...completed, details: { mediaBytes: Math.round(size / 3) } }, { _tag: "UploadReady", uploadId, media, at }) }
        ready.push({ videoId: uploadId, ownerId })
        at = yield { stream: q, events: quota({ _tag: "UploadCommitted", userId: ownerId, uploadId, periodStart: period.start, reservedBytes: size, committedBytes: size, at }) }
        if (options.videos !== false) yield* videoLifecycle(uploadId, ownerId, `clip ${serial}`, at)
        return
      }
    }
  }

  /** The Video of a ready upload: made public, categorized, edited, sometimes unpublished, taken down, origin-restricted or deleted. */
  function* videoLifecycle(videoId: string, ownerId: string, title: string, start: number): Lifecycle {
    const stream = `video-${videoId}`
    let at: number = yield { stream, events: vid({ _tag: "VideoCreated", videoId, ownerId, title, source: "upload", visibility: "private", published: true, at: start }) }
    const by = ownerId
    for (let i = int(0, 4); i > 0; i--) {
      const r = random()
      const event: VideoEvent = r < 0.3
        ? { _tag: "VideoVisibilitySet", videoId, visibility: pick(["public", "public", "unlisted", "private"] as const), by, at }
        : r < 0.5
        ? { _tag: "VideoCategorySet", videoId, category: pick(["music", "gaming", "vlogs", null]), by, at }
        : r < 0.65
        ? { _tag: "VideoDetailsEdited", videoId, title: `${title} (edited)`, description: "a day out", by, at }
        : r < 0.75
        ? { _tag: "VideoUnpublished", videoId, by, at }
        : r < 0.85
        ? { _tag: "VideoPublished", videoId, by, at }
        : r < 0.93
        ? { _tag: "VideoTakenDown", videoId, reason: "reported", by: `${prefix}admin`, at }
        : r < 0.97
        ? { _tag: "VideoRestored", videoId, by: `${prefix}admin`, at }
        // no extra random() draw in this branch: the rest of a seeded history stays the same
        : { _tag: "VideoAllowedOriginsSet", videoId, origins: ["https://player.example", "http://localhost:8080"], by, at }
      at = yield { stream, events: vid(event) }
    }
    if (random() < 0.1) yield { stream, events: vid({ _tag: "VideoDeleted", videoId, ownerId, by, at }) }
  }

  /** The catalog, once: the defaults, then an admin's additions, a rename and a removal. */
  let catalogStarted = false
  function* catalogLifecycle(): Lifecycle {
    catalogStarted = true
    const stream = "catalog-categories"
    const by = "system"
    let at: number = yield {
      stream,
      events: cat(
        ...["music", "gaming", "vlogs", "sports"].map((slug): CatalogEvent => ({ _tag: "CategoryCreated", slug, name: slug.toUpperCase(), by, at: clock })),
        { _tag: "CatalogSeeded", at: clock }
      )
    }
    at = yield { stream, events: cat({ _tag: "CategoryCreated", slug: "travel", name: "Travel", by: `${prefix}admin`, at }) }
    at = yield { stream, events: cat({ _tag: "CategoryRenamed", slug: "vlogs", name: "Vlogs", by: `${prefix}admin`, at }) }
    yield { stream, events: cat({ _tag: "CategoryRemoved", slug: "sports", by: `${prefix}admin`, at }) }
  }

  function* roomLifecycle(): Lifecycle {
    const roomId = nextId("room")
    const hostId = pick(users)
    const sponsored = random() < 0.2
    const stream = `room-${roomId}`
    let at: number = yield { stream, events: room({ _tag: "RoomOpened", roomId, hostId, title: `watch party ${serial}`, sponsored, capacity: sponsored ? -1 : 10, at: clock }) }
    const members = new Set<string>([hostId])
    const steps = int(5, 60)
    for (let i = 0; i < steps; i++) {
      const r = random()
      const guest = pick(users)
      if (r < 0.2 && !members.has(guest) && members.size < 10) {
        members.add(guest)
        at = yield { stream, events: room({ _tag: "MemberJoined", roomId, userId: guest, at }) }
      } else if (r < 0.3 && members.size > 1) {
        const leaving = [...members].find((m) => m !== hostId)!
        members.delete(leaving)
        at = yield { stream, events: room({ _tag: "MemberLeft", roomId, userId: leaving, reason: random() < 0.5 ? "left" : "disconnected", at }) }
      } else if (r < 0.8) {
        at = yield { stream, events: room({ _tag: "ChatPosted", roomId, messageId: nextId("m"), userId: pick([...members]), text: "nice!", at }) }
      } else {
        at = yield { stream, events: room({ _tag: "PlaybackChanged", roomId, action: pick(["play", "pause", "seek"] as const), positionMs: int(0, 600_000), by: hostId, at }) }
      }
    }
    if (random() < 0.85) yield { stream, events: room({ _tag: "RoomClosed", roomId, closedBy: hostId, reason: "host", at }) }
  }

  function* streamLifecycle(): Lifecycle {
    const streamId = nextId("live")
    const ownerId = pick(users)
    const stream = `stream-${streamId}`
    const chunkSizeBytes = 10 * 1024 * 1024
    let at: number = yield { stream, events: live({ _tag: "StreamStarted", streamId, ownerId, source: "watch", sourceRef: `cam-${serial}.mp4`, chunkSizeBytes, at: clock }) }
    const chunks = int(2, 30)
    let offset = 0
    at = yield { stream, events: live({ _tag: "StreamMultipartStarted", streamId, key: `originals/${streamId}`, multipartUploadId: `mp-${streamId}`, at }) }
    const sha256 = (i: number) => i.toString(16).padStart(64, "0")
    for (let index = 0; index < chunks; index++) {
      const last = index === chunks - 1
      if (last) at = yield { stream, events: live({ _tag: "StreamEnded", streamId, reason: "timeout", at }) }
      const size = last ? int(1, chunkSizeBytes) : chunkSizeBytes
      const part = { partNumber: index + 1, offset, size, etag: `"etag${index}"`, sha256: sha256(index) }
      at = yield { stream, events: live({ _tag: "StreamPartUploaded", streamId, ...part, observedBytes: offset + size, at }) }
      offset += size
    }
    yield {
      stream,
      events: live({
        _tag: "StreamFinalized",
        streamId,
        totalSize: offset,
        chunkCount: chunks,
        parts: Array.from({ length: chunks }, (_, i) => ({
          partNumber: i + 1,
          etag: `"etag${i}"`,
          size: i === chunks - 1 ? offset - i * chunkSizeBytes : chunkSizeBytes,
          sha256: sha256(i)
        })),
        rewrittenParts: [],
        sha256: sha256(999),
        at
      })
    }
  }

  /** One user's engagement with a ready video: views, a rating, comments in a thread, following its creator. */
  function* engagementLifecycle(): Lifecycle {
    const { videoId, ownerId } = ready.length > 0 ? pick(ready) : { videoId: nextId("v"), ownerId: pick(users) }
    const userId = pick(users)
    const key = `k${userId}`
    let at = clock
    for (let i = int(1, 4); i > 0; i--) {
      at = yield { stream: `view-${videoId}.${key}`, events: view({ _tag: "ViewCounted", videoId, viewerKey: key, sessionId: nextId("s"), watchedSeconds: int(10, 600), at }) }
    }
    const ratingKey = `${videoId}/${userId}`
    for (let i = int(0, 2); i > 0; i--) {
      const previous = ratings.get(ratingKey) ?? "none"
      const next = pick((["like", "dislike", "none"] as const).filter((r) => r !== previous))
      ratings.set(ratingKey, next)
      at = yield { stream: `rating-${videoId}.${key}`, events: rate({ _tag: "RatingChanged", videoId, userId, rating: next, previous, at }) }
    }
    if (random() < 0.5) {
      const threadId = nextId("t")
      const stream = `comment-${videoId}.${threadId}`
      const ids = [threadId]
      at = yield { stream, events: comment({ _tag: "CommentPosted", videoId, threadId, commentId: threadId, parentId: null, authorId: userId, text: "great video", at }) }
      for (let i = int(0, 5); i > 0; i--) {
        const commentId = `${threadId}.r${i}`
        at = yield { stream, events: comment({ _tag: "CommentPosted", videoId, threadId, commentId, parentId: pick(ids), authorId: pick(users), text: "agreed", at }) }
        ids.push(commentId)
      }
      if (random() < 0.3) at = yield { stream, events: comment({ _tag: "CommentEdited", videoId, threadId, commentId: threadId, text: "great video!", at }) }
      if (random() < 0.2) yield { stream, events: comment({ _tag: "CommentDeleted", videoId, threadId, commentId: pick(ids.slice(1).concat(threadId)), by: ownerId, as: "video_owner", at }) }
    }
    if (userId !== ownerId && random() < 0.4) {
      const pair = `${userId}/${ownerId}`
      const following = follows.has(pair)
      following ? follows.delete(pair) : follows.add(pair)
      yield { stream: `subscription-${userId}`, events: follow({ _tag: following ? "Unsubscribed" : "Subscribed", userId, creatorId: ownerId, at }) }
    }
  }

  function* limitChange(): Lifecycle {
    const userId = pick(users)
    yield { stream: `quota-${userId}`, events: quota({ _tag: "QuotaLimitSet", userId, limitBytes: pick([null, -1, 10 * 1024 ** 3]), setBy: "admin", reason: "sponsor", at: clock }) }
  }

  const start = (): Lifecycle => {
    if (!catalogStarted && options.videos !== false) return catalogLifecycle()
    const r = random()
    const lifecycle = r < 0.5 ? uploadLifecycle() : r < 0.72 ? roomLifecycle() : r < 0.86 ? streamLifecycle() : r < 0.98 ? engagementLifecycle() : limitChange()
    return lifecycle
  }

  const out: Array<HistoryAppend> = []
  const active: Array<Lifecycle> = []
  const concurrency = options.concurrency ?? 100
  let produced = 0
  while (produced < options.events) {
    while (active.length < concurrency) active.push(start())
    const i = Math.floor(random() * active.length)
    clock += int(1, 200)
    // The value passed in is the clock the lifecycle's previous append is answered with.
    const next = active[i]!.next(clock)
    if (next.done) {
      active.splice(i, 1)
      continue
    }
    out.push(next.value)
    produced += next.value.events.length
  }
  return out
}

/** The history as a store would record it (positions from 1, revisions per stream), without hashing: for in-memory benchmarks. */
export const toRecorded = (appends: ReadonlyArray<HistoryAppend>): Array<RecordedEvent> => {
  const revisions = new Map<string, number>()
  const out: Array<RecordedEvent> = []
  const recordedAt = new Date().toISOString()
  for (const a of appends) {
    for (const e of a.events) {
      const revision = revisions.get(a.stream) ?? 0
      revisions.set(a.stream, revision + 1)
      out.push({
        id: crypto.randomUUID(),
        stream: a.stream,
        revision,
        position: out.length + 1,
        type: e.type,
        data: e.data as RecordedEvent["data"],
        metadata: { occurredAt: recordedAt, schemaVersion: e.metadata?.schemaVersion ?? 1, prevHash: "0".repeat(64), hash: "0".repeat(64) },
        recordedAt
      })
    }
  }
  return out
}
