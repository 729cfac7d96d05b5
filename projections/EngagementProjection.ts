/**
 * Engagement: per-video counts (views, likes, dislikes, comments), each user's rating, comments by video
 * and by thread, subscriber counts and who follows whom. Views arrive from one stream per (video, viewer)
 * (`view-…`, see ViewCommands.ts) and are merged here into the video's count: the batch folds every view
 * of a video into one document write, so a popular video is a hot document, never a hot stream.
 */
import { CommentEventCodec } from "../src/domain/comment/CommentAggregate.ts"
import { CommentEvent } from "../src/domain/comment/CommentEvents.ts"
import { RatingEventCodec } from "../src/domain/rating/RatingAggregate.ts"
import { RatingEvent } from "../src/domain/rating/RatingEvents.ts"
import { SubscriptionEventCodec } from "../src/domain/subscription/SubscriptionAggregate.ts"
import { SubscriptionEvent } from "../src/domain/subscription/SubscriptionEvents.ts"
import { ViewEventCodec } from "../src/domain/view/ViewAggregate.ts"
import { ViewEvent } from "../src/domain/view/ViewEvents.ts"
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"
import { eventTypesOf, makeDecoder } from "./DomainEvents.ts"
import {
  commentDocId,
  type CommentDoc,
  type EngagementModels,
  emptyCounts,
  followDocId,
  ratingDocId,
  type VideoCountsDoc
} from "./EngagementDocuments.ts"
import { type Change, type DocRef, type Docs, defineProjection } from "./Projection.ts"

type Ref = DocRef<EngagementModels>
type Changes = ReadonlyArray<Change<EngagementModels>>

const decodeView = makeDecoder(ViewEventCodec)
const decodeRating = makeDecoder(RatingEventCodec)
const decodeComment = makeDecoder(CommentEventCodec)
const decodeSubscription = makeDecoder(SubscriptionEventCodec)

type Decoded =
  | { readonly kind: "view"; readonly e: ViewEvent }
  | { readonly kind: "rating"; readonly e: RatingEvent }
  | { readonly kind: "comment"; readonly e: CommentEvent }
  | { readonly kind: "subscription"; readonly e: SubscriptionEvent }

const decode = (event: RecordedEvent): Decoded => {
  switch (event.stream.slice(0, event.stream.indexOf("-"))) {
    case "view":
      return { kind: "view", e: decodeView(event) }
    case "rating":
      return { kind: "rating", e: decodeRating(event) }
    case "comment":
      return { kind: "comment", e: decodeComment(event) }
    default:
      return { kind: "subscription", e: decodeSubscription(event) }
  }
}

const video = (videoId: string): Ref => ({ model: "video", id: videoId })

const touches = (event: RecordedEvent): ReadonlyArray<Ref> => {
  const d = decode(event)
  switch (d.kind) {
    case "view":
      return [video(d.e.videoId)]
    case "rating":
      return [video(d.e.videoId), { model: "rating", id: ratingDocId(d.e.videoId, d.e.userId) }]
    case "comment": {
      const refs: Array<Ref> = [video(d.e.videoId), { model: "comment", id: commentDocId(d.e.videoId, d.e.commentId) }]
      if (d.e._tag === "CommentPosted" && d.e.parentId !== null) refs.push({ model: "comment", id: commentDocId(d.e.videoId, d.e.parentId) })
      return refs
    }
    case "subscription":
      return [{ model: "creator", id: d.e.creatorId }, { model: "follow", id: followDocId(d.e.userId, d.e.creatorId) }]
  }
}

const is = (value: string, wanted: string) => (value === wanted ? 1 : 0)

const counts = (docs: Docs<EngagementModels>, videoId: string, at: number, event: RecordedEvent, change: Partial<Record<"views" | "likes" | "dislikes" | "comments", number>>) => {
  const c: VideoCountsDoc = docs.get("video", videoId) ?? emptyCounts(videoId)
  const doc: VideoCountsDoc = {
    videoId,
    views: c.views + (change.views ?? 0),
    likes: c.likes + (change.likes ?? 0),
    dislikes: c.dislikes + (change.dislikes ?? 0),
    comments: c.comments + (change.comments ?? 0),
    updatedAt: Math.max(c.updatedAt, at),
    position: event.position
  }
  return { model: "video", id: videoId, doc } as const
}

