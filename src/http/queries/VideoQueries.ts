/** `GET /videos` and `GET /videos/:id`: ready videos for everyone signed in, one's own in any state, all of them for admins. */
import { Effect } from "effect"
import { Hono } from "hono"
import type { VideoDoc } from "../../../projections/VideosProjection.ts"
import type { AppEnv } from "../AppEnv.ts"
import { forbidden, isAdmin, type QueryDeps, resolveUser } from "./QueryKit.ts"
import { VideoListQuery, VideoView } from "./QuerySchemas.ts"
import { documentRoute, listRoute } from "./QueryRoutes.ts"

const PROJECTION = "videos"

export const videoQueries = (deps: QueryDeps) => {
  const app = new Hono<AppEnv>()

  listRoute<typeof VideoListQuery, VideoDoc>(app, deps, {
    path: "/videos",
    summary: "List videos, newest first",
    description: "Without `owner`: the ready videos of everyone. `owner=me`: your own videos in any status (filter with " +
      "`status`). `owner=<user>`: that user's ready videos. Admins may list anything. Paged with `cursor`.",
    schema: VideoView,
    pageName: "Video",
    query: VideoListQuery,
    projection: PROJECTION,
    model: "video",
    index: (q, actor) => {
      const owner = resolveUser(actor, q.owner)
      const own = owner === actor.userId || isAdmin(actor)
      if (!own && q.status !== undefined && q.status !== "ready") {
        return Effect.fail(forbidden("only ready videos of other users are listed; use owner=me for your own"))
      }
      const status = own ? q.status : "ready"
      return Effect.succeed(
        owner !== undefined && status !== undefined
          ? { index: "byOwnerStatus", value: `${owner}/${status}` }
          : owner !== undefined
          ? { index: "byOwner", value: owner }
          : status !== undefined
          ? { index: "byStatus", value: status }
          : { index: "all" }
      )
    }
  })

  documentRoute<VideoDoc>(app, deps, {
    path: "/videos/:id",
    summary: "One video",
    description: "A ready video is visible to everyone signed in; otherwise to its owner and admins (404 for others).",
    schema: VideoView,
    projection: PROJECTION,
    model: "video",
    streamOf: (id) => `upload-${id}`,
    visible: (doc, actor) => doc.status === "ready" || doc.ownerId === actor.userId || isAdmin(actor)
  })
  return app
}
