/**
 * Everything the read side serves, as one sub-app for App.ts: the query API, the SSE feeds,
 * the auditor endpoints and the projection admin endpoints.
 */
import { Hono } from "hono"
import { defaultDomainSettings } from "../../domain/shared/DomainSettings.ts"
import type { AppRuntime } from "../AppRuntime.ts"
import { makeRunEffect } from "../AppRuntime.ts"
import { makeFoldedReads } from "./FoldedReads.ts"
import type { ReadSideShape } from "./ReadSide.ts"
import { type AuthOptions, noAuth } from "../auth/Auth.ts"
import { auditRoutes } from "../audit/AuditRoutes.ts"
import { engagementQueries } from "../engagement/EngagementQueries.ts"
import { storageQueries } from "../engagement/StorageQueries.ts"
import type { AppEnv } from "../AppEnv.ts"
import type { FeedOptions } from "../../feeds/FeedOptions.ts"
import { type FeedServices, sseRoutes } from "../sse/SseRoutes.ts"
import { projectionAdminRoutes } from "./ProjectionAdminRoutes.ts"
import type { QueryDeps, ReadSideServices } from "./QueryKit.ts"
import { quotaQueries } from "./QuotaQueries.ts"
import type { ReadSideSettings } from "./ReadModel.ts"
import { roomQueries } from "./RoomQueries.ts"
import { streamQueries } from "./StreamQueries.ts"
import { uploadQueries } from "./UploadQueries.ts"
import { videoQueries } from "./VideoQueries.ts"

export const defaultReadSideSettings: ReadSideSettings = {
  waitMillis: 3_000,
  quota: {
    weeklyUploadLimitBytes: defaultDomainSettings.weeklyUploadLimitBytes,
    quotaResetDay: defaultDomainSettings.quotaResetDay,
    quotaResetHour: defaultDomainSettings.quotaResetHour
  },
  uploadExpiryHours: defaultDomainSettings.uploadExpiryHours
}

export interface ReadSideOptions {
  readonly runtime: AppRuntime<ReadSideServices | FeedServices>
  readonly auth?: AuthOptions | undefined
  readonly settings?: ReadSideSettings | undefined
  readonly now?: (() => number) | undefined
  readonly sseHeartbeatMillis?: number | undefined
  /** Live feed caps, lifetime and tickets (FEED_* settings; src/feeds/FeedOptions.ts). */
  readonly feeds?: FeedOptions | undefined
  /** The process's read side (ReadSide), for answers from folded reads without an effect run; unset: every query runs one. */
  readonly side?: ReadSideShape | undefined
}

export const readSideRoutes = (options: ReadSideOptions): Hono<AppEnv> => {
  const run = makeRunEffect(options.runtime)
  const auth = options.auth ?? noAuth
  const deps: QueryDeps = {
    run: makeRunEffect(options.runtime, { interruptOnAbort: false }),
    auth,
    settings: options.settings ?? defaultReadSideSettings,
    now: options.now ?? (() => Date.now()),
    folded: makeFoldedReads(),
    side: options.side
  }
  const app = new Hono<AppEnv>()
  // SSE first: `/uploads/:id/events` must not be shadowed by a broader pattern mounted later.
  app.route("/", sseRoutes({
    run,
    auth,
    uploadExpiryHours: deps.settings.uploadExpiryHours,
    heartbeatMillis: options.sseHeartbeatMillis,
    feeds: options.feeds
  }))
  app.route("/", videoQueries(deps))
  app.route("/", uploadQueries(deps))
  app.route("/", quotaQueries(deps))
  app.route("/", roomQueries(deps))
  app.route("/", streamQueries(deps))
  app.route("/", engagementQueries(deps))
  app.route("/", storageQueries(deps))
  app.route("/", auditRoutes(run, auth))
  app.route("/", projectionAdminRoutes(run, auth))
  return app
}
