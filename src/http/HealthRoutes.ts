/** Liveness and readiness: `/healthz` answers while the process serves, `/readyz` when the event store answers too. */
import { Duration, Effect, Exit } from "effect"
import { Hono } from "hono"
import { EventStore } from "../eventstore/EventStore.ts"
import type { RunEffect } from "./AppRuntime.ts"
import { errorBody, toHttpError } from "./HttpError.ts"
import type { AppEnv } from "./RequestId.ts"

const PING_TIMEOUT = Duration.seconds(5)

export const healthRoutes = (run: RunEffect<EventStore>) =>
  new Hono<AppEnv>()
    .get("/healthz", (c) => c.json({ status: "ok" }))
    .get("/readyz", (c) =>
      run(
        c,
        Effect.gen(function*() {
          const store = yield* EventStore
          const exit = yield* Effect.exit(store.ping.pipe(Effect.timeout(PING_TIMEOUT)))
          if (Exit.isSuccess(exit)) {
            return c.json({ status: "ready", checks: { eventStore: { ok: true, kind: store.kind } } })
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
