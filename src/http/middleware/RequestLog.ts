/** One structured log line and the Prometheus request metrics per request, labelled by route pattern (never the raw path). */
import { Effect, LogLevel } from "effect"
import type { Context, MiddlewareHandler } from "hono"
import { matchedRoutes } from "hono/route"
import { recordRequest } from "../../observability/Metrics.ts"
import type { AppRuntime } from "../AppRuntime.ts"
import type { AppEnv } from "../AppEnv.ts"

/** The pattern of the route that answered (`/uploads/:id`), or "unmatched" when only middleware matched (a 404). */
export const routePattern = (c: Context<any>): string => {
  const routes = matchedRoutes(c)
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== "ALL") return routes[i]!.path
  return "unmatched"
}

const PLAY_TOKEN = /^\/play\/[^/]+/

/** The path as logged: a signed playback token in it (`/play/<token>/…`) is a credential, so it is left out. */
export const loggedPath = (path: string): string => path.replace(PLAY_TOKEN, "/play/<token>")

/** Probes and scrapes are logged at debug level, so they do not drown the request log. */
const QUIET = new Set(["/healthz", "/readyz", "/metrics"])

/**
 * `minimumLevel` (LOG_LEVEL): lines below it are not even built — a fiber per request for a line the
 * logger drops would cost more than most answers.
 */
export const requestLog = (runtime: AppRuntime<never>, minimumLevel: LogLevel.LogLevel = "All"): MiddlewareHandler<AppEnv> => {
  const enabled = (level: LogLevel.LogLevel) => LogLevel.isGreaterThanOrEqualTo(level, minimumLevel)
  const lines = { debug: enabled("Debug"), info: enabled("Info"), error: enabled("Error") }
  return async (c, next) => {
    const start = performance.now()
    await next()
    const ms = performance.now() - start
    const route = routePattern(c)
    const status = c.res.status
    recordRequest(c.req.method, route, status, ms / 1000)
    const level = QUIET.has(route) ? "debug" : status >= 500 ? "error" : "info"
    if (!lines[level]) return
    const actor = c.get("actor") as AppEnv["Variables"]["actor"] | undefined
    const fields = {
      requestId: c.get("requestId"),
      method: c.req.method,
      route,
      path: loggedPath(c.req.path),
      status,
      durationMs: Math.round(ms * 10) / 10,
      userId: actor?.userId ?? null,
      ip: c.get("clientIp")
    }
    const log = level === "debug" ? Effect.logDebug("request") : level === "error" ? Effect.logError("request") : Effect.log("request")
    runtime.runFork(log.pipe(Effect.annotateLogs(fields)))
  }
}
