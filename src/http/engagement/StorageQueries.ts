/**
 * Storage statistics: `GET /me/storage` (your bytes by kind) and `GET /storage/stats` (admins: totals by
 * kind, exact, and the users storing the most). Per-user sums are made here over the storage read model's
 * per-upload documents (see projections/StorageProjection.ts for why), reading at most 10,000 of them.
 */
import { Effect, Option } from "effect"
import { Hono } from "hono"
import { type StorageTotalsDoc, type StoredUploadDoc, TOTALS_ID } from "../../../projections/StorageProjection.ts"
import type { ReadStoreShape } from "../../readstore/ReadStore.ts"
import type { Slot } from "../../readstore/ReadStoreTypes.ts"
import type { AppEnv } from "../AppEnv.ts"
import { requireAuth } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { conditionalJson, slotTag, versionTag } from "../queries/ConditionalJson.ts"
import type { QueryDeps } from "../queries/QueryKit.ts"
import { queryHeaders, queryRequestHeaders } from "../queries/QuerySchemas.ts"
import { openReadModel, positionHeaders, requestedPosition } from "../queries/ReadModel.ts"
import { FreshQuery, StorageStatsView, UserStorageView } from "./EngagementSchemas.ts"

const PROJECTION = "storage"
const PAGE = 1000
/** Upload documents one answer sums at most. */
export const STORAGE_SUM_BOUND = 10_000
const TOP_USERS = 100

interface Sum {
  originalsBytes: number
  mediaBytes: number
  totalBytes: number
  uploads: number
}
const zero = (): Sum => ({ originalsBytes: 0, mediaBytes: 0, totalBytes: 0, uploads: 0 })
const add = (sum: Sum, doc: StoredUploadDoc) => {
  sum.originalsBytes += doc.originalBytes
  sum.mediaBytes += doc.mediaBytes
  sum.totalBytes += doc.originalBytes + doc.mediaBytes
  sum.uploads++
}

/** Reads an index page by page, newest first, until its end or the bound; `complete` = it reached the end. */
const readAll = (store: ReadStoreShape, slot: Slot, index: string, value: string) =>
  Effect.gen(function*() {
    const docs: Array<StoredUploadDoc> = []
    let cursor: string | undefined
    let high = 0
    while (docs.length < STORAGE_SUM_BOUND) {
      const page = yield* store.list(slot, "upload", index, { value, cursor, limit: Math.min(PAGE, STORAGE_SUM_BOUND - docs.length), order: "desc" })
      for (const item of page.items) {
        const doc = item.doc as StoredUploadDoc
        docs.push(doc)
        high = Math.max(high, doc.position)
      }
      cursor = page.next
      if (cursor === undefined) return { docs, complete: true, high }
    }
    return { docs, complete: false, high }
  })

export const storageQueries = (deps: QueryDeps) => {
  const app = new Hono<AppEnv>()
  app.get(
    "/me/storage",
    describeRoute({
      summary: "The bytes your videos keep in storage",
      description: "Originals (the uploaded files as stored) and media (the published HLS renditions and thumbnails), summed over your uploads; " +
        "cancelled and expired uploads are gone and do not count, bytes still arriving are not counted yet.",
      tags: ["engagement"],
      headers: [...queryRequestHeaders],
      responses: { 200: { description: "your storage", schema: UserStorageView, headers: queryHeaders }, 304: { description: "not modified" } }
    }),
    requireAuth(deps.auth),
    validate("query", FreshQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const userId = c.get("actor").userId
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, c.req.valid("query").minPosition), deps.settings)
          const { docs, complete, high } = yield* readAll(model.store, model.slot, "byOwner", userId)
          const sum = zero()
          docs.forEach((d) => add(sum, d))
          const body: typeof UserStorageView.Type = { userId, ...sum, complete }
          return conditionalJson(c, body, versionTag([slotTag(model.slot), "storage", userId, docs.length, high]), positionHeaders(model))
        })
      )
  )

  app.get(
    "/storage/stats",
    describeRoute({
      summary: "Storage statistics (admins): bytes by kind, and by user",
      tags: ["engagement"],
      headers: [...queryRequestHeaders],
      responses: { 200: { description: "the statistics", schema: StorageStatsView, headers: queryHeaders }, 304: { description: "not modified" } }
    }),
    requireAuth(deps.auth, { roles: ["admin"] }),
    validate("query", FreshQuery),
    (c) =>
      deps.run(
        c,
        Effect.gen(function*() {
          const model = yield* openReadModel(PROJECTION, yield* requestedPosition(c, c.req.valid("query").minPosition), deps.settings)
          const totalsDoc = Option.getOrUndefined(yield* model.store.get(model.slot, "totals", TOTALS_ID)) as StorageTotalsDoc | undefined
          const { docs, complete } = yield* readAll(model.store, model.slot, "all", "")
          const byUser = new Map<string, Sum>()
          for (const d of docs) {
            const sum = byUser.get(d.ownerId) ?? zero()
            add(sum, d)
            byUser.set(d.ownerId, sum)
          }
          const t = totalsDoc ?? { originalsBytes: 0, mediaBytes: 0, uploads: 0, position: 0 }
          const body: typeof StorageStatsView.Type = {
            totals: { originalsBytes: t.originalsBytes, mediaBytes: t.mediaBytes, totalBytes: t.originalsBytes + t.mediaBytes, uploads: t.uploads },
            byUser: [...byUser].map(([userId, s]) => ({ userId, ...s })).sort((a, b) => b.totalBytes - a.totalBytes || (a.userId < b.userId ? -1 : 1)).slice(0, TOP_USERS),
            complete
          }
          // the totals document's position moves with every change the statistics show
          return conditionalJson(c, body, versionTag([slotTag(model.slot), "storage-stats", t.position]), positionHeaders(model))
        })
      )
  )
  return app
}
