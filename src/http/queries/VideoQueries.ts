/**
 * `GET /videos`, `GET /videos/:id` and `GET /categories`. Who sees what is src/videos/VideoAccess.ts:
 * everyone signed in lists the public, published, ready videos not taken down (filter by owner, category,
 * title; sort newest, most viewed, most liked); `owner=me` lists your own in any state; admins list all.
 * An unlisted video is reachable by id; a private one (or another's unready one) is 404 to others.
 */
import { Effect, Exit } from "effect"
import { Hono } from "hono"
import type { VideoDoc } from "../../../projections/VideosProjection.ts"
import { videoAccessFacts } from "../../../projections/VideoDocument.ts"
import { UnknownCategory } from "../../domain/catalog/CatalogErrors.ts"
import { canSee } from "../../videos/VideoAccess.ts"
import { requireAuth } from "../auth/Auth.ts"
import { describeRoute, type ResponseDoc } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { conditionalJson, docVersion, jsonText, PreparedJson, slotTag, versionTag } from "./ConditionalJson.ts"
import { type RatingDoc, ratingDocId, type VideoCountsDoc } from "../../../projections/EngagementDocuments.ts"
import { answered, documentResponse, pageAnswer, pageKeyOf, pageResponse, type QueryDeps, readDocument, readPage, respond, servedNow } from "./QueryKit.ts"
import { MISS } from "./FoldedReads.ts"
import type { ListPage } from "../../readstore/ReadStoreTypes.ts"
import type { CategoryDoc } from "../../../projections/CategoryDocument.ts"
import { CategoryList, DEFAULT_PAGE_SIZE, FreshnessQuery, IdParams, pageOf, queryHeaders, queryRequestHeaders, VideoDetailView, VideoListQuery, VideoView } from "./QuerySchemas.ts"
import { documentRouteDoc } from "./QueryRoutes.ts"
import { type OpenReadModel, openReadModel, positionHeaders, requestedPosition } from "./ReadModel.ts"
import { scanPage, titleMatches, videoIndexFor, videoView } from "./VideoCatalogReads.ts"

const PROJECTION = "videos"
/** Where the comment counts and each user's rating are (projections/EngagementProjection.ts). */
const ENGAGEMENT = "engagement"

/** The whole catalog (it is small: one page), oldest first. */
const CATEGORIES = { index: "all", limit: 1000, order: "asc" } as const
const CATEGORIES_KEY = pageKeyOf("category", CATEGORIES)

