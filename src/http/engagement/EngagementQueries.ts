/**
 * Engagement reads: a video's comments (newest first, top-level threads, or one thread), its counts and
 * your rating, your subscriptions, a creator's subscriber count, and your feed. Videos you may not see are
 * 404 here too (the shared access rule over the catalog's facts).
 */
import { Effect, Option, type Schema } from "effect"
import { Hono } from "hono"
import { type CreatorDoc, followDocId, type FollowDoc } from "../../../projections/EngagementDocuments.ts"
import type { VideoDoc } from "../../../projections/VideosProjection.ts"
import type { Principal } from "../../domain/shared/Decider.ts"
import { engagementSummary } from "../../videos/EngagementSummary.ts"
import { canSee, isListedFor } from "../../videos/VideoAccess.ts"
import { factsOfVideoDoc } from "../../videos/VideoFacts.ts"
import type { AppEnv } from "../AppEnv.ts"
import { requireAuth } from "../auth/Auth.ts"
import { notFound } from "../HttpError.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { conditionalJson, docVersion, slotTag, versionTag } from "../queries/ConditionalJson.ts"
import { pageResponse, type QueryDeps, readPage } from "../queries/QueryKit.ts"
import { pageOf, queryHeaders, queryRequestHeaders } from "../queries/QuerySchemas.ts"
import { openReadModel, positionHeaders, requestedPosition } from "../queries/ReadModel.ts"
import { videoIndex, videoPartition } from "../../../projections/VideoDocument.ts"
import {
  CommentListQuery,
  CommentView,
  CreatorParams,
  CreatorView,
  EngagementView,
  FeedQuery,
  FeedView,
  FollowView,
  FreshQuery,
  PageQuery,
  VideoParams
} from "./EngagementSchemas.ts"

const PROJECTION = "engagement"
/** Creators a feed merges (the most recently followed), and videos read per creator at most. */
export const FEED_MAX_CREATORS = 100
const FEED_CONCURRENCY = 16

const doc200 = (description: string, schema: Schema.Top) => ({
  200: { description, schema, headers: queryHeaders },
  304: { description: "not modified" },
  404: { description: "NOT_FOUND: no such video, or you may not see it" }
})

/** The video's catalog entry when `actor` may see it; 404 otherwise (existence is not disclosed). */
export const visibleVideo = (deps: QueryDeps, actor: Principal, videoId: string) =>
  Effect.gen(function*() {
    const videos = yield* openReadModel("videos", undefined, deps.settings, `upload-${videoId}`)
    const doc = yield* videos.store.get(videos.slot, "video", videoId)
    if (Option.isNone(doc) || !canSee(factsOfVideoDoc(doc.value as VideoDoc), actor)) return yield* notFound(`there is no video "${videoId}"`)
    return doc.value as VideoDoc
  })

