/**
 * One published object as an HTTP answer, shared by /play and /media: with the fs object store the
 * bytes (stored Content-Type, ETag / Last-Modified, `If-None-Match` → 304, single byte ranges 206/416);
 * with S3, anything but a playlist answers 302 to a presigned URL (the bytes never pass through
 * Keyframe), while playlists are passed through so that their relative URIs keep resolving here.
 */
import { Effect } from "effect"
import type { Context } from "hono"
import { type GetResult, type ObjectHead, ObjectStore } from "../../objectstore/ObjectStore.ts"
import type { AppEnv } from "../AppEnv.ts"
import { errorResponse, notFound } from "../HttpError.ts"
import { contentRange, parseRange } from "./ByteRanges.ts"

/** How long a presigned S3 URL stays valid; the redirect to it is cached for at most `redirectMaxAge`. */
const PRESIGN_SECONDS = 3600

export interface ServeOptions {
  readonly head: boolean
  /** The Cache-Control to send, from the one the publish step stored. */
  readonly cacheControl: (stored: string | undefined) => string
  /** max-age of a 302 to a presigned URL, seconds. */
  readonly redirectMaxAge: number
  /** Added to every answer (CORS). */
  readonly extraHeaders?: Readonly<Record<string, string>>
}

/** `If-None-Match: "a", "b"` or `*` against the object's etag. */
const matches = (header: string | undefined, etag: string): boolean =>
  header !== undefined && (header.trim() === "*" || header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag))

const body = (result: GetResult, head: boolean) => {
  if (!head) return result.body
  result.body.cancel().catch(() => {})
  return null
}

export const missingMedia = () => errorResponse(notFound("no such media file"))

/**
 * The answer for `key` (undefined or invalid: 404), the object store's failures typed (503) as elsewhere.
 * A plain GET (no Range, no If-None-Match, the common segment request) opens the object once: its get
 * carries the metadata; conditional and ranged requests read the head first.
 */
export const serveObject = (c: Context<AppEnv>, key: string | undefined, options: ServeOptions) =>
  Effect.gen(function*() {
    const store = yield* ObjectStore
    const extra = options.extraHeaders ?? {}
    // an invalid key (`..`, empty segments) is refused by the store itself (InvalidObjectKey → 404 below)
    if (key === undefined) return missingMedia()
    const headers = (info: ObjectHead): Record<string, string> => ({ ...extra, ...objectHeaders(info, options.cacheControl(info.cacheControl)) })

    // S3: segments and thumbnails from a presigned URL (signed locally, no request), once the object is known to exist
    const url = key.endsWith(".m3u8") ? undefined : yield* store.presignGet(key, PRESIGN_SECONDS)
    if (url !== undefined) {
      yield* store.head(key)
      return new Response(null, { status: 302, headers: { ...extra, Location: url, "Cache-Control": `private, max-age=${options.redirectMaxAge}` } })
    }
    const rangeHeader = c.req.header("Range")
    const ifNoneMatch = c.req.header("If-None-Match")
    if (rangeHeader === undefined && ifNoneMatch === undefined && !options.head) {
      const whole = yield* store.get(key)
      if (whole.bytes !== undefined) whole.body.cancel().catch(() => {})
      return new Response(whole.bytes ?? whole.body, { status: 200, headers: { ...headers(whole), "Content-Length": String(whole.contentLength) } })
    }

    const info = yield* store.head(key)
    if (matches(ifNoneMatch, info.etag)) return new Response(null, { status: 304, headers: headers(info) })
    // If-Range with another validator: the object changed, so the whole of it.
    const ifRange = c.req.header("If-Range")
    const range = ifRange !== undefined && ifRange.trim() !== info.etag ? { kind: "whole" as const } : parseRange(rangeHeader, info.size)
    if (range.kind === "unsatisfiable") {
      return new Response(
        JSON.stringify({ error: { code: "RANGE_NOT_SATISFIABLE", message: `the range is outside the ${info.size}-byte file` } }),
        { status: 416, headers: { ...extra, "Content-Type": "application/json; charset=UTF-8", "Content-Range": `bytes */${info.size}` } }
      )
    }
    if (range.kind === "range") {
      const part = yield* store.get(key, { range: { start: range.start, end: range.end } })
      return new Response(body(part, options.head), {
        status: 206,
        headers: { ...headers(part), "Content-Length": String(part.contentLength), "Content-Range": contentRange(range.start, range.end, info.size) }
      })
    }
    if (options.head) return new Response(null, { status: 200, headers: { ...headers(info), "Content-Length": String(info.size) } })
    const whole = yield* store.get(key)
    return new Response(whole.body, { status: 200, headers: { ...headers(whole), "Content-Length": String(whole.contentLength) } })
  }).pipe(Effect.catchTag(["ObjectNotFound", "RangeNotSatisfiable", "InvalidObjectKey"], () => Effect.succeed(missingMedia())))

const objectHeaders = (object: ObjectHead, cacheControl: string): Record<string, string> => ({
  "Content-Type": object.contentType,
  "Cache-Control": cacheControl,
  ETag: object.etag,
  "Last-Modified": object.lastModified.toUTCString(),
  "Accept-Ranges": "bytes"
})

/**
 * The stored Cache-Control narrowed: `scope` (private for token URLs), max-age at most `maxSeconds`
 * (a token's remaining life), `immutable` kept when it was there. No stored max-age: `maxSeconds`.
 */
export const cappedCacheControl = (stored: string | undefined, scope: "public" | "private", maxSeconds: number): string => {
  const given = /max-age=(\d+)/.exec(stored ?? "")?.[1]
  const age = Math.max(0, Math.min(given === undefined ? maxSeconds : Number(given), maxSeconds))
  return `${scope}, max-age=${age}${/\bimmutable\b/.test(stored ?? "") ? ", immutable" : ""}`
}
