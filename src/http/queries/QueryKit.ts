/** What every query route shares: its dependencies, visibility helpers, and the paged / single-document answers. */
import { Effect, Option } from "effect"
import type { Context } from "hono"
import type { Principal } from "../../domain/shared/Decider.ts"
import type { EventStore } from "../../eventstore/EventStore.ts"
import type { RunEffect } from "../AppRuntime.ts"
import type { AuthOptions } from "../auth/Auth.ts"
import { errorResponse, HttpError, notFound } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { conditionalJson, docVersion, pageJson, PreparedJson, slotTag, versionTag } from "./ConditionalJson.ts"
import type { ReadSide, ReadSideShape } from "./ReadSide.ts"
import { type FoldedReads, MISS } from "./FoldedReads.ts"
import type { ListPage } from "../../readstore/ReadStoreTypes.ts"
import type { ReadStoreError } from "../../readstore/ReadStoreError.ts"
import { type OpenReadModel, positionHeaders, readModelNow, type ReadSideSettings, requestedPositionNow } from "./ReadModel.ts"
import { DEFAULT_PAGE_SIZE } from "./QuerySchemas.ts"

/**
 * The services the read side's handlers require: the event store (audit, feeds, stream folds) and
 * what the process declared it reads from (ReadSide: the projections, or the streams only).
 */
export type ReadSideServices = EventStore | ReadSide

/** What an answer varies with besides its documents' versions (a field derived from the clock); "" for none. */
export type Varies = (viewed: unknown) => string | number

export interface QueryDeps {
  readonly run: RunEffect<ReadSideServices>
  readonly auth: AuthOptions
  readonly settings: ReadSideSettings
  /** The clock (tests pin it). */
  readonly now: () => number
  /** What was read at the served checkpoints (FoldedReads.ts). */
  readonly folded: FoldedReads
  /**
   * The process's read side, when the routes were made with it (ReadSideRoutes `side`): answers from
   * folded reads are then given without an effect run. Without it every query runs its effect.
   */
  readonly side?: ReadSideShape | undefined
}

export const isAdmin = (actor: Principal): boolean => actor.roles.includes("admin")

/** `me` (or nothing, when `self` is the default) is the caller. */
export const resolveUser = (actor: Principal, given: string | undefined): string | undefined => (given === "me" ? actor.userId : given)

export const forbidden = (message: string) => new HttpError({ status: 403, code: "FORBIDDEN", message })

/** Which page of which index; the key of a page in FoldedReads. */
export interface PageRead {
  readonly index: string
  readonly value?: string | undefined
  readonly limit?: number | undefined
  readonly cursor?: string | undefined
  /** Newest first unless "asc". */
  readonly order?: "asc" | "desc" | undefined
}

export const pageKeyOf = (name: string, read: PageRead) =>
  `${name}\u0000${read.index}\u0000${read.value ?? ""}\u0000${read.limit ?? DEFAULT_PAGE_SIZE}\u0000${read.cursor ?? ""}\u0000${read.order ?? "desc"}`

/**
 * The read model served now for this request (its `Keyframe-Min-Position` or `fromQuery`, and `stream`'s
 * newest known event, already folded), or undefined: the route's effect then waits, fails or reads.
 */
export const servedNow = (
  deps: QueryDeps,
  c: Context<AppEnv>,
  projection: string,
  fromQuery: number | undefined,
  stream?: string | ReadonlyArray<string>
): OpenReadModel | undefined => {
  if (deps.side === undefined) return undefined
  const minPosition = requestedPositionNow(c, fromQuery)
  return typeof minPosition === "object" ? undefined : readModelNow(deps.side, projection, minPosition, stream)
}

/** A page of an index, newest first, through the process's folded reads. */
export const readPage = (deps: QueryDeps, model: OpenReadModel, name: string, read: PageRead) => {
  const key = pageKeyOf(name, read)
  const kept = deps.folded.page(model, key)
  if (kept !== MISS) return Effect.succeed(kept)
  return Effect.tap(
    model.store.list(model.slot, name, read.index, {
      value: read.value ?? "",
      cursor: read.cursor,
      limit: read.limit ?? DEFAULT_PAGE_SIZE,
      order: read.order ?? "desc"
    }),
    (page) => Effect.sync(() => deps.folded.rememberPage(model, key, page))
  )
}

/** One document (undefined: none), through the process's folded reads. */
export const readDocument = (deps: QueryDeps, model: OpenReadModel, name: string, id: string): Effect.Effect<unknown, ReadStoreError> => {
  const kept = deps.folded.document(model, name, id)
  if (kept !== MISS) return Effect.succeed(kept)
  return Effect.map(model.store.get(model.slot, name, id), (found) => {
    const doc = Option.getOrUndefined(found)
    deps.folded.rememberDocument(model, name, id, doc)
    return doc
  })
}

/** A page of an index as `{ items, next }` with ETag and a `Link: <…>; rel="next"`. */
export const pageResponse = <Doc>(
  c: Context<AppEnv>,
  model: OpenReadModel,
  name: string,
  read: PageRead,
  page: ListPage,
  view: (doc: Doc) => unknown = (doc) => doc,
  varies: Varies = () => ""
) => pageAnswer(c, model, page, ["list", name, read.index, read.value ?? ""], view, varies)

/** A page already read, answered as `{ items, next }` with its ETag (from `tag` and the items' versions) and Link. */
export const pageAnswer = <Doc>(
  c: Context<AppEnv>,
  model: OpenReadModel,
  page: { readonly items: ReadonlyArray<{ readonly id: string; readonly doc: unknown }>; readonly next?: string | undefined },
  tag: ReadonlyArray<string | number>,
  view: (doc: Doc) => unknown = (doc) => doc,
  varies: Varies = () => ""
) => {
  const next = page.next ?? null
  const headers: Record<string, string> = positionHeaders(model)
  if (next !== null) {
    const url = new URL(c.req.url)
    url.searchParams.set("cursor", next)
    headers.Link = `<${url.pathname}${url.search}>; rel="next"`
  }
  const items = page.items.map((i) => view(i.doc as Doc))
  const parts: Array<string | number> = [slotTag(model.slot), ...tag, next ?? ""]
  page.items.forEach((item, i) => parts.push(item.id, docVersion(item.doc), varies(items[i])))
  return conditionalJson(c, new PreparedJson(pageJson(items, next)), versionTag(parts), headers)
}

/** One document if `visible` says the caller may see it; 404 otherwise (existence is not disclosed). */
export const documentResponse = <Doc>(
  c: Context<AppEnv>,
  model: OpenReadModel,
  name: string,
  id: string,
  what: string,
  doc: unknown,
  visible: (doc: Doc) => boolean,
  view: (doc: Doc) => unknown = (doc) => doc,
  varies: Varies = () => ""
): Response | HttpError => {
  if (doc === undefined || !visible(doc as Doc)) return notFound(`there is no ${what} "${id}"`)
  const viewed = view(doc as Doc)
  const etag = versionTag([slotTag(model.slot), "doc", name, id, docVersion(doc), varies(viewed)])
  return conditionalJson(c, viewed, etag, positionHeaders(model))
}

/** A response, or the HttpError as its JSON answer (the routes' effect-free path). */
export const respond = (result: Response | HttpError): Response => (result instanceof HttpError ? errorResponse(result) : result)

/** A response, or the HttpError as an effect's failure (the route runner maps it). */
export const answered = (result: Response | HttpError): Effect.Effect<Response, HttpError> =>
  result instanceof HttpError ? Effect.fail(result) : Effect.succeed(result)
