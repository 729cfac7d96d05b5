/** Liveness and readiness: `/healthz` answers while the process serves, `/readyz` when the event store answers too. */
import { Duration, Effect, Exit } from "effect"
import { Hono } from "hono"
import { EventStore } from "../eventstore/EventStore.ts"
import type { RunEffect } from "./AppRuntime.ts"
import { errorBody, toHttpError } from "./HttpError.ts"
import { readSideHealth } from "./queries/ProjectionHealth.ts"
import { describeRoute } from "./openapi/RouteDoc.ts"
import type { AppEnv } from "./RequestId.ts"

const PING_TIMEOUT = Duration.seconds(5)

export const healthRoutes = (run: RunEffect<EventStore>) =>
  new Hono<AppEnv>()
    .get("/healthz", describeRoute({ summary: "Liveness: 200 while the process serves", tags: ["ops"] }), (c) => c.json({ status: "ok" }))
    .get("/readyz", describeRoute({
      summary: "Readiness: 200 when the event store answers, else 503 with the failing check",
      tags: ["ops"],
      responses: { 503: { description: "EVENT_STORE_UNAVAILABLE, with `checks`" } }
    }), (c) =>
      run(
        c,
        Effect.gen(function*() {
          const store = yield* EventStore
          const exit = yield* Effect.exit(store.ping.pipe(Effect.timeout(PING_TIMEOUT)))
          if (Exit.isSuccess(exit)) {
            // the read side (src/http/queries/ProjectionHealth.ts): every projection serving, running and caught up once
            const readSide = yield* readSideHealth
            const checks = { eventStore: { ok: true, kind: store.kind }, projections: readSide }
            if (readSide.ok) return c.json({ status: "ready", checks })
            const behind = readSide.projections.filter((p) => !p.ok).map((p) => `${p.projection} (${p.state})`).join(", ")
            return c.json({ ...errorBody("READ_SIDE_NOT_READY", `read models not ready: ${behind}`), checks }, 503)
          }
          const failure = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
          const mapped = toHttpError(failure)
          const message = mapped?.message ?? `event store did not answer within ${Duration.format(PING_TIMEOUT)}`
          return c.json(
            {
              ...errorBody("EVENT_STORE_UNAVAILABLE", message),
              checks: { eventStore: { ok: false, kind: store.kind, message } }
            },
            503
          )
        })
      ))
