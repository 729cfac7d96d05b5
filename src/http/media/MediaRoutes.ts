/**
 * `GET|HEAD /media/<videoId>/thumbnail.jpg`: the one published file served without a token, and only
 * for a public, published, ready video not taken down (catalog pages show thumbnails before anyone
 * asks to play). Playlists and segments are only reachable through signed playback URLs
 * (`/play/<token>/…`, PlaybackRoutes.ts); any other /media path is 404, as is the thumbnail of a video
 * that is not public (unlisted and private videos do not reveal they exist). Cached briefly (60 s),
 * so making a video private hides its thumbnail within a minute.
 */
import { Effect, Schema } from "effect"
import { Hono } from "hono"
import { EntityId } from "../../domain/shared/Primitives.ts"
import type { ObjectStore } from "../../objectstore/ObjectStore.ts"
import { mediaKeyOf } from "../../uploads/UploadObjectKeys.ts"
import { Playback } from "../../videos/Playback.ts"
import { THUMBNAIL } from "../../workers/PublishedFiles.ts"
import type { AppEnv } from "../AppEnv.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { cappedCacheControl, missingMedia, serveObject } from "./ObjectResponse.ts"

const THUMBNAIL_MAX_AGE = 60
const isEntityId = Schema.is(EntityId)

const DOC = {
  tags: ["media"],
  description:
    "The thumbnail of a public, published, ready video (the video's `thumbnailUrl`); 404 for any other video. No token needed. " +
    "Playlists and segments are served only at signed playback URLs (`GET /videos/{id}/playback`).",
  headers: [{ name: "If-None-Match", description: "an ETag from an earlier answer: 304 when unchanged" }],
  responses: {
    200: { description: "the JPEG", contentType: "image/jpeg" },
    302: { description: "S3: the file's presigned URL", headers: { Location: "presigned URL" } },
    304: { description: "not modified (If-None-Match)" },
    404: { description: "NOT_FOUND: no such video, or not public" }
  }
} as const

export const mediaRoutes = (run: RunEffect<ObjectStore | Playback>) => {
  const app = new Hono<AppEnv>()
  const serve = (c: Parameters<RunEffect<ObjectStore>>[0], head: boolean) =>
    run(
      c,
      Effect.gen(function*() {
        const videoId = c.req.param("videoId") ?? ""
        const key = mediaKeyOf(videoId, THUMBNAIL)
        if (!isEntityId(videoId) || !(yield* Playback.use((p) => p.isPublic(videoId)))) return missingMedia()
        return yield* serveObject(c, key, {
          head,
          cacheControl: (stored) => cappedCacheControl(stored, "public", THUMBNAIL_MAX_AGE),
          redirectMaxAge: THUMBNAIL_MAX_AGE
        })
      })
    )
  app.get(`/:videoId/${THUMBNAIL}`, describeRoute({ ...DOC, summary: "A public video's thumbnail" }), (c) => serve(c, false))
  app.on("HEAD", `/:videoId/${THUMBNAIL}`, describeRoute({ ...DOC, summary: "A public video's thumbnail headers" }), (c) => serve(c, true))
  return app
}
