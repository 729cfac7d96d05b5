/**
 * A backend's 503 never shows the backend's own text: driver messages name paths under DATA_DIR,
 * hosts and URLs. Every answer passes here, whichever module rendered it (the runner's mapper,
 * requireAuth's AUTH_UNAVAILABLE, the tus runner), so the rule holds in one place: the client gets a
 * generic message with the request id, the original message is logged with that id.
 */
import { Effect } from "effect"
import type { MiddlewareHandler } from "hono"
import type { AppRuntime } from "../AppRuntime.ts"
import { isUnavailableCode, unavailableMessage } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { loggedPath } from "./RequestLog.ts"

export const hideUnavailableDetail = <R>(runtime: AppRuntime<R>): MiddlewareHandler<AppEnv> => async (c, next) => {
  await next()
  const res = c.res
  // only 5xx JSON answers are looked at (rare, small): the rest pass untouched and unread
  if (res.status < 500 || !/^application\/json/i.test(res.headers.get("content-type") ?? "")) return
  const body: unknown = await res.clone().json().catch(() => undefined)
  const error = typeof body === "object" && body !== null && "error" in body && typeof body.error === "object" && body.error !== null
    ? (body.error as Record<string, unknown>)
    : undefined
  if (error === undefined || !isUnavailableCode(error.code)) return
  const requestId = c.get("requestId")
  const message = unavailableMessage(error.code, requestId)
  if (error.message === message) return // already generic (/readyz logs its checks itself)
  runtime.runFork(
    Effect.logWarning(`${error.code}: ${String(error.message)}`).pipe(
      Effect.annotateLogs({ requestId, method: c.req.method, path: loggedPath(c.req.path), status: res.status })
    )
  )
  // the error object's other fields may hold the same detail: only code and message remain
  c.res = new Response(JSON.stringify({ ...(body as object), error: { code: error.code, message } }), {
    status: res.status,
    headers: res.headers
  })
}
