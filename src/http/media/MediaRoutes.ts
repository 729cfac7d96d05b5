/**
 * Published media: `GET|HEAD /media/<videoId>/<file>` (master and media playlists, segments, thumbnail).
 *
 * With the fs object store (embedded) Keyframe serves the bytes: the Content-Type and Cache-Control the
 * publish step stored, ETag / Last-Modified, `If-None-Match` → 304, and single byte ranges (206, 416).
 * With S3, segments and thumbnails answer 302 to a presigned URL (the bytes never pass through Keyframe),
 * while playlists are passed through: their relative URIs then resolve against /media/… here, so a
 * player keeps asking Keyframe for every file, and private buckets work without public read access.
 *
 * The routes need no token: HLS players fetch playlists and segments without custom headers. A video's
 * files are reachable by whoever knows its id (upload ids are random UUIDs), like presigned URLs.
 */
import { Effect, Schema } from "effect"
import { Hono } from "hono"
import { EntityId } from "../../domain/shared/Primitives.ts"
import { validateKey } from "../../objectstore/ObjectKey.ts"
import { type GetResult, type ObjectHead, ObjectStore } from "../../objectstore/ObjectStore.ts"
import { mediaPrefix } from "../../uploads/UploadObjectKeys.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { errorResponse, notFound } from "../HttpError.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import type { AppEnv } from "../AppEnv.ts"
import { contentRange, parseRange } from "./ByteRanges.ts"

/** How long a presigned S3 URL stays valid, and how long the redirect to it may be cached (well within). */
const PRESIGN_SECONDS = 3600
const REDIRECT_MAX_AGE = 600

const isEntityId = Schema.is(EntityId)

/** `/media/<id>/<rest>` → the object key, or undefined when it cannot name a media object. */
const keyOf = (videoId: string, rawPath: string): string | undefined => {
  if (!isEntityId(videoId)) return undefined
  const marker = `/media/${videoId}/`
  const at = rawPath.indexOf(marker)
  if (at < 0) return undefined
  try {
    const rest = rawPath.slice(at + marker.length).split("/").map(decodeURIComponent).join("/")
    return rest === "" ? undefined : `${mediaPrefix(videoId)}${rest}`
  } catch {
    return undefined
  }
}

const objectHeaders = (object: ObjectHead): Record<string, string> => ({
  "Content-Type": object.contentType,
  "Cache-Control": object.cacheControl ?? "no-cache",
  ETag: object.etag,
  "Last-Modified": object.lastModified.toUTCString(),
  "Accept-Ranges": "bytes"
})

/** `If-None-Match: "a", "b"` or `*` against the object's etag. */
const matches = (header: string | undefined, etag: string): boolean =>
  header !== undefined && (header.trim() === "*" || header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag))

const body = (result: GetResult, head: boolean) => {
  if (!head) return result.body
  result.body.cancel().catch(() => {})
  return null
}

const DOC = {
  tags: ["media"],
  description:
    "A published file of a ready video: `master.m3u8`, `<rendition>/index.m3u8`, `<rendition>/segment_NNN.ts`, `thumbnail.jpg` " +
    "(the URLs on `UploadReady` / the video's read model). Embedded (fs store): the bytes, with byte-range support. " +
    "S3: playlists are passed through, other files redirect (302) to a presigned URL. No token needed.",
  headers: [
    { name: "Range", description: "one byte range, e.g. `bytes=0-1023` or `bytes=-500`" },
    { name: "If-None-Match", description: "an ETag from an earlier answer: 304 when unchanged" }
  ],
  responses: {
    200: { description: "the file", contentType: "application/octet-stream" },
    206: { description: "the requested byte range", contentType: "application/octet-stream", headers: { "Content-Range": "bytes start-end/size" } },
    302: { description: "S3: the file's presigned URL", headers: { Location: "presigned URL" } },
    304: { description: "not modified (If-None-Match)" },
    404: { description: "NOT_FOUND: no such file" },
    416: { description: "RANGE_NOT_SATISFIABLE: the range starts past the end", headers: { "Content-Range": "bytes */size" } }
  }
} as const

export const mediaRoutes = (run: RunEffect<ObjectStore>) => {
  const app = new Hono<AppEnv>()

  const serve = (c: Parameters<RunEffect<ObjectStore>>[0], head: boolean) =>
    run(
      c,
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const key = keyOf(c.req.param("videoId") ?? "", c.req.path)
        const missing = errorResponse(notFound("no such media file"))
        if (key === undefined || (yield* Effect.result(validateKey(key)))._tag === "Failure") return missing
        const info = yield* store.head(key).pipe(Effect.catchTag("ObjectNotFound", () => Effect.succeed(undefined)))
        if (info === undefined) return missing

        if (!key.endsWith(".m3u8")) {
          const url = yield* store.presignGet(key, PRESIGN_SECONDS)
          if (url !== undefined) {
            return new Response(null, { status: 302, headers: { Location: url, "Cache-Control": `private, max-age=${REDIRECT_MAX_AGE}` } })
          }
        }
        const headers = objectHeaders(info)
        if (matches(c.req.header("If-None-Match"), info.etag)) return new Response(null, { status: 304, headers })
        // If-Range with another validator: the object changed, so the whole of it.
        const ifRange = c.req.header("If-Range")
        const range = ifRange !== undefined && ifRange.trim() !== info.etag ? { kind: "whole" as const } : parseRange(c.req.header("Range"), info.size)
        if (range.kind === "unsatisfiable") {
          return new Response(
            JSON.stringify({ error: { code: "RANGE_NOT_SATISFIABLE", message: `the range is outside the ${info.size}-byte file` } }),
            { status: 416, headers: { "Content-Type": "application/json; charset=UTF-8", "Content-Range": `bytes */${info.size}` } }
          )
        }
        if (range.kind === "range") {
          const part = yield* store.get(key, { range: { start: range.start, end: range.end } })
          return new Response(body(part, head), {
            status: 206,
            headers: { ...headers, "Content-Length": String(part.contentLength), "Content-Range": contentRange(range.start, range.end, info.size) }
          })
        }
        const whole = yield* store.get(key)
        return new Response(body(whole, head), { status: 200, headers: { ...headers, "Content-Length": String(whole.contentLength) } })
      }).pipe(Effect.catchTag(["ObjectNotFound", "RangeNotSatisfiable"], () => Effect.succeed(errorResponse(notFound("no such media file")))))
    )

  app.get("/:videoId/*", describeRoute({ ...DOC, summary: "A published media file" }), (c) => serve(c, false))
  app.on("HEAD", "/:videoId/*", describeRoute({ ...DOC, summary: "A published media file's headers" }), (c) => serve(c, true))
  return app
}
