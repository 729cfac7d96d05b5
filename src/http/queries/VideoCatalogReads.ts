/**
 * How the video queries read the catalog: which index a caller's filters name (VideoDocument.ts), the
 * categories that exist (a video in a removed category shows null), and the `q` title filter, a bounded
 * scan: at most VIDEO_SCAN_LIMIT entries of the chosen index are read per page, and `next` resumes the scan.
 */
import { Effect } from "effect"
import { type VideoDoc, videoIndex, videoPartition, type VideoScope, type VideoSort } from "../../../projections/VideoDocument.ts"
import type { CategoryDoc } from "../../../projections/CategoryDocument.ts"
import type { Principal } from "../../domain/shared/Decider.ts"
import { encodeCursor } from "../../readstore/ReadStoreKeys.ts"
import { HttpError } from "../HttpError.ts"
import { forbidden, isAdmin, resolveUser } from "./QueryKit.ts"
import type { OpenReadModel } from "./ReadModel.ts"

/** Index entries one `q` page may read before it answers with what it found (and a `next` to go on). */
export const VIDEO_SCAN_LIMIT = 500

export interface VideoFilters {
  readonly owner?: string | undefined
  readonly category?: string | undefined
  readonly status?: VideoDoc["status"] | undefined
  readonly sort?: VideoSort | undefined
}

/** The index and partition for a caller: admins and owners (owner=me) read every state; others what is publicly listed. */
export const videoIndexFor = (filters: VideoFilters, actor: Principal): Effect.Effect<{ readonly index: string; readonly value: string }, HttpError> => {
  const owner = resolveUser(actor, filters.owner)
  const scope: VideoScope = isAdmin(actor) || owner === actor.userId ? "all" : "listed"
  if (scope === "listed" && filters.status !== undefined && filters.status !== "ready") {
    return Effect.fail(forbidden("only ready videos of other users are listed; use owner=me for your own"))
  }
  const sort = filters.sort ?? "newest"
  // every listed video is ready: the filter adds nothing there
  const status = scope === "listed" ? undefined : filters.status
  if (status !== undefined && (sort !== "newest" || filters.category !== undefined)) {
    return Effect.fail(new HttpError({ status: 422, code: "VALIDATION_FAILED", message: "query.status: combine it with owner only, sorted newest" }))
  }
  return Effect.succeed({ index: videoIndex(scope, sort), value: videoPartition({ owner, category: filters.category, status }) })
}

/** Every category the read model holds (the catalog is small: one page). */
export const categoriesOf = (model: OpenReadModel) =>
  Effect.map(
    model.store.list(model.slot, "category", "all", { limit: 1000, order: "asc" }),
    (page) => page.items.map((i) => i.doc as CategoryDoc)
  )

/** The document as answered: a category that no longer exists is null. */
export const videoView = (known: ReadonlySet<string>) => (doc: VideoDoc): VideoDoc =>
  doc.category !== null && !known.has(doc.category) ? { ...doc, category: null } : doc

/** `q` matches a title case-insensitively, anywhere in it. */
export const titleMatches = (q: string) => {
  const needle = q.trim().toLowerCase()
  return (doc: VideoDoc) => doc.title.toLowerCase().includes(needle)
}

/** A page of `index` whose documents pass `keep`: reads on until `limit` pass or VIDEO_SCAN_LIMIT entries were read. */
export const scanPage = (
  model: OpenReadModel,
  index: { readonly index: string; readonly value: string },
  options: { readonly cursor?: string | undefined; readonly limit: number },
  keep: (doc: VideoDoc) => boolean
) =>
  Effect.gen(function*() {
    const items: Array<{ readonly id: string; readonly score: number; readonly doc: unknown }> = []
    let cursor = options.cursor
    let scanned = 0
    do {
      const page = yield* model.store.list(model.slot, "video", index.index, {
        value: index.value,
        cursor,
        limit: Math.min(100, VIDEO_SCAN_LIMIT - scanned),
        order: "desc"
      })
      scanned += page.items.length
      cursor = page.next
      for (const item of page.items) {
        if (!keep(item.doc as VideoDoc)) continue
        items.push(item)
        // full: the next page starts right after this entry (the store's cursor is the last (score, id) seen)
        if (items.length === options.limit) {
          cursor = item === page.items.at(-1) ? page.next : encodeCursor({ score: item.score, id: item.id })
          return { items, next: cursor }
        }
      }
    } while (cursor !== undefined && scanned < VIDEO_SCAN_LIMIT)
    return { items, next: cursor }
  })
