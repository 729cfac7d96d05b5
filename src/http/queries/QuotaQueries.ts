/** `GET /me/quota`: the caller's current weekly period (admins: `?user=`), completed with the configured default limit. */
import { Effect } from "effect"
import { Hono } from "hono"
import { periodId, type QuotaPeriodDoc, type QuotaUserDoc } from "../../../projections/QuotasProjection.ts"
import { quotaPeriodAt } from "../../domain/quota/QuotaPeriod.ts"
import { requireAuth } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { conditionalJson, docVersion, slotTag, versionTag } from "./ConditionalJson.ts"
import { errorResponse } from "../HttpError.ts"
import { MISS } from "./FoldedReads.ts"
import { forbidden, isAdmin, type QueryDeps, readDocument, resolveUser, servedNow } from "./QueryKit.ts"
import { QuotaQuery, QuotaView, queryHeaders, queryRequestHeaders } from "./QuerySchemas.ts"
import { type OpenReadModel, openReadModel, positionHeaders, type ReadSideSettings, requestedPosition } from "./ReadModel.ts"

/** The quota as a client reads it: limit, used, remaining and reset time of the period containing `now`. */
export const quotaView = (
  userId: string,
  user: QuotaUserDoc | undefined,
  period: QuotaPeriodDoc | undefined,
  now: number,
  settings: ReadSideSettings["quota"]
): typeof QuotaView.Type => {
  const { start, end } = quotaPeriodAt(now, settings)
  const limitOverride = user?.limitOverride ?? null
  const limit = limitOverride ?? settings.weeklyUploadLimitBytes
  const unlimited = limit < 0
  const reservedBytes = period?.reservedBytes ?? 0
  const committedBytes = period?.committedBytes ?? 0
  const usedBytes = reservedBytes + committedBytes
  return {
    userId,
    periodStart: new Date(start).toISOString(),
    periodEnd: new Date(end).toISOString(),
    resetsAt: new Date(end).toISOString(),
    unlimited,
    limitBytes: unlimited ? null : limit,
    limitOverride,
    reservedBytes,
    committedBytes,
    usedBytes,
    remainingBytes: unlimited ? null : Math.max(0, limit - usedBytes),
    openReservations: period?.openReservations ?? 0
  }
}

export const quotaQueries = (deps: QueryDeps) =>
  new Hono<AppEnv>().get(
    "/me/quota",
    describeRoute({
      summary: "Your upload quota this week",
      description: "Limit, reserved (uploads in flight), committed (finished uploads), remaining, and when the period resets. " +
        "Admins may pass `user` to read another user's.",
      tags: ["queries"],
      headers: [...queryRequestHeaders],
      responses: { 200: { description: "the quota", schema: QuotaView, headers: queryHeaders }, 304: { description: "not modified" } }
    }),
    requireAuth(deps.auth),
    validate("query", QuotaQuery),
    (c) => {
      const q = c.req.valid("query")
      const actor = c.get("actor")
      const userId = resolveUser(actor, q.user) ?? actor.userId
      if (userId !== actor.userId && !isAdmin(actor)) return errorResponse(forbidden("only admins may read another user's quota"))
      const now = deps.now()
      const { start } = quotaPeriodAt(now, deps.settings.quota)
      const answer = (model: OpenReadModel, user: unknown, period: unknown) => {
        const body = quotaView(userId, user as QuotaUserDoc | undefined, period as QuotaPeriodDoc | undefined, now, deps.settings.quota)
        // the view depends on the two documents, the period (from the clock) and the configured default limit
        const etag = versionTag([
          slotTag(model.slot),
          userId,
          user === undefined ? "-" : docVersion(user),
          period === undefined ? "-" : docVersion(period),
          start,
          deps.settings.quota.weeklyUploadLimitBytes
        ])
        return conditionalJson(c, body, etag, positionHeaders(model))
      }
      // the common case, with no effect run: both documents were read at the checkpoint served now
      const model = servedNow(deps, c, "quotas", q.minPosition)
      if (model !== undefined) {
        const user = deps.folded.document(model, "user", userId)
        const period = deps.folded.document(model, "period", periodId(userId, start))
        if (user !== MISS && period !== MISS) return answer(model, user, period)
      }
      return deps.run(
        c,
        Effect.gen(function*() {
          const model = yield* openReadModel("quotas", yield* requestedPosition(c, q.minPosition), deps.settings)
          const user = yield* readDocument(deps, model, "user", userId)
          const period = yield* readDocument(deps, model, "period", periodId(userId, start))
          return answer(model, user, period)
        })
      )
    }
  )
