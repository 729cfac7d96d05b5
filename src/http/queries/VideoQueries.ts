/**
 * `GET /videos`, `GET /videos/:id` and `GET /categories`. Who sees what is src/videos/VideoAccess.ts:
 * everyone signed in lists the public, published, ready videos not taken down (filter by owner, category,
 * title; sort newest, most viewed, most liked); `owner=me` lists your own in any state; admins list all.
 * An unlisted video is reachable by id; a private one (or another's unready one) is 404 to others.
 */
import { Effect } from "effect"
import { Hono } from "hono"
import type { VideoDoc } from "../../../projections/VideosProjection.ts"
import { videoAccessFacts } from "../../../projections/VideoDocument.ts"
import { UnknownCategory } from "../../domain/catalog/CatalogErrors.ts"
import { canSee } from "../../videos/VideoAccess.ts"
import { requireAuth } from "../auth/Auth.ts"
import { describeRoute, type ResponseDoc } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { conditionalJson, slotTag, versionTag } from "./ConditionalJson.ts"
import { documentAnswer, listAnswer, pageAnswer, type QueryDeps } from "./QueryKit.ts"
import { CategoryList, DEFAULT_PAGE_SIZE, FreshnessQuery, IdParams, pageOf, queryHeaders, queryRequestHeaders, VideoListQuery, VideoView } from "./QuerySchemas.ts"
import { documentRouteDoc } from "./QueryRoutes.ts"
import { openReadModel, positionHeaders, requestedPosition } from "./ReadModel.ts"
import { categoriesOf, scanPage, titleMatches, videoIndexFor, videoView } from "./VideoCatalogReads.ts"

const PROJECTION = "videos"

const docs = (summary: string, description: string, ok: ResponseDoc) =>
  describeRoute({
    summary,
    description,
    tags: ["queries"],
    headers: [...queryRequestHeaders],
    responses: { 200: ok, 304: { description: "not modified" } }
  })

export const videoQueries = (deps: QueryDeps) => {
  const app = new Hono<AppEnv>()

  app.get(
    "/videos",
    docs(
      "List videos",
      "Without `owner`: the public, published, ready videos of everyone (not taken down). `owner=me`: your own in any " +
        "state (filter with `status`). `owner=<user>`: that user's public videos. Admins list everything. Filters " +
        "`category`, `q` (title substring); `sort` newest | views | likes. Paged with `cursor`.",
      { description: "a page of videos", schema: pageOf(VideoView, "Video"), headers: queryHeaders }
    ),
    requireAuth(deps.auth),
    validate("query", VideoListQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const q = c.req.valid("query")
          const index = yield* videoIndexFor(q, c.get("actor"))
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, q.minPosition), deps.settings)
          const known = new Set((yield* categoriesOf(model)).map((category) => category.slug))
          if (q.category !== undefined && !known.has(q.category)) return yield* new UnknownCategory({ slug: q.category })
          const view = videoView(known)
          if (q.q === undefined) return yield* listAnswer<VideoDoc>(c, model, "video", index, q, view, () => [...known].join(","))
          const page = yield* scanPage(model, index, { cursor: q.cursor, limit: q.limit ?? DEFAULT_PAGE_SIZE }, titleMatches(q.q))
          return pageAnswer<VideoDoc>(c, model, page, ["scan", index.index, index.value, q.q], view, () => [...known].join(","))
        })
      )
  )

  app.get(
    "/videos/:id",
    documentRouteDoc({
      summary: "One video",
      description: "Its owner and admins always see it; others a published, ready, public or unlisted video that is not taken " +
        "down (404 otherwise: existence is not disclosed). A category since removed shows as null.",
      schema: VideoView,
      model: "video"
    }),
    requireAuth(deps.auth),
    validate("param", IdParams),
    validate("query", FreshnessQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const actor = c.get("actor")
          const id = c.req.valid("param").id
          // read-your-writes for both streams the document folds
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, c.req.valid("query").minPosition), deps.settings, [
            `upload-${id}`,
            `video-${id}`
          ])
          const known = new Set((yield* categoriesOf(model)).map((category) => category.slug))
          return yield* documentAnswer<VideoDoc>(c, model, "video", id, "video", (doc) => canSee(videoAccessFacts(doc), actor), videoView(known), () =>
            [...known].join(","))
        })
      )
  )

  app.get(
    "/categories",
    docs("The video categories", "Every category of the catalog, oldest first (admins change them under /admin/categories).", {
      description: "the categories",
      schema: CategoryList,
      headers: queryHeaders
    }),
    requireAuth(deps.auth),
    validate("query", FreshnessQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, c.req.valid("query").minPosition), deps.settings)
          const items = yield* categoriesOf(model)
          const etag = versionTag([slotTag(model.slot), "categories", ...items.map((i) => `${i.slug}@${i.position}`)])
          return conditionalJson(c, { items }, etag, positionHeaders(model))
        })
      )
  )
  return app
}
