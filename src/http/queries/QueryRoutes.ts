/** The two shapes of a read-model query route: `GET /x` (a page of an index) and `GET /x/:id` (one document). */
import { Effect, Exit, type Schema } from "effect"
import type { Hono } from "hono"
import type { Principal } from "../../domain/shared/Decider.ts"
import { requireAuth } from "../auth/Auth.ts"
import { type HttpError, notFound } from "../HttpError.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { type RequestSchema, validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { conditionalJson, docVersion, versionTag } from "./ConditionalJson.ts"
import {
  answered,
  documentResponse,
  type PageRead,
  pageKeyOf,
  pageResponse,
  type QueryDeps,
  type ReadSideServices,
  readDocument,
  readPage,
  respond,
  servedNow,
  type Varies
} from "./QueryKit.ts"
import { FreshnessQuery, IdParams, pageOf, queryHeaders, queryRequestHeaders } from "./QuerySchemas.ts"
import { type OpenReadModel, openReadModel, requestedPosition } from "./ReadModel.ts"
import { MISS } from "./FoldedReads.ts"
import type { ListPage } from "../../readstore/ReadStoreTypes.ts"
import { ReadSide } from "./ReadSide.ts"

/** Which index a list reads, and the key within it. */
export interface IndexChoice {
  readonly index: string
  readonly value?: string
}

interface ListQueryFields {
  readonly minPosition?: number | undefined
  readonly limit?: number | undefined
  readonly cursor?: string | undefined
}

export interface ListRouteSpec<Q extends RequestSchema & { readonly Type: ListQueryFields }, Doc> {
  readonly path: string
  readonly summary: string
  readonly description: string
  /** One item's schema, and its name in the OpenAPI components (`<name>Page`). */
  readonly schema: Schema.Top
  readonly pageName: string
  readonly query: Q
  readonly projection: string
  /** The read model's document name; also the noun of "a page of <model>s". */
  readonly model: string
  /** The index to read for this caller, or 403 (the route's visibility rules). */
  readonly index: (query: Q["Type"], actor: Principal) => Effect.Effect<IndexChoice, HttpError>
  /** Made once per request (so every item of a page sees the same clock). */
  readonly view?: () => (doc: Doc) => unknown
  /** What a viewed item varies with besides its document's version (for the ETag); default nothing. */
  readonly varies?: Varies
}

export const listRoute = <Q extends RequestSchema & { readonly Type: ListQueryFields }, Doc = unknown>(
  app: Hono<AppEnv>,
  deps: QueryDeps,
  spec: ListRouteSpec<Q, Doc>
) =>
  app.get(
    spec.path,
    describeRoute({
      summary: spec.summary,
      description: spec.description,
      tags: ["queries"],
      headers: [...queryRequestHeaders],
      responses: {
        200: { description: `a page of ${spec.model}s`, schema: pageOf(spec.schema, spec.pageName), headers: queryHeaders },
        304: { description: "not modified" }
      }
    }),
    requireAuth(deps.auth),
    validate("query", spec.query),
    (c) => {
      const q: Q["Type"] = c.req.valid("query")
      const answer = (model: OpenReadModel, read: PageRead, page: ListPage) => pageResponse<Doc>(c, model, spec.model, read, page, spec.view?.(), spec.varies)
      // the common case, with no effect run: the page was read at the checkpoint served now
      if (deps.side !== undefined) {
        // the visibility rules answer at once (an Exit) in every route; anything else takes the effect path
        const effect = spec.index(q, c.get("actor"))
        const choice = Exit.isExit(effect) && Exit.isSuccess(effect) ? (effect.value as IndexChoice) : undefined
        const model = choice === undefined ? undefined : servedNow(deps, c, spec.projection, q.minPosition)
        if (model !== undefined && choice !== undefined) {
          const read = { ...choice, limit: q.limit, cursor: q.cursor }
          const page = deps.folded.page(model, pageKeyOf(spec.model, read))
          if (page !== MISS) return answer(model, read, page)
        }
      }
      return deps.run(
        c,
        Effect.gen(function*() {
          const choice = yield* spec.index(q, c.get("actor"))
          const model = yield* openReadModel(spec.projection, yield* requestedPosition(c, q.minPosition), deps.settings)
          const read = { ...choice, limit: q.limit, cursor: q.cursor }
          return answer(model, read, yield* readPage(deps, model, spec.model, read))
        })
      )
    }
  )

