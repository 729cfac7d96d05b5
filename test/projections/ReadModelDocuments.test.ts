/**
 * The single-stream read models' documents are instances of the schemas their projections declare
 * (the ones the query API serves them with), and say what the aggregates' deciders say: on a
 * realistic history, and on random histories written by the deciders themselves.
 */
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { EventPlace } from "../../projections/DomainEvents.ts"
import { CommentDocument, CreatorDocument, FollowDocument, RatingDocument, VideoCountsDocument } from "../../projections/EngagementDocuments.ts"
import { EngagementProjection, RoomsProjection, StorageProjection, StreamsProjection, UploadsProjection, VideosProjection } from "../../projections/index.ts"
import { StorageTotalsDocument, StoredUploadDocument } from "../../projections/StorageProjection.ts"
import { foldSequential } from "../../projections/ProjectionReplay.ts"
import { evolveRoomDoc, type RoomDoc, RoomDocument } from "../../projections/RoomsProjection.ts"
import { evolveStreamDoc, type StreamDoc, StreamDocument } from "../../projections/StreamsProjection.ts"
import { evolveUploadDoc, type UploadDoc, UploadDocument } from "../../projections/UploadsProjection.ts"
import { evolveVideoDoc, type VideoDoc, VideoDocument } from "../../projections/VideosProjection.ts"
import { RoomAggregate } from "../../src/domain/room/RoomAggregate.ts"
import { StreamAggregate } from "../../src/domain/stream/StreamAggregate.ts"
import { uploadedBytes } from "../../src/domain/stream/StreamState.ts"
import { UploadAggregate } from "../../src/domain/upload/UploadAggregate.ts"
import { progressOf } from "../../src/domain/upload/UploadState.ts"
import { checkInvariant } from "../../src/testing/CheckInvariant.ts"
import { anyTestActor } from "../../src/testing/Pools.ts"
import { roomArbitraries } from "../../src/testing/RoomArbitraries.ts"
import { streamArbitraries } from "../../src/testing/StreamArbitraries.ts"
import { smallDomainSettings } from "../../src/testing/TestContext.ts"
import { uploadArbitraries } from "../../src/testing/UploadArbitraries.ts"
import { makeHistory, toRecorded } from "./RealisticHistory.ts"

/** `doc` is an instance of `schema`, key for key: a strict decode gives it back unchanged. */
const expectInstance = (schema: Schema.ConstraintDecoder<unknown>, doc: unknown, what: string) =>
  expect(Schema.decodeUnknownSync(schema, { onExcessProperty: "error" })(doc), what).toEqual(doc)

/** Folds a decider's history the way the projection does (place = position and revision in that history). */
const fold = <Doc, Event>(evolve: (doc: Doc | undefined, event: Event, place: EventPlace) => Doc | undefined, history: ReadonlyArray<Event>) =>
  history.reduce<Doc | undefined>((doc, event, i) => evolve(doc, event, { position: i + 1, revision: i }), undefined)

const lower = (status: string) => status.toLowerCase()
const context = { actor: anyTestActor, settings: smallDomainSettings }
const sequences = { context, maxCommands: 30, numRuns: 150 }

