/**
 * Signed playback over HTTP: `GET /videos/:id/playback` mints a playback URL, and `GET|HEAD
 * /play/<token>/<file>` serves the video's playlists and segments once the token is checked (the use
 * case is src/videos/Playback.ts). The token sits in the path, so every relative URI of the static
 * playlists (renditions, segments) carries it: players need no query tokens or headers.
 */
import { Effect, Schema } from "effect"
import { type Context, Hono } from "hono"
import type { ObjectStore } from "../../objectstore/ObjectStore.ts"
import { Playback } from "../../videos/Playback.ts"
import type { AppEnv } from "../AppEnv.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { cappedCacheControl, serveObject } from "../media/ObjectResponse.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { IdParams } from "../queries/QuerySchemas.ts"

const PlaybackUrl = Schema.Struct({
  url: Schema.String.annotate({ description: "absolute URL of the signed master playlist: `…/play/<token>/master.m3u8`" }),
  expiresAt: Schema.String.annotate({ description: "ISO time the URL stops working; ask again for a fresh one" })
})

/** hls.js fetches cross-origin: every answer (errors too, so the player sees their status) allows any origin to read it. */
const CORS = { "Access-Control-Allow-Origin": "*" }
/** A 302 to a presigned S3 URL is cached at most this long (and never past the token's end). */
const REDIRECT_MAX_AGE = 600

const PLAY_DOC = {
  tags: ["playback"],
  description:
    "A file of a ready video under its signed playback URL: `master.m3u8`, `<rendition>/index.m3u8`, `<rendition>/segment_NNN.ts`. " +
    "The token is checked before anything is read (signature, expiry, the video's current access, allowed origins). Answers are " +
    "cacheable per token (`private`, max-age within the token's remaining life). Embedded (fs store): the bytes, with byte ranges. " +
    "S3: playlists are passed through, segments redirect (302) to a presigned URL.",
  headers: [
    { name: "Range", description: "one byte range, e.g. `bytes=0-1023` or `bytes=-500`" },
    { name: "If-None-Match", description: "an ETag from an earlier answer: 304 when unchanged" }
  ],
  responses: {
    200: { description: "the file", contentType: "application/octet-stream" },
    206: { description: "the requested byte range", contentType: "application/octet-stream", headers: { "Content-Range": "bytes start-end/size" } },
    302: { description: "S3: the file's presigned URL", headers: { Location: "presigned URL" } },
    304: { description: "not modified (If-None-Match)" },
    403: {
      description: "PLAYBACK_TOKEN_EXPIRED (get a new URL from /videos/{id}/playback), PLAYBACK_TOKEN_INVALID, PLAYBACK_REVOKED " +
        "(the video became private, unpublished or taken down), PLAYBACK_ORIGIN_NOT_ALLOWED (hotlink protection)"
    },
    404: { description: "NOT_FOUND: no such file" },
    410: { description: "VIDEO_GONE: the video was deleted" },
    416: { description: "RANGE_NOT_SATISFIABLE: the range starts past the end", headers: { "Content-Range": "bytes */size" } }
  }
} as const

const withCors = (response: Response): Response => {
  for (const [name, value] of Object.entries(CORS)) response.headers.set(name, value)
  if (response.status >= 400) response.headers.set("Cache-Control", "no-store")
  return response
}

export const playbackRoutes = (run: RunEffect<ObjectStore | Playback>, auth: AuthOptions) => {
  const app = new Hono<AppEnv>()

  app.get(
    "/videos/:id/playback",
    describeRoute({
      summary: "A signed playback URL for a video",
      tags: ["playback"],
      description: "For a video the caller may watch (public or unlisted: anyone signed in; private: its owner and admins; " +
        "ready, not taken down). The URL works until `expiresAt` (PLAYBACK_TOKEN_TTL_SECONDS) or until the video's access " +
        "is narrowed (made private, unpublished, taken down, deleted); then ask again.",
      responses: {
        200: { description: "the URL", schema: PlaybackUrl },
        403: { description: "FORBIDDEN: the video was taken down" },
        404: { description: "NOT_FOUND: no such video, or not visible to the caller" },
        409: { description: "VIDEO_NOT_READY: still processing, or failed" }
      }
    }),
    requireAuth(auth),
    validate("param", IdParams),
    (c) =>
      run(
        c,
        Effect.gen(function*() {
          const videoId = c.req.valid("param").id
          const grant = yield* Playback.use((p) => p.mint(videoId, c.get("actor")))
          const url = new URL(`/play/${grant.token}/master.m3u8`, c.req.url).href
          return Response.json({ url, expiresAt: new Date(grant.expiresAt).toISOString() } satisfies typeof PlaybackUrl.Type, {
            headers: { "Cache-Control": "no-store" }
          })
        })
      )
  )

  const serve = async (c: Context<AppEnv>, head: boolean) => {
    const token = c.req.param("token") ?? ""
    const marker = `/play/${token}/`
    const at = c.req.path.indexOf(marker)
    const rest = at < 0 ? "" : c.req.path.slice(at + marker.length)
    const response = await run(
      c,
      Effect.gen(function*() {
        const media = yield* Playback.use((p) => p.authorize(token, rest, { origin: c.req.header("Origin"), referer: c.req.header("Referer") }))
        return yield* serveObject(c, media.key, {
          head,
          cacheControl: (stored) => cappedCacheControl(stored, "private", media.remainingSeconds),
          redirectMaxAge: Math.min(REDIRECT_MAX_AGE, media.remainingSeconds)
        })
      })
    )
    return withCors(response)
  }
  app.get("/play/:token/*", describeRoute({ ...PLAY_DOC, summary: "A file of a video at its signed playback URL" }), (c) => serve(c, false))
  app.on("HEAD", "/play/:token/*", describeRoute({ ...PLAY_DOC, summary: "A file's headers at its signed playback URL" }), (c) => serve(c, true))
  return app
}
