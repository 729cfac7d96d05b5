/**
 * `GET`/`PUT /admin/settings` (role admin): the limits an admin may change at run time, recorded as
 * `RuntimeSettingsChanged` events with who and when (SettingsAggregate.ts), overriding the environment's
 * MAX_FILE_SIZE_BYTES and WEEKLY_UPLOAD_LIMIT_BYTES for the upload path of every node (RuntimeSettings.ts).
 */
import { Effect, Schema } from "effect"
import { Hono } from "hono"
import { ActorSystem } from "../../actors/ActorSystem.ts"
import type { DomainSettings } from "../../domain/shared/DomainSettings.ts"
import { PositiveInt } from "../../domain/shared/Primitives.ts"
import { SETTINGS_ID, SettingsAggregate, withOverrides } from "../../domain/settings/SettingsAggregate.ts"
import { safeKey } from "../../rooms/RoomCommandIds.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { POSITION_HEADER } from "../queries/ReadModel.ts"
import type { AppEnv } from "../AppEnv.ts"

const Override = Schema.NullOr(PositiveInt)

export const RuntimeSettingsBody = Schema.Struct({
  maxFileSizeBytes: Schema.optional(Override.annotate({ description: "largest upload, bytes; null = MAX_FILE_SIZE_BYTES" })),
  weeklyUploadLimitBytes: Schema.optional(Override.annotate({ description: "upload allowance per user per week, bytes; null = WEEKLY_UPLOAD_LIMIT_BYTES" }))
}).annotate({ identifier: "RuntimeSettingsBody" })

const Limits = Schema.Struct({ maxFileSizeBytes: Schema.Int, weeklyUploadLimitBytes: Schema.Int })

export const RuntimeSettingsView = Schema.Struct({
  effective: Limits.annotate({ description: "in force (an admin's override, else the environment's)" }),
  overrides: Schema.Struct({ maxFileSizeBytes: Schema.NullOr(Schema.Int), weeklyUploadLimitBytes: Schema.NullOr(Schema.Int) }),
  defaults: Limits.annotate({ description: "the environment's" }),
  changedBy: Schema.NullOr(Schema.String),
  changedAt: Schema.NullOr(Schema.String).annotate({ description: "ISO-8601" }),
  revision: Schema.Int,
  position: Schema.Int
}).annotate({ identifier: "RuntimeSettings" })

const limitsOf = (s: DomainSettings) => ({ maxFileSizeBytes: s.maxFileSizeBytes, weeklyUploadLimitBytes: s.weeklyUploadLimitBytes })

/** `defaults`: the environment's settings (what a null override goes back to). */
export const adminSettingsRoutes = (run: RunEffect<ActorSystem>, auth: AuthOptions, defaults: DomainSettings) => {
  const app = new Hono<AppEnv>()
  const admin = requireAuth(auth, { roles: ["admin"] })

  const view = Effect.gen(function*() {
    const { state, revision, position } = yield* (yield* ActorSystem).current(SettingsAggregate, SETTINGS_ID)
    return {
      effective: limitsOf(withOverrides(defaults, state.overrides)),
      overrides: state.overrides,
      defaults: limitsOf(defaults),
      changedBy: state.changedBy,
      changedAt: state.changedAt === null ? null : new Date(state.changedAt).toISOString(),
      revision,
      position
    } satisfies typeof RuntimeSettingsView.Type
  })

  app.get(
    "/settings",
    describeRoute({
      summary: "The runtime settings",
      description: "What is in force, the admins' overrides, the environment's defaults, and who changed them last.",
      tags: ["admin"],
      responses: { 200: { description: "the settings", schema: RuntimeSettingsView } }
    }),
    admin,
    (c) => run(c, Effect.map(view, (body) => c.json(body)))
  )

  app.put(
    "/settings",
    describeRoute({
      summary: "Change the runtime settings",
      description: "Absent fields stay; null goes back to the environment's value. Every node's upload checks (tus creation, " +
        "the Upload and Quota deciders) follow within moments; what was already reserved or uploaded is not revisited.",
      tags: ["admin"],
      headers: [{ name: "Idempotency-Key", description: "a retried request with the same key is applied once" }],
      responses: { 200: { description: "the settings now", schema: RuntimeSettingsView } }
    }),
    admin,
    validate("json", RuntimeSettingsBody),
    (c) => {
      const body = c.req.valid("json")
      const actor = c.get("actor")
      const key = safeKey(c.req.header("Idempotency-Key"))
      return run(
        c,
        Effect.gen(function*() {
          const result = yield* (yield* ActorSystem).send(SettingsAggregate, SETTINGS_ID, {
            command: { _tag: "SetRuntimeSettings", ...body },
            actor,
            commandId: key === undefined ? undefined : `settings-set:${actor.userId}:${key}`,
            correlationId: c.get("requestId")
          })
          return c.json(yield* view, 200, { [POSITION_HEADER]: String(result.position) })
        })
      )
    }
  )
  return app
}
