/**
 * How published files are named, typed and cached (their keys: src/uploads/UploadObjectKeys.ts). The publish
 * step stores each file with these headers; the media routes serve them back as stored.
 */

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
