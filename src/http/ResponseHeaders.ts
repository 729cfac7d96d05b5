/**
 * Headers middleware adds to every answer (X-Request-Id, RateLimit-*), kept as a plain object until the
 * end. A response Keyframe builds itself takes them in its constructor (`withResponseHeaders`), so the
 * Node adapter writes it without materializing a Headers object; any other response gets them set after
 * its handler (`responseHeaders`, the outermost middleware).
 */
import type { Context, MiddlewareHandler } from "hono"
import type { AppEnv } from "./AppEnv.ts"

/** Responses that already carry the request's headers. */
const carrying = new WeakSet<Response>()

export const addResponseHeaders = (c: Context<AppEnv>, headers: Readonly<Record<string, string>>): void => {
  const bag = c.get("responseHeaders")
  c.set("responseHeaders", bag === undefined ? { ...headers } : Object.assign(bag, headers))
}

/** Builds a response whose headers include the request's. */
export const withResponseHeaders = (
  c: Context<AppEnv>,
  body: string | null,
  init: { readonly status: number; readonly headers: Readonly<Record<string, string>> }
): Response => {
  const bag = c.get("responseHeaders")
  const response = new Response(body, { status: init.status, headers: bag === undefined ? init.headers : { ...bag, ...init.headers } })
  if (bag !== undefined) carrying.add(response)
  return response
}

export const responseHeaders = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  await next()
  const bag = c.get("responseHeaders")
  if (bag === undefined || carrying.has(c.res)) return
  for (const name in bag) c.res.headers.set(name, bag[name]!)
}