describe("read-model documents", () => {
  it("every document folded from a realistic history is an instance of its projection's document schema", () => {
    const history = toRecorded(makeHistory({ events: 6_000, idPrefix: "doc", concurrency: 30 }))
    for (const [projection, model, schema] of [
      [RoomsProjection, "room", RoomDocument],
      [StreamsProjection, "stream", StreamDocument],
      [UploadsProjection, "upload", UploadDocument],
      [VideosProjection, "video", VideoDocument],
      [EngagementProjection, "video", VideoCountsDocument],
      [EngagementProjection, "rating", RatingDocument],
      [EngagementProjection, "comment", CommentDocument],
      [EngagementProjection, "creator", CreatorDocument],
      [EngagementProjection, "follow", FollowDocument],
      [StorageProjection, "upload", StoredUploadDocument]
    ] as const) {
      const docs = foldSequential(projection, history).get(model)!
      // creators and follows: only the owners of the few videos ready early in a history this short get followers
      expect(docs.size, model).toBeGreaterThan(model === "creator" || model === "follow" ? 3 : 10)
      for (const [id, doc] of docs) expectInstance(schema, doc, `${model} ${id}`)
    }
  })

  it("engagement counts and storage totals agree with the documents they sum", () => {
    const history = toRecorded(makeHistory({ events: 8_000, idPrefix: "sum", concurrency: 30 }))
    const engagement = foldSequential(EngagementProjection, history)
    const ratings = [...engagement.get("rating")!.values()] as ReadonlyArray<typeof RatingDocument.Type>
    const comments = [...engagement.get("comment")!.values()] as ReadonlyArray<typeof CommentDocument.Type>
    for (const [videoId, doc] of engagement.get("video")! as Map<string, typeof VideoCountsDocument.Type>) {
      expect(doc.likes, videoId).toBe(ratings.filter((r) => r.videoId === videoId && r.rating === "like").length)
      expect(doc.dislikes, videoId).toBe(ratings.filter((r) => r.videoId === videoId && r.rating === "dislike").length)
      expect(doc.comments, videoId).toBe(comments.filter((c) => c.videoId === videoId && !c.deleted).length)
    }
    const views = history.filter((e) => e.type === "ViewCounted").length
    expect([...engagement.get("video")!.values()].reduce((n: number, d: any) => n + d.views, 0)).toBe(views)
    const follows = [...engagement.get("follow")!.values()] as ReadonlyArray<typeof FollowDocument.Type>
    for (const [creatorId, doc] of engagement.get("creator")! as Map<string, typeof CreatorDocument.Type>) {
      expect(doc.subscribers, creatorId).toBe(follows.filter((f) => f.creatorId === creatorId).length)
    }
    const storage = foldSequential(StorageProjection, history)
    const uploads = [...storage.get("upload")!.values()] as ReadonlyArray<typeof StoredUploadDocument.Type>
    const totals = storage.get("totals")!.get("all")
    expectInstance(StorageTotalsDocument, totals, "storage totals")
    expect(totals).toMatchObject({
      originalsBytes: uploads.reduce((n, u) => n + u.originalBytes, 0),
      mediaBytes: uploads.reduce((n, u) => n + u.mediaBytes, 0),
      uploads: uploads.length
    })
    expect(uploads.some((u) => u.mediaBytes > 0)).toBe(true)
  })

  it("rooms: on any history the room decider writes, the document is its schema and holds the decider's room", () => {
    checkInvariant({
      ...sequences,
      aggregate: RoomAggregate,
      commands: roomArbitraries.interacting,
      given: roomArbitraries.given(smallDomainSettings),
      fit: roomArbitraries.fit,
      invariant: (state, _events, { history }) => {
        const doc = fold<RoomDoc, typeof history[number]>(evolveRoomDoc, history)
        if (state.status === "Unopened") return expect(doc).toBeUndefined()
        expectInstance(RoomDocument, doc, "room")
        expect(doc?.status).toBe(lower(state.status))
        if (state.status !== "Open") return expect(doc).toMatchObject({ members: [], controllers: [], closedAt: state.closedAt, closeReason: state.reason })
        const { members, controllers, capacity, lastActivityAt, playback } = state
        expect(doc).toMatchObject({ members, controllers, capacity, lastActivityAt, memberCount: members.length, playback })
        expect(doc?.tier).toBe(state.sponsored ? "sponsor" : "standard")
      }
    })
  })

  it("streams: on any history the stream decider writes, the document is its schema and counts the decider's chunks", () => {
    checkInvariant({
      ...sequences,
      aggregate: StreamAggregate,
      commands: streamArbitraries.interacting,
      given: streamArbitraries.given(smallDomainSettings),
      fit: streamArbitraries.fit,
      actorFor: streamArbitraries.actorFor,
      invariant: (state, _events, { history }) => {
        const doc = fold<StreamDoc, typeof history[number]>(evolveStreamDoc, history)
        if (state.status === "Idle") return expect(doc).toBeUndefined()
        expectInstance(StreamDocument, doc, "stream")
        expect(doc?.state).toBe(lower(state.status))
        if (state.status === "Finalized") {
          return expect(doc).toMatchObject({ partsUploaded: state.partCount, totalSize: state.totalSize, sha256: state.sha256, lagBytes: 0 })
        }
        if (state.status === "Failed") return expect(doc).toMatchObject({ failureReason: state.reason, failureDetail: state.detail })
        expect(doc).toMatchObject({ partsUploaded: state.parts.length, bytesUploaded: uploadedBytes(state.parts), rewrittenParts: state.rewritten })
        if (state.source === "push") expect(doc).toMatchObject({ bytesReceived: state.receivedBytes, lagBytes: Math.max(0, state.receivedBytes - uploadedBytes(state.parts)) })
      }
    })
  })

  it("uploads and videos: on any history the upload decider writes, both documents are their schemas and follow the decider's upload", () => {
    const videoStatus = { Created: "uploading", Receiving: "uploading", Received: "processing", Processing: "processing", Ready: "ready", Failed: "failed" }
    checkInvariant({
      ...sequences,
      aggregate: UploadAggregate,
      commands: uploadArbitraries.interacting,
      given: uploadArbitraries.given(smallDomainSettings),
      fit: uploadArbitraries.fit,
      actorFor: uploadArbitraries.actorFor,
      invariant: (state, _events, { history }) => {
        const upload = fold<UploadDoc, typeof history[number]>(evolveUploadDoc, history)
        const video = fold<VideoDoc, typeof history[number]>(evolveVideoDoc, history)
        if (state.status === "Initial") return expect({ upload, video }).toEqual({ upload: undefined, video: undefined })
        expectInstance(UploadDocument, upload, "upload")
        expect(upload?.status).toBe(lower(state.status))
        if (state.status === "Created" || state.status === "Receiving") expect(upload?.offset).toBe(state.receivedBytes)
        const progress = progressOf(state)
        expect(upload).toMatchObject({ step: progress?.step ?? null, lease: progress?.lease ?? null, retryAt: progress?.retryAt ?? null })
        if (state.status === "Cancelled" || state.status === "Expired") return expect(video).toBeUndefined()
        expectInstance(VideoDocument, video, "video")
        expect(video?.status).toBe(videoStatus[state.status])
      }
    })
  })
})
