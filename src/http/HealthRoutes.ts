/**
 * Liveness and readiness: `/healthz` answers while the process serves; `/readyz` when the event
 * store and the object store both answer and the read side has caught up. One readiness check
 * serves every probe of the same second, so a flood of probes does not ping the stores per request.
 */
import { Duration, Effect, Exit, Fiber } from "effect"
import { Hono } from "hono"
import { EventStore } from "../eventstore/EventStore.ts"
import { ObjectStore } from "../objectstore/ObjectStore.ts"
import type { RunEffect } from "./AppRuntime.ts"
import { errorBody, toHttpError, unavailableMessage } from "./HttpError.ts"
import { type ProjectionHealth, readinessView, readSideHealth } from "./queries/ProjectionHealth.ts"
import type { ReadSide } from "./queries/ReadSide.ts"
import { describeRoute } from "./openapi/RouteDoc.ts"
import type { AppEnv } from "./AppEnv.ts"

const PING_TIMEOUT = Duration.seconds(5)
/** How long one check's outcome answers the probes that follow it. */
const READINESS_CACHE_MILLIS = 1_000

/** What a probe sees of a store: whether it answered and its adapter, never the driver's text. */
interface StoreCheck {
  readonly ok: boolean
  readonly kind: string
}

type Readiness =
  | { readonly ready: true; readonly checks: Record<string, unknown> }
  | { readonly ready: false; readonly code: string; readonly message?: string; readonly checks: Record<string, unknown> }

/** Pings one store, bounded: a store that hangs is as unready as one that refuses. Why it failed goes to the log. */
const check = <E>(what: string, kind: string, ping: Effect.Effect<void, E>): Effect.Effect<StoreCheck> =>
  Effect.flatMap(Effect.exit(ping.pipe(Effect.timeout(PING_TIMEOUT))), (exit): Effect.Effect<StoreCheck> => {
    if (Exit.isSuccess(exit)) return Effect.succeed({ ok: true, kind })
    const failure = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
    const detail = toHttpError(failure)?.message ?? (failure instanceof Error && failure.message !== "" ? failure.message : undefined) ??
      `${what} did not answer within ${Duration.format(PING_TIMEOUT)}`
    return Effect.as(Effect.logWarning(`readiness: ${detail}`), { ok: false, kind })
  })

const checkReadiness = Effect.gen(function*() {
  const events = yield* EventStore
  const objects = yield* ObjectStore
  const [eventStore, objectStore] = yield* Effect.all([
    check("event store", events.kind, events.ping),
    check("object store", objects.kind, objects.ping)
  ], { concurrency: 2 })
  const stores = { eventStore, objectStore }
  if (!eventStore.ok) return { ready: false, code: "EVENT_STORE_UNAVAILABLE", checks: stores } satisfies Readiness
  if (!objectStore.ok) return { ready: false, code: "OBJECT_STORE_UNAVAILABLE", checks: stores } satisfies Readiness
  // the read side (src/http/queries/ProjectionHealth.ts): every projection serving, running and caught up once
  const readSide = yield* readSideHealth
  const checks = { ...stores, projections: readinessView(readSide) }
  if (readSide.ok) return { ready: true, checks } satisfies Readiness
  const behind = readSide.projections.filter((p: ProjectionHealth) => !p.ok).map((p) => `${p.projection} (${p.state})`).join(", ")
  return { ready: false, code: "READ_SIDE_NOT_READY", message: `read models not ready: ${behind}`, checks } satisfies Readiness
})

/**
 * The readiness check, shared: a probe joins the check in flight or the one that ended less than a
 * second ago, else starts one. It runs detached, so a probe that goes away does not cancel it for the others.
 */
const sharedReadiness = () => {
  let last: { fiber?: Fiber.Fiber<Readiness>; endedAt?: number } | undefined
  return Effect.suspend(() => {
    const fresh = last?.fiber !== undefined && (last.endedAt === undefined || Date.now() - last.endedAt < READINESS_CACHE_MILLIS)
    if (fresh) return Fiber.join(last!.fiber!)
    const entry: { fiber?: Fiber.Fiber<Readiness>; endedAt?: number } = {}
    return Effect.flatMap(
      Effect.forkDetach(checkReadiness.pipe(Effect.ensuring(Effect.sync(() => (entry.endedAt = Date.now()))))),
      (fiber) => {
        entry.fiber = fiber
        last = entry
        return Fiber.join(fiber)
      }
    )
  })
}

export const healthRoutes = (run: RunEffect<EventStore | ObjectStore | ReadSide>) => {
  const readiness = sharedReadiness()
  return new Hono<AppEnv>()
    .get("/healthz", describeRoute({ summary: "Liveness: 200 while the process serves", tags: ["ops"] }), (c) => c.json({ status: "ok" }))
    .get("/readyz", describeRoute({
      summary: "Readiness: 200 when the event store and the object store answer and the read models have caught up, else 503 with `checks` " +
        "(checked at most once a second; `checks` say which part is not ready, the log says why)",
      tags: ["ops"],
      responses: { 503: { description: "EVENT_STORE_UNAVAILABLE, OBJECT_STORE_UNAVAILABLE or READ_SIDE_NOT_READY, with `checks`" } }
    }), (c) =>
      run(
        c,
        Effect.map(readiness, (r) => {
          if (r.ready) return c.json({ status: "ready", checks: r.checks })
          const message = r.message ?? unavailableMessage(r.code, c.get("requestId"))
          return c.json({ ...errorBody(r.code, message), checks: r.checks }, 503)
        }).pipe(Effect.annotateLogs({ requestId: c.get("requestId") })) // a check's log line names the probe that ran it
      ))
}
