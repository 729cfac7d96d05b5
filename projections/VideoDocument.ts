/** The video catalog's document: an upload's media facts and status, plus the Video aggregate's catalog facts and engagement counts. */
import { Schema } from "effect"
import { Visibility } from "../src/domain/video/VideoCommands.ts"
import type { VideoAccessFacts } from "../src/videos/VideoAccess.ts"
import { EventPlace } from "./DomainEvents.ts"
import { MediaFacts } from "./MediaDetails.ts"

/** "uploading": bytes still arriving; cancelled and expired uploads never become videos (their documents are removed). */
export const VideoStatus = Schema.Literals(["uploading", "processing", "ready", "failed"])
export type VideoStatus = typeof VideoStatus.Type

const Count = Schema.Finite.annotate({ description: "updated by the engagement events (0 until then)" })

export const VideoDocument = Schema.Struct({
  ...MediaFacts.fields,
  id: Schema.String.annotate({ description: "the id of the upload (or stream) it came from" }),
  ownerId: Schema.String,
  title: Schema.String.annotate({ description: "the filename without its extension until the owner edits it" }),
  description: Schema.String,
  category: Schema.NullOr(Schema.String).annotate({ description: "a category's slug (GET /categories); null = none, or its category was removed" }),
  visibility: Visibility.annotate({ description: "before its Video exists (and by default, DEFAULT_VISIBILITY) private" }),
  published: Schema.Boolean,
  publishedAt: Schema.NullOr(Schema.Finite),
  takenDown: Schema.Boolean.annotate({ description: "an admin's takedown is in force" }),
  takedown: Schema.NullOr(Schema.Struct({ reason: Schema.String, at: Schema.Finite })).annotate({
    description: "why and when an admin took it down (shown to the owner and admins)"
  }),
  accessEpoch: Schema.Finite.annotate({
    description: "global position of the newest event that narrowed who may watch (private, unpublished, taken down); 0 = never"
  }),
  allowedOrigins: Schema.Array(Schema.String).annotate({
    description: "web origins (`https://example.com`) whose pages may play it (hotlink protection, PATCH /videos/:id); empty = any"
  }),
  views: Count,
  likes: Count,
  dislikes: Count,
  filename: Schema.String,
  contentType: Schema.String,
  status: VideoStatus,
  failureReason: Schema.NullOr(Schema.String).annotate({ description: "why processing failed, for a person" }),
  sizeBytes: Schema.Finite.annotate({
    description: "declared size until the bytes are in, then the received size (or the size the workers measured)"
  }),
  createdAt: Schema.Finite,
  readyAt: Schema.NullOr(Schema.Finite),
  failedAt: Schema.NullOr(Schema.Finite),
  updatedAt: Schema.Finite,
  ...EventPlace.fields
})
export type VideoDoc = typeof VideoDocument.Type

/** The facts src/videos/VideoAccess.ts decides on (the document carries them under the same names). */
export const videoAccessFacts = (doc: VideoDoc): VideoAccessFacts => doc

/** How a list is ordered: newest (created), most viewed, most liked. */
export const VideoSort = Schema.Literals(["newest", "views", "likes"])
export type VideoSort = typeof VideoSort.Type

/** Which documents an index holds: `listed` = what everyone may list (public, published, ready, not taken down); `all` = every one. */
export type VideoScope = "listed" | "all"

/** The index name of a scope and sort, e.g. `listed_views`; every document, newest first, is "all" (what tools enumerate). */
export const videoIndex = (scope: VideoScope, sort: VideoSort): string => (scope === "all" && sort === "newest" ? "all" : `${scope}_${sort}`)

/** The partition of an index for the given filters: "" (none), `o:<owner>`, `c:<category>`, `s:<status>`, joined with "/" in that order. */
export const videoPartition = (filters: { readonly owner?: string | undefined; readonly category?: string | undefined; readonly status?: string | undefined }): string =>
  [
    filters.owner === undefined ? undefined : `o:${filters.owner}`,
    filters.category === undefined ? undefined : `c:${filters.category}`,
    filters.status === undefined ? undefined : `s:${filters.status}`
  ].filter((part) => part !== undefined).join("/")

/** Listed for everyone: the rule of VideoAccess.isListedFor for a caller who is neither owner nor admin. */
export const isPubliclyListed = (doc: VideoDoc): boolean =>
  doc.status === "ready" && doc.published && !doc.takenDown && doc.visibility === "public"

const scoreOf = (doc: VideoDoc, sort: VideoSort): number => (sort === "newest" ? doc.createdAt : sort === "views" ? doc.views : doc.likes)

const SORTS: ReadonlyArray<VideoSort> = ["newest", "views", "likes"]

/**
 * Index entries: every combination of owner and category filters per scope and sort (the status filter on the
 * `all` scope, newest only). Ties in a count are ordered by id (the read store's rule).
 */
export const videoIndexes = (doc: VideoDoc) => {
  const owner = doc.ownerId
  const category = doc.category ?? undefined
  const filters = [{}, { owner }, ...(category === undefined ? [] : [{ category }, { owner, category }])]
  const entries: Array<{ readonly index: string; readonly value: string; readonly score: number }> = []
  const scopes: ReadonlyArray<VideoScope> = isPubliclyListed(doc) ? ["listed", "all"] : ["all"]
  for (const scope of scopes) {
    for (const sort of SORTS) {
      for (const f of filters) entries.push({ index: videoIndex(scope, sort), value: videoPartition(f), score: scoreOf(doc, sort) })
    }
  }
  for (const f of [{ status: doc.status }, { owner, status: doc.status }]) {
    entries.push({ index: videoIndex("all", "newest"), value: videoPartition(f), score: doc.createdAt })
  }
  return entries
}