export interface DocumentRouteSpec<Doc> {
  readonly path: string
  readonly summary: string
  readonly description?: string
  /** Defaults to `["queries"]`. */
  readonly tags?: ReadonlyArray<string>
  /** The 200 body's schema. */
  readonly schema: Schema.Top
  readonly projection: string
  /** The read model's document name; also the noun of "the <model>" and of the 404 message. */
  readonly model: string
  /** The stream whose newest event the answer must include (read-your-writes without a header). */
  readonly streamOf: (id: string) => string
  readonly visible: (doc: Doc, actor: Principal) => boolean
  /** Made once per request, as for lists. */
  readonly view?: () => (doc: Doc) => unknown
  /** As for lists. */
  readonly varies?: Varies
  /** For a process composed without read models (ReadSide.streamsOnly): the document folded from its own stream. */
  readonly withoutReadSide?: (id: string) => Effect.Effect<Doc | undefined, unknown, ReadSideServices>
}

/** The OpenAPI description of a one-document query (200, 304, 404). */
export const documentRouteDoc = (spec: Pick<DocumentRouteSpec<unknown>, "summary" | "description" | "tags" | "schema" | "model">) =>
  describeRoute({
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tags: [...(spec.tags ?? ["queries"])],
    headers: [...queryRequestHeaders],
    responses: {
      200: { description: `the ${spec.model}`, schema: spec.schema, headers: queryHeaders },
      304: { description: "not modified" },
      404: { description: "NOT_FOUND" }
    }
  })

export const documentRoute = <Doc>(app: Hono<AppEnv>, deps: QueryDeps, spec: DocumentRouteSpec<Doc>) =>
  app.get(
    spec.path,
    documentRouteDoc(spec),
    requireAuth(deps.auth),
    validate("param", IdParams),
    validate("query", FreshnessQuery),
    (c) => {
      const actor = c.get("actor")
      const id = c.req.valid("param").id
      const visible = (doc: Doc) => spec.visible(doc, actor)
      const view = spec.view?.() ?? ((doc: Doc) => doc)
      const answer = (model: OpenReadModel, doc: unknown) => documentResponse<Doc>(c, model, spec.model, id, spec.model, doc, visible, view, spec.varies)
      // the common case, with no effect run: the document was read at the checkpoint served now
      if (deps.side !== undefined) {
        const model = servedNow(deps, c, spec.projection, c.req.valid("query").minPosition, spec.streamOf(id))
        const doc = model === undefined ? MISS : deps.folded.document(model, spec.model, id)
        if (model !== undefined && doc !== MISS) {
          return respond(answer(model, doc))
        }
      }
      return deps.run(
        c,
        Effect.gen(function*() {
          if (spec.withoutReadSide !== undefined && (yield* ReadSide)._tag === "StreamsOnly") {
            const doc = yield* spec.withoutReadSide(id)
            if (doc === undefined || !visible(doc)) return yield* notFound(`there is no ${spec.model} "${id}"`)
            const viewed = view(doc)
            return conditionalJson(c, viewed, versionTag(["stream", spec.model, id, docVersion(doc), spec.varies?.(viewed) ?? ""]))
          }
          const model = yield* openReadModel(spec.projection, yield* requestedPosition(c, c.req.valid("query").minPosition), deps.settings, spec.streamOf(id))
          return yield* answered(answer(model, yield* readDocument(deps, model, spec.model, id)))
        })
      )
    }
  )