// per categories page read: the slugs that exist, and the ETag part naming them
const catalogs = new WeakMap<ListPage, { readonly known: ReadonlySet<string>; readonly tag: string }>()
const catalogOf = (page: ListPage) => {
  let catalog = catalogs.get(page)
  if (catalog === undefined) {
    const known = new Set(page.items.map((i) => (i.doc as CategoryDoc).slug))
    catalogs.set(page, catalog = { known, tag: [...known].join(",") })
  }
  return catalog
}

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
    (c) => {
      const q = c.req.valid("query")
      const choice = videoIndexFor(q, c.get("actor"))
      const answer = (model: OpenReadModel, categories: ListPage, index: { readonly index: string; readonly value: string }, page: ListPage | undefined) => {
        const { known, tag } = catalogOf(categories)
        if (q.category !== undefined && !known.has(q.category)) return new UnknownCategory({ slug: q.category })
        // without q: the page of the index itself (kept in FoldedReads); with q: a bounded scan, read each time
        return page !== undefined
          ? pageResponse<VideoDoc>(c, model, "video", { ...index, limit: q.limit, cursor: q.cursor }, page, videoView(known), () => tag)
          : undefined
      }
      // the common case, with no effect run: the categories and the page were read at the checkpoint served now
      const index = Exit.isExit(choice) && Exit.isSuccess(choice) ? (choice.value as { readonly index: string; readonly value: string }) : undefined
      const model = index === undefined || q.q !== undefined ? undefined : servedNow(deps, c, PROJECTION, q.minPosition)
      if (model !== undefined && index !== undefined) {
        const categories = deps.folded.page(model, CATEGORIES_KEY)
        const page = deps.folded.page(model, pageKeyOf("video", { ...index, limit: q.limit, cursor: q.cursor }))
        const result = categories === MISS || page === MISS ? undefined : answer(model, categories, index, page)
        if (result instanceof Response) return result
      }
      return deps.run(
        c,
        Effect.gen(function*() {
          const index = yield* choice
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, q.minPosition), deps.settings)
          const categories = yield* readPage(deps, model, "category", CATEGORIES)
          const page = q.q === undefined ? yield* readPage(deps, model, "video", { ...index, limit: q.limit, cursor: q.cursor }) : undefined
          const listed = answer(model, categories, index, page)
          if (listed !== undefined) return yield* listed instanceof Response ? Effect.succeed(listed) : Effect.fail(listed)
          const { known, tag } = catalogOf(categories)
          const scanned = yield* scanPage(model, index, { cursor: q.cursor, limit: q.limit ?? DEFAULT_PAGE_SIZE }, titleMatches(q.q!))
          return pageAnswer<VideoDoc>(c, model, scanned, ["scan", index.index, index.value, q.q!], videoView(known), () => tag)
        })
      )
    }
  )

  app.get(
    "/videos/:id",
    documentRouteDoc({
      summary: "One video",
      description: "Its owner and admins always see it; others a published, ready, public or unlisted video that is not taken " +
        "down (404 otherwise: existence is not disclosed). A category since removed shows as null. With its counts (views, " +
        "likes, dislikes, comments) and the caller's own rating.",
      schema: VideoDetailView,
      model: "video"
    }),
    requireAuth(deps.auth),
    validate("param", IdParams),
    validate("query", FreshnessQuery),
    (c) => {
      const actor = c.get("actor")
      const id = c.req.valid("param").id
      const minPosition = c.req.valid("query").minPosition
      // read-your-writes for both streams the document folds
      const streams = [`upload-${id}`, `video-${id}`]
      const mine = ratingDocId(id, actor.userId)
      const answer = (model: OpenReadModel, categories: ListPage, doc: unknown, counts: unknown, rating: unknown) => {
        const { known, tag } = catalogOf(categories)
        // the catalog document's JSON (made once per frozen document) with the two fields appended: no copy, no stringify
        const detail = (d: VideoDoc) => {
          const comments = (counts as VideoCountsDoc | undefined)?.comments ?? 0
          const myRating = (rating as RatingDoc | undefined)?.rating ?? "none"
          return new PreparedJson(`${jsonText(videoView(known)(d)).slice(0, -1)},"comments":${comments},"myRating":"${myRating}"}`)
        }
        // the answer also varies with the engagement documents it shows
        const varies = () => `${tag}|${counts === undefined ? "-" : docVersion(counts)}|${rating === undefined ? "-" : docVersion(rating)}`
        return documentResponse<VideoDoc>(c, model, "video", id, "video", doc, (d) => canSee(videoAccessFacts(d), actor), detail, varies)
      }
      // the common case, with no effect run: every document was read at the checkpoints served now
      const model = servedNow(deps, c, PROJECTION, minPosition, streams)
      const engagement = model === undefined ? undefined : servedNow(deps, c, ENGAGEMENT, minPosition)
      if (model !== undefined && engagement !== undefined) {
        const categories = deps.folded.page(model, CATEGORIES_KEY)
        const doc = deps.folded.document(model, "video", id)
        const counts = deps.folded.document(engagement, "video", id)
        const rating = deps.folded.document(engagement, "rating", mine)
        if (categories !== MISS && doc !== MISS && counts !== MISS && rating !== MISS) {
          return respond(answer(model, categories, doc, counts, rating))
        }
      }
      return deps.run(
        c,
        Effect.gen(function*() {
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, minPosition), deps.settings, streams)
          const engagement = yield* openReadModel(ENGAGEMENT, yield* requestedPosition(c, minPosition), deps.settings)
          const categories = yield* readPage(deps, model, "category", CATEGORIES)
          const doc = yield* readDocument(deps, model, "video", id)
          const counts = yield* readDocument(deps, engagement, "video", id)
          const rating = yield* readDocument(deps, engagement, "rating", mine)
          return yield* answered(answer(model, categories, doc, counts, rating))
        })
      )
    }
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
          const items = (yield* readPage(deps, model, "category", CATEGORIES)).items.map((i) => i.doc as CategoryDoc)
          const etag = versionTag([slotTag(model.slot), "categories", ...items.map((i) => `${i.slug}@${i.position}`)])
          return conditionalJson(c, { items }, etag, positionHeaders(model))
        })
      )
  )
  return app
}
