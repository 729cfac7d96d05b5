/**
 * JSON_BODY_LIMIT_BYTES on every request that sends JSON (the only bodies the JSON routes read:
 * Hono's json validator ignores other types). A declared Content-Length over the limit is refused
 * before a byte is read; a body without one is counted as it streams and cut off at the limit.
 * Upload bytes (tus: application/offset+octet-stream) are not JSON and are not limited here.
 */
import type { MiddlewareHandler } from "hono"
import { bodyLimit } from "hono/body-limit"
import { errorResponse, HttpError } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"

/** The media types Hono's json validator parses (application/json, application/*+json). */
const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i

export const jsonBodyLimit = (maxBytes: number): MiddlewareHandler<AppEnv> => {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () =>
      errorResponse(new HttpError({ status: 413, code: "BODY_TOO_LARGE", message: `the JSON body is larger than ${maxBytes} bytes` }))
  })
  return (c, next) => {
    const media = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim()
    return JSON_MEDIA.test(media) ? limit(c, next) : next()
  }
}
