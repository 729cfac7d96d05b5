/**
 * How a route documents itself for /openapi.json: a marker carried by a handler or middleware.
 *
 * Register routes the usual Hono way and put `describeRoute({...})` in front of the handler; the
 * validators of ./Validate.ts and `requireAuth` add their part (schemas, roles) on their own, so
 * the document is built from the same Schemas that check requests. `OpenApiDocument` walks
 * `app.routes` after every sub-app is mounted, so a mount prefix (e.g. `/files`) is picked up.
 *
 *   routes.patch("/:id", describeRoute({ summary: "Append bytes", tags: ["uploads"], ... }),
 *     requireAuth(auth), validate("param", IdParams), handler)
 *
 * Routes without any marker are still listed (summary "undocumented"), and a test fails on them.
 */
import type { MiddlewareHandler } from "hono"
import type { Schema } from "effect"

export interface ResponseDoc {
  readonly description: string
  /** JSON body schema; omit for empty bodies. */
  readonly schema?: Schema.Top
  /** Defaults to application/json when a schema is given. */
  readonly contentType?: string
  /** Response headers: name → description. */
  readonly headers?: Readonly<Record<string, string>>
}

/** A header the operation reads (tus uses many); `example` is what a well-formed request sends. */
export interface HeaderDoc {
  readonly name: string
  readonly description: string
  readonly required?: boolean
  readonly example?: string
}

export interface RouteDoc {
  readonly summary?: string
  readonly description?: string
  readonly tags?: ReadonlyArray<string>
  readonly operationId?: string
  /** Set by `requireAuth`: a bearer token is needed; `roles` empty = any signed-in user. */
  readonly security?: { readonly roles: ReadonlyArray<string> }
  /** A JSON body schema (set by `validate("json", S)`), or another content type (tus: application/offset+octet-stream). */
  readonly body?: { readonly contentType: string; readonly schema?: Schema.Top; readonly required?: boolean }
  /** Path parameters schema (set by `validate("param", S)`). */
  readonly params?: Schema.Top
  /** Query parameters schema (set by `validate("query", S)`). */
  readonly query?: Schema.Top
  readonly headers?: ReadonlyArray<HeaderDoc>
  readonly responses?: Readonly<Record<number, ResponseDoc>>
  /** Left out of the document (internal test routes). */
  readonly hidden?: boolean
}

const ROUTE_DOC = Symbol.for("keyframe/RouteDoc")

/** Attaches a doc to a handler or middleware (returns the same function). */
export const withRouteDoc = <H extends (...args: Array<any>) => any>(handler: H, doc: RouteDoc): H =>
  Object.assign(handler, { [ROUTE_DOC]: doc })

/** The doc a handler carries, if any. */
export const routeDocOf = (handler: unknown): RouteDoc | undefined =>
  typeof handler === "function" ? (handler as unknown as { [ROUTE_DOC]?: RouteDoc })[ROUTE_DOC] : undefined

/** A pass-through middleware that only documents the route. */
export const describeRoute = (doc: RouteDoc): MiddlewareHandler<any> => withRouteDoc(async (_c, next) => next(), doc)

/** Later docs add to earlier ones (headers and responses are merged, the rest is overridden). */
export const mergeRouteDocs = (docs: ReadonlyArray<RouteDoc>): RouteDoc =>
  docs.reduce<RouteDoc>(
    (acc, d) => ({
      ...acc,
      ...d,
      headers: [...(acc.headers ?? []), ...(d.headers ?? [])],
      responses: { ...acc.responses, ...d.responses }
    }),
    {}
  )
