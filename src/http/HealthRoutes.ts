/**
 * Liveness and readiness: `/healthz` answers while the process serves; `/readyz` when the event
 * store and the object store both answer and the read side has caught up.
 */
import { Duration, Effect, Exit } from "effect"
import { Hono } from "hono"
import { EventStore } from "../eventstore/EventStore.ts"
import { ObjectStore } from "../objectstore/ObjectStore.ts"
import type { RunEffect } from "./AppRuntime.ts"
import { errorBody, toHttpError } from "./HttpError.ts"
import { readSideHealth } from "./queries/ProjectionHealth.ts"
import { describeRoute } from "./openapi/RouteDoc.ts"
import type { AppEnv } from "./RequestId.ts"

const PING_TIMEOUT = Duration.seconds(5)

interface StoreCheck {
  readonly ok: boolean
  readonly kind: string
  readonly message?: string
}

/** Pings one store, bounded: a store that hangs is as unready as one that refuses. */
const check = <E>(what: string, kind: string, ping: Effect.Effect<void, E>): Effect.Effect<StoreCheck> =>
  Effect.map(Effect.exit(ping.pipe(Effect.timeout(PING_TIMEOUT))), (exit) => {
    if (Exit.isSuccess(exit)) return { ok: true, kind }
    const failure = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
    const message = toHttpError(failure)?.message ?? (failure instanceof Error && failure.message !== "" ? failure.message : undefined) ??
      `${what} did not answer within ${Duration.format(PING_TIMEOUT)}`
    return { ok: false, kind, message }
  })

export const healthRoutes = (run: RunEffect<EventStore | ObjectStore>) =>
  new Hono<AppEnv>()
    .get("/healthz", describeRoute({ summary: "Liveness: 200 while the process serves", tags: ["ops"] }), (c) => c.json({ status: "ok" }))
    .get("/readyz", describeRoute({
      summary: "Readiness: 200 when the event store and the object store answer and the read models have caught up, else 503 with `checks`",
      tags: ["ops"],
      responses: { 503: { description: "EVENT_STORE_UNAVAILABLE, OBJECT_STORE_UNAVAILABLE or READ_SIDE_NOT_READY, with `checks`" } }
    }), (c) =>
      run(
        c,
        Effect.gen(function*() {
          const events = yield* EventStore
          const objects = yield* ObjectStore
          const [eventStore, objectStore] = yield* Effect.all([
            check("event store", events.kind, events.ping),
            check("object store", objects.kind, objects.ping)
          ], { concurrency: 2 })
          if (!eventStore.ok) {
            return c.json({ ...errorBody("EVENT_STORE_UNAVAILABLE", eventStore.message!), checks: { eventStore, objectStore } }, 503)
          }
          if (!objectStore.ok) {
            return c.json({ ...errorBody("OBJECT_STORE_UNAVAILABLE", objectStore.message!), checks: { eventStore, objectStore } }, 503)
          }
          // the read side (src/http/queries/ProjectionHealth.ts): every projection serving, running and caught up once
          const readSide = yield* readSideHealth
          const checks = { eventStore, objectStore, projections: readSide }
          if (readSide.ok) return c.json({ status: "ready", checks })
          const behind = readSide.projections.filter((p) => !p.ok).map((p) => `${p.projection} (${p.state})`).join(", ")
          return c.json({ ...errorBody("READ_SIDE_NOT_READY", `read models not ready: ${behind}`), checks }, 503)
        })
      ))
