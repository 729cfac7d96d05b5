/** `X-Request-Id`: kept from the client when sane, otherwise generated; echoed on every response and put on log lines. */
import type { MiddlewareHandler } from "hono"
import type { AppEnv } from "./AppEnv.ts"
import { addResponseHeaders } from "./ResponseHeaders.ts"


// Not hono/request-id: it refuses "." and ":" (trace ids like "svc.a:42", accepted here) and takes 255 characters.
const SANE = /^[A-Za-z0-9._:-]{1,128}$/

export const requestId = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const given = c.req.header("X-Request-Id")
  const id = given !== undefined && SANE.test(given) ? given : crypto.randomUUID()
  c.set("requestId", id)
  addResponseHeaders(c, { "X-Request-Id": id })
  await next()
}
