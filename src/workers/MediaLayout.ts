/**
 * Where the pipeline keeps things in the object store, and how published files are typed and cached.
 *
 *   staging/<uploadId>/<offset>      what tus received (src/http/tus/UploadStaging.ts), deleted once ready
 *   originals/<uploadId>             the sealed original (multipart upload of CHUNK_SIZE_MB parts)
 *   work/<uploadId>/a<attempt>/…     one transcode attempt's output, until published
 *   media/<videoId>/…                the published HLS ladder and thumbnail, served at /media/<videoId>/…
 */
export { stagingKey, stagingPrefix } from "../http/tus/UploadStaging.ts"

export const originalKey = (uploadId: string): string => `originals/${uploadId}`

export const workPrefix = (uploadId: string): string => `work/${uploadId}/`

export const attemptPrefix = (uploadId: string, attempt: number): string => `${workPrefix(uploadId)}a${attempt}/`

export const mediaPrefix = (videoId: string): string => `media/${videoId}/`

/** The URL path a published file is served at: the object key behind a `/`. */
export const mediaUrl = (videoId: string, file: string): string => `/${mediaPrefix(videoId)}${file}`

/** Written by the transcode step beside its output: what the publish step needs to know about it. */
export const MANIFEST = "manifest.json"
export const THUMBNAIL = "thumbnail.jpg"

const TYPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.m3u8$/, "application/vnd.apple.mpegurl"],
  [/\.ts$/, "video/mp2t"],
  [/\.m4s$/, "video/iso.segment"],
  [/\.mp4$/, "video/mp4"],
  [/\.jpe?g$/, "image/jpeg"],
  [/\.json$/, "application/json"]
]

export const contentTypeOf = (file: string): string => TYPES.find(([pattern]) => pattern.test(file))?.[1] ?? "application/octet-stream"

/**
 * Segments and thumbnails never change once published (a retry writes the same names with the same
 * content): cache them for a year. Playlists get minutes, so a re-published video is picked up soon.
 */
export const cacheControlOf = (file: string): string =>
  file.endsWith(".m3u8") ? "public, max-age=300" : "public, max-age=31536000, immutable"
