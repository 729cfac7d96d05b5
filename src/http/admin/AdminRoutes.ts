/**
 * Admin endpoints (role admin): a user's weekly upload limit and sponsor status, both recorded as
 * `QuotaLimitSet` events on the user's Quota aggregate. Sponsor status here is the quota side of
 * sponsorship (limit -1 = unlimited); the `sponsor` role in the token is what room tiers use.
 */
import { Effect } from "effect"
import { Hono } from "hono"
import { ActorSystem } from "../../actors/ActorSystem.ts"
import { QuotaAggregate } from "../../domain/quota/QuotaAggregate.ts"
import type { QuotaCommand } from "../../domain/quota/QuotaCommands.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { QuotaLimitBody, QuotaLimitResult, QuotaView, SponsorBody, UserParams } from "./AdminSchemas.ts"

const SANE_KEY = /^[A-Za-z0-9._:-]{1,128}$/

export const adminRoutes = (run: RunEffect<ActorSystem>, auth: AuthOptions) => {
  const app = new Hono<AppEnv>()
  app.use("*", requireAuth(auth, { roles: ["admin"] }))

  const setLimit = (
    c: Parameters<RunEffect<ActorSystem>>[0],
    userId: string,
    limitBytes: number | null,
    reason: string
  ) =>
    run(
      c,
      Effect.gen(function*() {
        const actors = yield* ActorSystem
        const key = c.req.header("Idempotency-Key")
        const command: QuotaCommand = { _tag: "SetQuotaLimit", userId, limitBytes, reason }
        const result = yield* actors.send(QuotaAggregate, userId, {
          command,
          actor: c.get("actor"),
          commandId: key !== undefined && SANE_KEY.test(key) ? `admin-quota-${userId}-${key}` : undefined,
          correlationId: c.get("requestId")
        })
        const body: typeof QuotaLimitResult.Type = {
          userId,
          limitBytes,
          sponsor: limitBytes === -1,
          changed: result.events.length > 0,
          revision: result.revision,
          position: result.position
        }
        return c.json(body)
      })
    )

  app.put(
    "/users/:userId/quota-limit",
    describeRoute({
      summary: "Set a user's weekly upload limit",
      description: "`limitBytes`: bytes per week, -1 for unlimited, null to go back to WEEKLY_UPLOAD_LIMIT_BYTES. " +
        "A limit below what the user already reserved or used this period is refused (422 LIMIT_BELOW_USAGE). " +
        "Send `Idempotency-Key` to make a retried request apply once. `position` is the global position to wait for on reads.",
      tags: ["admin"],
      responses: { 200: { description: "the limit now in force", schema: QuotaLimitResult } }
    }),
    validate("param", UserParams),
    validate("json", QuotaLimitBody),
    (c) => {
      const { limitBytes, reason } = c.req.valid("json")
      return setLimit(c, c.req.valid("param").userId, limitBytes, reason ?? `set by admin ${c.get("actor").userId}`)
    }
  )

  app.put(
    "/users/:userId/sponsor",
    describeRoute({
      summary: "Grant or withdraw a user's sponsor quota",
      description: "`sponsor: true` records an unlimited weekly limit (-1) on the user's quota; `false` goes back to the " +
        "default limit (it also clears a limit set with quota-limit). The token's `sponsor` role is separate: it gives " +
        "sponsor rooms.",
      tags: ["admin"],
      responses: { 200: { description: "the limit now in force", schema: QuotaLimitResult } }
    }),
    validate("param", UserParams),
    validate("json", SponsorBody),
    (c) => {
      const { sponsor, reason } = c.req.valid("json")
      const who = c.get("actor").userId
      return setLimit(c, c.req.valid("param").userId, sponsor ? -1 : null, reason ?? `${sponsor ? "sponsor granted" : "sponsor withdrawn"} by admin ${who}`)
    }
  )

  app.get(
    "/users/:userId/quota",
    describeRoute({
      summary: "A user's quota limit as the Quota aggregate holds it",
      tags: ["admin"],
      responses: { 200: { description: "the limit override (null = default)", schema: QuotaView } }
    }),
    validate("param", UserParams),
    (c) =>
      run(
        c,
        Effect.gen(function*() {
          const userId = c.req.valid("param").userId
          const { state, revision, position } = yield* (yield* ActorSystem).current(QuotaAggregate, userId)
          const limitOverride = state.status === "Tracked" ? state.limitOverride : null
          const body: typeof QuotaView.Type = { userId, limitOverride, sponsor: limitOverride === -1, revision, position }
          return c.json(body)
        })
      )
  )
  return app
}

