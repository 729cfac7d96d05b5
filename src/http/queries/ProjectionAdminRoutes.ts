/** Admin endpoints of the read side: every projection's status, lag and rebuild progress; start a rebuild without downtime. */
import { Effect, Schema } from "effect"
import { Hono } from "hono"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { notFound } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { readSideHealth } from "./ProjectionHealth.ts"
import { projectionRunner, type ReadSide } from "./ReadSide.ts"

const NameParams = Schema.Struct({ name: Schema.String.check(Schema.isPattern(/^[a-z][A-Za-z0-9_-]{0,63}$/)) })

const statusOf = (name?: string) =>
  Effect.gen(function*() {
    const runner = yield* projectionRunner("*")
    const health = yield* readSideHealth
    const all = (yield* runner.status).map((s) => ({
      ...s,
      health: health.projections.find((h) => h.projection === s.projection)
    }))
    return name === undefined ? all : all.filter((s) => s.projection === name)
  })

export const projectionAdminRoutes = (run: RunEffect<ReadSide>, auth: AuthOptions) => {
  const app = new Hono<AppEnv>()
  const guard = requireAuth(auth, { roles: ["admin"] })

  app.get(
    "/admin/projections",
    describeRoute({
      summary: "Read models: state, active version, checkpoint, lag, rebuild progress",
      tags: ["admin"],
      responses: { 200: { description: "one entry per projection" } }
    }),
    guard,
    (c) => run(c, Effect.map(statusOf(), (projections) => c.json({ projections })))
  )

  app.post(
    "/admin/projections/:name/rebuild",
    describeRoute({
      summary: "Rebuild a read model from the start of history, without downtime",
      description: "A new generation is built beside the live one, swapped in atomically once caught up, and the old keys " +
        "removed. Queries keep reading the old build meanwhile. Follow progress with GET /admin/projections " +
        "(`rebuild.fraction`). 409 REBUILD_IN_PROGRESS while one runs.",
      tags: ["admin"],
      responses: { 202: { description: "the rebuild started" }, 404: { description: "NOT_FOUND: no such projection" } }
    }),
    guard,
    validate("param", NameParams),
    (c) =>
      run(
        c,
        Effect.gen(function*() {
          const name = c.req.valid("param").name
          const runner = yield* projectionRunner(name)
          if (!(yield* runner.status).some((s) => s.projection === name)) return yield* notFound(`no projection "${name}"`)
          yield* runner.rebuild(name)
          return c.json({ started: true, projection: name, status: (yield* statusOf(name))[0] ?? null }, 202)
        })
      )
  )
  return app
}
