/**
 * `GET /metrics`: Prometheus text exposition of Effect's default metric registry, with the on-demand
 * gauges refreshed first. With METRICS_TOKEN it asks for `Authorization: Bearer <token>`; with
 * METRICS_PORT the runtime serves `metricsApp` on that port and the API's app leaves /metrics out.
 */
import { Cause, Context, Effect, Option, Redacted } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { Hono, type MiddlewareHandler } from "hono"
import { ActorSystem } from "../../actors/ActorSystem.ts"
import { sameDigest, sha256 } from "../../digest/Hashes.ts"
import { EventStore } from "../../eventstore/EventStore.ts"
import { recordRuntimeGauges } from "../../observability/Metrics.ts"
import { recordProjectionGauges } from "../queries/ProjectionHealth.ts"
import type { ReadSide } from "../queries/ReadSide.ts"
import { type AppRuntime, logInternal, makeRunEffect, type RunEffect } from "../AppRuntime.ts"
import { errorResponse, HttpError, notFound } from "../HttpError.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import type { AppEnv } from "../AppEnv.ts"
import { requestId } from "../RequestId.ts"

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

export interface MetricsOptions {
  /** METRICS_TOKEN: when set, a scrape must send it as a bearer token. */
  readonly token?: Redacted.Redacted<string> | undefined
  /** METRICS_PORT is set: /metrics is served there (metricsApp), not by the API's app. */
  readonly ownPort?: boolean | undefined
}

const encoder = new TextEncoder()

/** 401 unless the bearer token equals `token`; digests are compared, so the time taken says nothing of the token. */
const requireMetricsToken = (token: Redacted.Redacted<string>): MiddlewareHandler<AppEnv> => {
  const expected = sha256(encoder.encode(Redacted.value(token)))
  return async (c, next) => {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "")?.[1]
    if (given !== undefined && sameDigest(sha256(encoder.encode(given)), expected)) return next()
    return errorResponse(new HttpError({
      status: 401,
      code: "UNAUTHORIZED",
      message: "/metrics needs Authorization: Bearer <METRICS_TOKEN>",
      headers: { "WWW-Authenticate": 'Bearer realm="metrics"' }
    }))
  }
}

const pass: MiddlewareHandler<AppEnv> = (_c, next) => next()

/** What a process serving /metrics provides: the actors and the store it reports on, and its read side's probe. */
export type MetricsServices = ActorSystem | EventStore | ReadSide

export const metricsRoutes = (run: RunEffect<MetricsServices>, options: MetricsOptions = {}) =>
  new Hono<AppEnv>().get(
    "/metrics",
    describeRoute({
      summary: "Prometheus metrics",
      description: "Request counts and latency by route pattern, upload bytes, live actors, mailbox depth, event store head, " +
        "and every other Effect metric of the process. With METRICS_TOKEN set: `Authorization: Bearer <METRICS_TOKEN>`.",
      tags: ["ops"],
      responses: {
        200: { description: "Prometheus text format 0.0.4", contentType: CONTENT_TYPE },
        401: { description: "UNAUTHORIZED: METRICS_TOKEN is set and the request did not send it" }
      }
    }),
    options.token !== undefined ? requireMetricsToken(options.token) : pass,
    (c) =>
      run(
        c,
        Effect.gen(function*() {
          const stats = yield* (yield* ActorSystem).stats
          // a store that does not answer leaves the gauge as it was: /metrics must still answer
          const head = yield* (yield* EventStore).headPosition.pipe(Effect.timeout("2 seconds"), Effect.option, Effect.map(Option.getOrUndefined))
          yield* recordRuntimeGauges(stats, head)
          yield* recordProjectionGauges // keyframe_projection_* (src/http/queries/ProjectionHealth.ts)
          return c.body(PrometheusMetrics.formatUnsafe(Context.empty()), 200, { "Content-Type": CONTENT_TYPE })
        })
      )
  )

/** The listener on METRICS_PORT: /metrics and nothing else (404 JSON for any other path). */
export const metricsApp = (runtime: AppRuntime<MetricsServices>, options: Omit<MetricsOptions, "ownPort"> = {}): Hono<AppEnv> => {
  const app = new Hono<AppEnv>()
  app.use(requestId())
  app.route("/", metricsRoutes(makeRunEffect(runtime), options))
  app.notFound((c) => errorResponse(notFound(`no route for ${c.req.method} ${c.req.path}`)))
  app.onError((err, c) => logInternal(runtime, c, Cause.die(err)))
  return app
}
