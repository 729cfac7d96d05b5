/** What every query route shares: its dependencies, visibility helpers, and the paged / single-document answers. */
import { Effect, Option } from "effect"
import type { Context } from "hono"
import type { Principal } from "../../domain/shared/Decider.ts"
import type { EventStore } from "../../eventstore/EventStore.ts"
import type { RunEffect } from "../AppRuntime.ts"
import type { AuthOptions } from "../auth/Auth.ts"
import { HttpError, notFound } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { conditionalJson, docVersion, slotTag, versionTag } from "./ConditionalJson.ts"
import type { ReadSide } from "./ReadSide.ts"
import { type OpenReadModel, positionHeaders, type ReadSideSettings } from "./ReadModel.ts"
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
}

export const isAdmin = (actor: Principal): boolean => actor.roles.includes("admin")

/** `me` (or nothing, when `self` is the default) is the caller. */
export const resolveUser = (actor: Principal, given: string | undefined): string | undefined => (given === "me" ? actor.userId : given)

export const forbidden = (message: string) => new HttpError({ status: 403, code: "FORBIDDEN", message })

/** A page of an index, newest first, as `{ items, next }` with ETag and a `Link: <…>; rel="next"`. */
export const listAnswer = <Doc>(
  c: Context<AppEnv>,
  model: OpenReadModel,
  name: string,
  index: { readonly index: string; readonly value?: string | undefined },
  query: { readonly limit?: number | undefined; readonly cursor?: string | undefined },
  view: (doc: Doc) => unknown = (doc) => doc,
  varies: Varies = () => ""
) =>
  Effect.gen(function*() {
    const page = yield* model.store.list(model.slot, name, index.index, {
      value: index.value ?? "",
      cursor: query.cursor,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      order: "desc"
    })
    return pageAnswer(c, model, page, ["list", name, index.index, index.value ?? ""], view, varies)
  })

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
  return conditionalJson(c, { items, next }, versionTag(parts), headers)
}

/** One document if `visible` says the caller may see it; 404 otherwise (existence is not disclosed). */
export const documentAnswer = <Doc>(
  c: Context<AppEnv>,
  model: OpenReadModel,
  name: string,
  id: string,
  what: string,
  visible: (doc: Doc) => boolean,
  view: (doc: Doc) => unknown = (doc) => doc,
  varies: Varies = () => ""
) =>
  Effect.gen(function*() {
    const found = yield* model.store.get(model.slot, name, id)
    if (Option.isNone(found) || !visible(found.value as Doc)) return yield* notFound(`there is no ${what} "${id}"`)
    const viewed = view(found.value as Doc)
    const etag = versionTag([slotTag(model.slot), "doc", name, id, docVersion(found.value), varies(viewed)])
    return conditionalJson(c, viewed, etag, positionHeaders(model))
  })
