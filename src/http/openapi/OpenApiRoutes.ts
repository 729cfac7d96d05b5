/** `/openapi.json` and `/docs`, built from the app they are mounted in (once all routes are registered). */
import { Hono } from "hono"
import type { AppEnv } from "../AppEnv.ts"
import { docsPage } from "./DocsPage.ts"
import { type ApiInfo, openApiDocument } from "./OpenApiDocument.ts"
import { describeRoute } from "./RouteDoc.ts"

export const openApiRoutes = (app: () => Hono<any>, info: ApiInfo) => {
  // routes do not change once the server runs; rebuilt only if a route was added since
  let cached: { readonly routes: number; readonly doc: Record<string, any>; html?: string } | undefined
  const current = () => {
    const routes = app().routes.length
    if (cached?.routes !== routes) cached = { routes, doc: openApiDocument(app(), info) }
    return cached
  }
  return new Hono<AppEnv>()
    .get(
      "/openapi.json",
      describeRoute({
        summary: "This API's OpenAPI 3.1 document",
        tags: ["ops"],
        responses: { 200: { description: "the document", contentType: "application/json" } }
      }),
      (c) => c.json(current().doc)
    )
    .get(
      "/docs",
      describeRoute({
        summary: "Human-readable API documentation",
        tags: ["ops"],
        responses: { 200: { description: "an HTML page", contentType: "text/html" } }
      }),
      (c) => {
        const entry = current()
        entry.html ??= docsPage(entry.doc)
        return c.html(entry.html)
      }
    )
}