export const engagementQueries = (deps: QueryDeps) => {
  const app = new Hono<AppEnv>()

  app.get(
    "/videos/:id/comments",
    describeRoute({
      summary: "A video's comments, newest first",
      description: "Every comment (default), the top-level ones only (`view=threads`, each with its `replies` count), or one thread " +
        "(`thread=<root id>`). Deleted comments stay as placeholders (`deleted: true`, `text: null`) so threads keep their shape.",
      tags: ["engagement"],
      headers: [...queryRequestHeaders],
      responses: { ...doc200("a page of comments", pageOf(CommentView, "Comment")) }
    }),
    requireAuth(deps.auth),
    validate("param", VideoParams),
    validate("query", CommentListQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const { id } = c.req.valid("param")
          const q = c.req.valid("query")
          yield* visibleVideo(deps, c.get("actor"), id)
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, q.minPosition), deps.settings)
          const index = q.thread !== undefined
            ? { index: "byThread", value: `${id}/${q.thread}` }
            : q.view === "threads"
            ? { index: "threads", value: id }
            : { index: "byVideo", value: id }
          const read = { ...index, limit: q.limit, cursor: q.cursor }
          return pageResponse(c, model, "comment", read, yield* readPage(deps, model, "comment", read))
        })
      )
  )

  app.get(
    "/videos/:id/engagement",
    describeRoute({
      summary: "A video's views, likes, dislikes, comments and your rating",
      tags: ["engagement"],
      headers: [...queryRequestHeaders],
      responses: { ...doc200("the counts", EngagementView) }
    }),
    requireAuth(deps.auth),
    validate("param", VideoParams),
    validate("query", FreshQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const { id } = c.req.valid("param")
          const actor = c.get("actor")
          yield* visibleVideo(deps, actor, id)
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, c.req.valid("query").minPosition), deps.settings)
          const s = yield* engagementSummary(model.store, model.slot, id, actor.userId)
          const body: typeof EngagementView.Type = { videoId: id, views: s.views, likes: s.likes, dislikes: s.dislikes, comments: s.comments, myRating: s.myRating }
          return conditionalJson(c, body, versionTag([slotTag(model.slot), "engagement", id, actor.userId, s.position]), positionHeaders(model))
        })
      )
  )

  app.get(
    "/me/subscriptions",
    describeRoute({
      summary: "The creators you follow, most recently followed first",
      tags: ["engagement"],
      headers: [...queryRequestHeaders],
      responses: { 200: { description: "a page of subscriptions", schema: pageOf(FollowView, "Subscription"), headers: queryHeaders }, 304: { description: "not modified" } }
    }),
    requireAuth(deps.auth),
    validate("query", PageQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const q = c.req.valid("query")
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, q.minPosition), deps.settings)
          const read = { index: "byFollower", value: c.get("actor").userId, limit: q.limit, cursor: q.cursor }
          return pageResponse(c, model, "follow", read, yield* readPage(deps, model, "follow", read))
        })
      )
  )

  app.get(
    "/creators/:creatorId",
    describeRoute({
      summary: "A creator's subscriber count, and whether you follow them",
      tags: ["engagement"],
      headers: [...queryRequestHeaders],
      responses: { 200: { description: "the creator", schema: CreatorView, headers: queryHeaders }, 304: { description: "not modified" } }
    }),
    requireAuth(deps.auth),
    validate("param", CreatorParams),
    validate("query", FreshQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const { creatorId } = c.req.valid("param")
          const actor = c.get("actor")
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, c.req.valid("query").minPosition), deps.settings)
          const [creator, follow] = yield* Effect.all([
            model.store.get(model.slot, "creator", creatorId),
            model.store.get(model.slot, "follow", followDocId(actor.userId, creatorId))
          ], { concurrency: 2 })
          const doc = Option.getOrElse(creator as Option.Option<CreatorDoc>, () => ({ creatorId, subscribers: 0, position: 0 }))
          const body: typeof CreatorView.Type = { ...doc, subscribedByMe: Option.isSome(follow) }
          const tag = versionTag([slotTag(model.slot), "creator", creatorId, actor.userId, docVersion(doc), Option.isSome(follow) ? docVersion(follow.value) : "-"])
          return conditionalJson(c, body, tag, positionHeaders(model))
        })
      )
  )

  app.get(
    "/me/feed",
    describeRoute({
      summary: "New public videos of the creators you follow, newest first",
      description: `Merged when asked from the newest ready videos of the ${FEED_MAX_CREATORS} creators you followed most recently; ` +
        "only videos listed for you (public, published) appear. One page of `limit` videos (default 20).",
      tags: ["engagement"],
      headers: [...queryRequestHeaders],
      responses: { 200: { description: "the feed", schema: FeedView, headers: queryHeaders }, 304: { description: "not modified" } }
    }),
    requireAuth(deps.auth),
    validate("query", FeedQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const q = c.req.valid("query")
          const actor = c.get("actor")
          const limit = q.limit ?? 20
          const engagement = yield* openReadModel(PROJECTION, yield* requestedPosition(c, q.minPosition), deps.settings)
          const follows = yield* engagement.store.list(engagement.slot, "follow", "byFollower", { value: actor.userId, limit: FEED_MAX_CREATORS, order: "desc" })
          const videos = yield* openReadModel("videos", undefined, deps.settings)
          const pages = yield* Effect.forEach(
            follows.items,
            (item) =>
              // the creator's listed videos (public, published, ready, not taken down), newest first
              videos.store.list(videos.slot, "video", videoIndex("listed", "newest"), {
                value: videoPartition({ owner: (item.doc as FollowDoc).creatorId }),
                limit,
                order: "desc"
              }),
            { concurrency: FEED_CONCURRENCY }
          )
          const items = pages
            .flatMap((page) => page.items.map((i) => i.doc as VideoDoc))
            .filter((doc) => isListedFor(factsOfVideoDoc(doc), actor))
            .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
            .slice(0, limit)
          const tag = versionTag([slotTag(engagement.slot), slotTag(videos.slot), "feed", actor.userId, limit, ...follows.items.map((f) => docVersion(f.doc)), ...items.map(docVersion)])
          return conditionalJson(c, { items, next: null }, tag, positionHeaders(engagement))
        })
      )
  )
  return app
}

