/** Builds the OpenAPI 3.1 document from a Hono app's routes and the RouteDocs (and Schemas) their handlers carry. */
import { JsonSchema, Schema } from "effect"
import type { Hono } from "hono"
import { ErrorResponse } from "./ErrorSchema.ts"
import { mergeRouteDocs, type ResponseDoc, type RouteDoc, routeDocOf } from "./RouteDoc.ts"

export interface ApiInfo {
  readonly title: string
  readonly version: string
  readonly description?: string
}

type Json = Record<string, any>

/** One operation as the docs page and the tests see it. */
export interface ApiOperation {
  readonly method: string
  /** Hono's pattern, e.g. `/uploads/:id`. */
  readonly honoPath: string
  /** OpenAPI's, e.g. `/uploads/{id}`. */
  readonly path: string
  readonly doc: RouteDoc
}

const COMPOSED = "__COMPOSED_HANDLER" // hono keeps a wrapped sub-app handler here (sub-apps with their own onError)

const docOfHandler = (handler: unknown): RouteDoc | undefined =>
  routeDocOf(handler) ?? routeDocOf((handler as Record<string, unknown> | undefined)?.[COMPOSED])

/** `/a/:id{[0-9]+}/*` → `/a/{id}/{path}`. */
export const toOpenApiPath = (honoPath: string): string =>
  honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, "{$1}").replace(/\/\*$/, "/{path}")

const pathParamNames = (honoPath: string): Array<string> =>
  [...honoPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!).concat(honoPath.endsWith("/*") ? ["path"] : [])

/** Does a middleware pattern (`/admin/*`, `*`) cover a route path? */
const covers = (pattern: string, path: string): boolean => {
  const re = pattern
    .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    .replace(/\\\{[^}]*\\\}/g, "")
    .replace(/:[A-Za-z0-9_]+/g, "[^/]+")
    .replace(/\/\*$/, "(/.*)?")
    .replace(/\*/g, ".*")
  return new RegExp(`^${re}$`).test(path)
}

/** Every routed operation, its docs merged (middleware on a covering `use()` pattern first). */
export const apiOperations = (app: Hono<any>): Array<ApiOperation> => {
  const all = app.routes.filter((r) => r.method === "ALL")
  const byKey = new Map<string, { method: string; path: string; docs: Array<RouteDoc> }>()
  for (const r of app.routes) {
    if (r.method === "ALL") continue
    const key = `${r.method} ${r.path}`
    const entry = byKey.get(key) ?? { method: r.method, path: r.path, docs: [] }
    const doc = docOfHandler(r.handler)
    if (doc) entry.docs.push(doc)
    byKey.set(key, entry)
  }
  return [...byKey.values()].flatMap(({ method, path, docs }) => {
    const inherited = all.filter((r) => covers(r.path, path)).flatMap((r) => docOfHandler(r.handler) ?? [])
    const doc = mergeRouteDocs([...inherited, ...docs])
    return doc.hidden ? [] : [{ method: method.toLowerCase(), honoPath: path, path: toOpenApiPath(path), doc }]
  })
}

/** Compiles all schemas into one pool of OpenAPI 3.1 components. */
const compileSchemas = (schemas: ReadonlyArray<Schema.Top>) => {
  const roots: Array<JsonSchema.JsonSchema> = []
  const definitions: Record<string, JsonSchema.JsonSchema> = {}
  for (const s of schemas) {
    try {
      const doc = Schema.toJsonSchemaDocument(s)
      roots.push(doc.schema)
      Object.assign(definitions, doc.definitions)
    } catch {
      roots.push({ description: "(this schema has no JSON Schema form)" })
    }
  }
  if (roots.length === 0) return { schemas: [] as ReadonlyArray<Json>, components: {} as Json }
  const multi = JsonSchema.toMultiDocumentOpenApi3_1({
    dialect: "draft-2020-12",
    schemas: roots as [JsonSchema.JsonSchema, ...Array<JsonSchema.JsonSchema>],
    definitions
  })
  return { schemas: multi.schemas as ReadonlyArray<Json>, components: multi.definitions as Json }
}

const resolve = (schema: Json, components: Json): Json => {
  const ref = typeof schema.$ref === "string" ? /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1] : undefined
  return ref !== undefined && components[ref] ? resolve(components[ref], components) : schema
}

const parameters = (where: "path" | "query", schema: Json | undefined, components: Json, extraPath: Array<string>) => {
  const resolved = schema ? resolve(schema, components) : {}
  const props: Json = resolved.properties ?? {}
  const required = new Set<string>(resolved.required ?? [])
  const names = where === "path" ? [...new Set([...Object.keys(props), ...extraPath])] : Object.keys(props)
  return names.map((name) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    schema: props[name] ?? { type: "string" }
  }))
}

