/** The Hono app, runtime-neutral: node.ts and deno.ts serve it, tests call `app.request(...)`. */
import { Cause } from "effect"
import { Hono } from "hono"
import { HTTPException } from "hono/http-exception"
import type { ActorSystem } from "../actors/ActorSystem.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import { type AppRuntime, logInternal, makeRunEffect } from "./AppRuntime.ts"
import { healthRoutes } from "./HealthRoutes.ts"
import { codeForStatus, errorResponse, HttpError, invalidJson, notFound } from "./HttpError.ts"
import { type AppEnv, requestId } from "./RequestId.ts"

/** The services HTTP handlers may use; grows as routes are added. */
export type AppServices = EventStore | ActorSystem

export interface AppOptions {
  readonly runtime: AppRuntime<AppServices>
}

export const makeApp = (options: AppOptions): Hono<AppEnv> => {
  const run = makeRunEffect(options.runtime)
  const app = new Hono<AppEnv>()
  app.use(requestId())
  app.route("/", healthRoutes(run))

  app.notFound((c) => errorResponse(notFound(`no route for ${c.req.method} ${c.req.path}`)))
  app.onError((err, c) => {
    if (err instanceof HttpError) return errorResponse(err)
    // c.req.json() throws a SyntaxError on a malformed body; Hono's validators throw a 400 HTTPException
    if (err instanceof SyntaxError) return errorResponse(invalidJson())
    if (err instanceof HTTPException && err.status < 500) {
      const code = /malformed json/i.test(err.message) ? "INVALID_JSON" : codeForStatus(err.status)
      return errorResponse(new HttpError({ status: err.status, code, message: err.message || code }))
    }
    return logInternal(options.runtime, c, Cause.die(err))
  })
  return app
}
