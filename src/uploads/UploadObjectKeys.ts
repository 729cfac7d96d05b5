/**
 * Where an upload's bytes live in the object store, from the first PATCH to the published ladder:
 *
 *   staging/<uploadId>/<offset>      what tus received: one object per accepted body, deleted once settled
 *   originals/<uploadId>             the sealed original (multipart upload of CHUNK_SIZE_MB parts)
 *   work/<uploadId>/a<attempt>/…     one transcode attempt's output, until published
 *   media/<videoId>/…                the published HLS ladder and thumbnail, played at /play/<token>/… (thumbnails also /media/…)
 *
 * Staging: the offset is 16 zero-padded decimal digits, so key order is offset order; each object holds
 * bytes [offset, offset+length) of the file. An object is written, and acknowledged durable by the object
 * store, BEFORE the Upload aggregate records `BytesReceived(offset, length)`, so every recorded range has
 * its bytes. An object whose range was never recorded (a crash between the two steps) always sits at the
 * upload's acknowledged end, and the next PATCH (which must start there) replaces it; so once an upload is
 * Received, the objects under its prefix are exactly its BytesReceived ranges, contiguous from 0 to the
 * size. Readers should still check that the sizes add up. Cancel and expiry delete the prefix.
 */

export const stagingPrefix = (uploadId: string): string => `staging/${uploadId}/`

export const stagingKey = (uploadId: string, offset: number): string =>
  `${stagingPrefix(uploadId)}${String(offset).padStart(16, "0")}`

export const originalKey = (uploadId: string): string => `originals/${uploadId}`

export const workPrefix = (uploadId: string): string => `work/${uploadId}/`

export const attemptPrefix = (uploadId: string, attempt: number): string => `${workPrefix(uploadId)}a${attempt}/`

/** A video's id is the id of the upload it came from. */
export const mediaPrefix = (videoId: string): string => `media/${videoId}/`

/** The URL path a published file is served at: the object key behind a `/`. */
export const mediaUrl = (videoId: string, file: string): string => `/${mediaPrefix(videoId)}${file}`

/**
 * The media object a request path below a video's folder names (`360p/segment_000.ts`, percent-encoded);
 * undefined when it cannot be decoded or is empty. The key still needs `validateKey`, which refuses the
 * `.`/`..` segments that would leave `media/<videoId>/`.
 */
export const mediaKeyOf = (videoId: string, encodedRest: string): string | undefined => {
  if (encodedRest === "") return undefined
  try {
    return `${mediaPrefix(videoId)}${encodedRest.split("/").map(decodeURIComponent).join("/")}`
  } catch {
    return undefined
  }
}