const errorRef = { $ref: "#/components/schemas/Error" }

const defaultErrors = (doc: RouteDoc): Record<string, ResponseDoc> => ({
  ...(doc.body?.schema ? { 400: { description: "INVALID_JSON: the body is not valid JSON" } } : {}),
  ...(doc.security ? { 401: { description: "UNAUTHORIZED: no valid bearer token" } } : {}),
  ...(doc.security && doc.security.roles.length > 0
    ? { 403: { description: `FORBIDDEN: needs one of the roles ${doc.security.roles.join(", ")}` } }
    : {}),
  ...(doc.body?.schema ? { 415: { description: "UNSUPPORTED_MEDIA_TYPE: the body must be application/json" } } : {}),
  ...(doc.body?.schema || doc.params || doc.query
    ? { 422: { description: "VALIDATION_FAILED: a value does not match its schema; `error.path` names it" } }
    : {}),
  429: { description: "RATE_LIMITED: too many requests (see Retry-After)", headers: { "Retry-After": "seconds to wait" } },
  500: { description: "INTERNAL: unexpected failure (logged with the request id)" }
})

/** The whole OpenAPI 3.1 document of an app. */
export const openApiDocument = (app: Hono<any>, info: ApiInfo): Json => {
  const ops = apiOperations(app)
  // every schema gets an index into one compiled pool, so shared definitions appear once
  const pool: Array<Schema.Top> = [ErrorResponse]
  const indexOf = (s: Schema.Top | undefined) => (s === undefined ? undefined : pool.includes(s) ? pool.indexOf(s) : pool.push(s) - 1)
  const indexed = ops.map((op) => ({
    op,
    body: indexOf(op.doc.body?.schema),
    params: indexOf(op.doc.params),
    query: indexOf(op.doc.query),
    responses: Object.entries(op.doc.responses ?? {}).map(([status, r]) => [status, r, indexOf(r.schema)] as const)
  }))
  const { schemas, components } = compileSchemas(pool)
  const at = (i: number | undefined) => (i === undefined ? undefined : schemas[i])
  const paths: Json = {}
  const tags = new Set<string>()
  for (const { op, body, params, query, responses } of indexed) {
    const doc = op.doc
    doc.tags?.forEach((t) => tags.add(t))
    const declared = Object.fromEntries(responses.map(([status, r, i]) => [status, responseObject(r, at(i))]))
    const errors = Object.fromEntries(
      Object.entries(defaultErrors(doc)).filter(([s]) => !(s in declared)).map(([s, r]) => [s, responseObject(r, errorRef)])
    )
    const hasSuccess = Object.keys(declared).some((s) => s.startsWith("2") || s.startsWith("3"))
    const roles = doc.security?.roles ?? []
    paths[op.path] ??= {}
    paths[op.path][op.method] = {
      operationId: doc.operationId ?? operationId(op.method, op.path),
      summary: doc.summary ?? "undocumented",
      ...(doc.description || roles.length > 0
        ? { description: [doc.description, roles.length > 0 ? `Roles: ${roles.join(", ")}.` : undefined].filter(Boolean).join("\n\n") }
        : {}),
      ...(doc.tags ? { tags: [...doc.tags] } : {}),
      ...(doc.security ? { security: [{ bearer: [] }], "x-roles": [...roles] } : { security: [] }),
      parameters: [
        ...parameters("path", at(params), components, pathParamNames(op.honoPath)),
        ...parameters("query", at(query), components, []),
        ...(doc.headers ?? []).map((h) => ({
          name: h.name,
          in: "header",
          description: h.description,
          required: h.required ?? false,
          schema: { type: "string" },
          ...(h.example !== undefined ? { example: h.example } : {})
        }))
      ],
      ...(doc.body
        ? {
          requestBody: {
            required: doc.body.required ?? true,
            content: { [doc.body.contentType]: at(body) ? { schema: at(body) } : {} }
          }
        }
        : {}),
      responses: { ...(hasSuccess ? {} : { 200: { description: "OK" } }), ...declared, ...errors }
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } }
    }
  }
}

function responseObject(r: ResponseDoc, schema: Json | undefined): Json {
  const contentType = r.contentType ?? (schema ? "application/json" : undefined)
  return {
    description: r.description,
    ...(r.headers
      ? { headers: Object.fromEntries(Object.entries(r.headers).map(([n, d]) => [n, { description: d, schema: { type: "string" } }])) }
      : {}),
    ...(contentType ? { content: { [contentType]: schema ? { schema } : {} } } : {})
  }
}

function operationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean)
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")
}
