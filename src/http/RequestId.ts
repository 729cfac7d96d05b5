/** `X-Request-Id`: kept from the client when sane, otherwise generated; echoed on every response and put on log lines. */
import type { MiddlewareHandler } from "hono"

import type { Actor } from "../domain/shared/Decider.ts"

export interface AppEnv {
  /** `actor` is set by `requireAuth` (src/http/auth/Auth.ts) on the routes it guards. */
  Variables: { requestId: string; actor: Actor }
}

const SANE = /^[A-Za-z0-9._:-]{1,128}$/

export const requestId = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const given = c.req.header("X-Request-Id")
  const id = given !== undefined && SANE.test(given) ? given : crypto.randomUUID()
  c.set("requestId", id)
  await next()
  c.res.headers.set("X-Request-Id", id)
}