const foldComment = (docs: Docs<EngagementModels>, e: CommentEvent, event: RecordedEvent): Changes => {
  const id = commentDocId(e.videoId, e.commentId)
  const current = docs.get("comment", id)
  switch (e._tag) {
    case "CommentPosted": {
      const doc: CommentDoc = {
        id: e.commentId,
        videoId: e.videoId,
        threadId: e.threadId,
        parentId: e.parentId,
        authorId: e.authorId,
        text: e.text,
        deleted: false,
        replies: 0,
        createdAt: e.at,
        editedAt: null,
        seq: event.position,
        position: event.position
      }
      const changes: Array<Change<EngagementModels>> = [{ model: "comment", id, doc }, counts(docs, e.videoId, e.at, event, { comments: 1 })]
      const parentId = e.parentId === null ? undefined : commentDocId(e.videoId, e.parentId)
      const parent = parentId === undefined ? undefined : docs.get("comment", parentId)
      if (parentId !== undefined && parent !== undefined) changes.push({ model: "comment", id: parentId, doc: { ...parent, replies: parent.replies + 1, position: event.position } })
      return changes
    }
    case "CommentEdited":
      return current === undefined ? [] : [{ model: "comment", id, doc: { ...current, text: e.text, editedAt: e.at, position: event.position } }]
    case "CommentDeleted":
      return current === undefined || current.deleted ? [] : [
        { model: "comment", id, doc: { ...current, text: null, deleted: true, position: event.position } },
        counts(docs, e.videoId, e.at, event, { comments: -1 })
      ]
  }
}

export const EngagementProjection = defineProjection<EngagementModels>()({
  name: "engagement",
  version: 1,
  handles: [...eventTypesOf(ViewEvent), ...eventTypesOf(RatingEvent), ...eventTypesOf(CommentEvent), ...eventTypesOf(SubscriptionEvent)],
  streamPrefixes: ["view-", "rating-", "comment-", "subscription-"],
  // every model has an "all" index (the replay diff and the audit list documents through it); a constant
  // score is written once, so a hot counts document costs no index write per batch
  models: {
    video: { indexes: () => [{ index: "all", score: 0 }] },
    rating: { indexes: (doc) => [{ index: "all", score: doc.at }] },
    comment: {
      indexes: (doc) => [
        { index: "all", score: doc.seq },
        { index: "byVideo", value: doc.videoId, score: doc.seq },
        { index: "byThread", value: `${doc.videoId}/${doc.threadId}`, score: doc.seq },
        ...(doc.parentId === null ? [{ index: "threads", value: doc.videoId, score: doc.seq }] : [])
      ]
    },
    creator: { indexes: () => [{ index: "all", score: 0 }] },
    follow: { indexes: (doc) => [{ index: "all", score: doc.seq }, { index: "byFollower", value: doc.userId, score: doc.seq }] }
  },
  touches,
  evolve: (docs, event) => {
    const d = decode(event)
    switch (d.kind) {
      case "view":
        return [counts(docs, d.e.videoId, d.e.at, event, { views: 1 })]
      case "rating": {
        const e = d.e
        const id = ratingDocId(e.videoId, e.userId)
        return [
          counts(docs, e.videoId, e.at, event, { likes: is(e.rating, "like") - is(e.previous, "like"), dislikes: is(e.rating, "dislike") - is(e.previous, "dislike") }),
          { model: "rating", id, doc: e.rating === "none" ? undefined : { videoId: e.videoId, userId: e.userId, rating: e.rating, at: e.at, position: event.position } }
        ]
      }
      case "comment":
        return foldComment(docs, d.e, event)
      case "subscription": {
        const e = d.e
        const creator = docs.get("creator", e.creatorId) ?? { creatorId: e.creatorId, subscribers: 0, position: 0 }
        const follow = followDocId(e.userId, e.creatorId)
        return e._tag === "Subscribed"
          ? [
            { model: "creator", id: e.creatorId, doc: { ...creator, subscribers: creator.subscribers + 1, position: event.position } },
            { model: "follow", id: follow, doc: { userId: e.userId, creatorId: e.creatorId, since: e.at, seq: event.position, position: event.position } }
          ]
          : [
            { model: "creator", id: e.creatorId, doc: { ...creator, subscribers: Math.max(0, creator.subscribers - 1), position: event.position } },
            { model: "follow", id: follow, doc: undefined }
          ]
      }
    }
  }
})
