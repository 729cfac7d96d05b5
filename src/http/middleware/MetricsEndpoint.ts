/** `GET /metrics`: Prometheus text exposition of Effect's default metric registry, with the on-demand gauges refreshed first. */
import { Context, Effect, Option } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { Hono } from "hono"
import { ActorSystem } from "../../actors/ActorSystem.ts"
import { EventStore } from "../../eventstore/EventStore.ts"
import { recordRuntimeGauges } from "../../observability/Metrics.ts"
import { recordProjectionGauges } from "../queries/ProjectionHealth.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import type { AppEnv } from "../RequestId.ts"

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

export const metricsRoutes = (run: RunEffect<never>) =>
  new Hono<AppEnv>().get(
    "/metrics",
    describeRoute({
      summary: "Prometheus metrics",
      description: "Request counts and latency by route pattern, upload bytes, live actors, mailbox depth, event store head, " +
        "and every other Effect metric of the process.",
      tags: ["ops"],
      responses: { 200: { description: "Prometheus text format 0.0.4", contentType: CONTENT_TYPE } }
    }),
    (c) =>
      run(
        c,
        Effect.gen(function*() {
          const actors = yield* Effect.serviceOption(ActorSystem)
          const store = yield* Effect.serviceOption(EventStore)
          const stats = Option.isSome(actors) ? yield* actors.value.stats : { live: 0, queued: 0 }
          // a store that does not answer leaves the gauge as it was: /metrics must still answer
          const head = Option.isSome(store)
            ? yield* store.value.headPosition.pipe(Effect.timeout("2 seconds"), Effect.option, Effect.map(Option.getOrUndefined))
            : undefined
          yield* recordRuntimeGauges(stats, head)
          yield* recordProjectionGauges // keyframe_projection_* (src/http/queries/ProjectionHealth.ts)
          return c.body(PrometheusMetrics.formatUnsafe(Context.empty()), 200, { "Content-Type": CONTENT_TYPE })
        })
      )
  )
