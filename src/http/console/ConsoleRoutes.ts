/**
 * The web console at `/` (src/console/): the page, its modules and vendor builds (ConsoleAssets.ts),
 * what the page needs to know about this server (`/console/config.json`), and the development
 * "sign in as" (DevSignIn.ts). The console is a client of the public API like any other: these
 * routes serve files and mint development tokens, nothing else.
 */
import { Schema } from "effect"
import { Hono } from "hono"
import type { AppEnv } from "../AppEnv.ts"
import { HttpError } from "../HttpError.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { EntityId } from "../../domain/shared/Primitives.ts"
import { type Asset, assetPath, type AssetReader, makeConsoleAssets } from "./ConsoleAssets.ts"
import { type DevSignInOptions, devSignInRefusal, mintDevToken } from "./DevSignIn.ts"

export interface ConsoleOptions {
  /** How the runtime reads the project's files (node.ts, deno.ts). */
  readonly read: AssetReader
  /** The rooms WebSocket port (WS_PORT, or the one it got when 0): the page opens sockets at the page's host name. */
  readonly wsPort: () => number
  /** Set only when tokens are checked with the development secret. */
  readonly devSignIn?: DevSignInOptions | undefined
}

const INDEX = "src/console/index.html"

const DevSignInBody = Schema.Struct({
  sub: EntityId,
  roles: Schema.Array(Schema.Literals(["user", "sponsor", "admin", "auditor"])).check(Schema.isMinLength(1))
})

const DevTokenResult = Schema.Struct({ token: Schema.String, expiresAt: Schema.String })
const ConsoleConfig = Schema.Struct({ wsPort: Schema.Number, devSignIn: Schema.Boolean })

/** base64 of the SHA-256 of each inline `<script>` of the page (its import map): CSP allows those and files from this server only. */
const inlineScriptHashes = async (html: string): Promise<Array<string>> =>
  Promise.all([...html.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)].map(async (m) => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(m[1]!)))
    return `'sha256-${btoa(String.fromCharCode(...digest))}'`
  }))

// no inline script but the import map, no inline style; the console talks to this server and its WS port only
const pagePolicy = (scriptHashes: ReadonlyArray<string>) =>
  `default-src 'self'; script-src 'self' ${scriptHashes.join(" ")}; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; ` +
  "connect-src 'self' ws: wss:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

const answer = (asset: Asset, ifNoneMatch: string | undefined, extra: Record<string, string> = {}): Response => {
  const headers = { "Content-Type": asset.contentType, ETag: asset.etag, "Cache-Control": "no-cache", ...extra }
  if (ifNoneMatch === asset.etag) return new Response(null, { status: 304, headers })
  return new Response(asset.body as Uint8Array<ArrayBuffer>, { status: 200, headers })
}

export const consoleRoutes = (options: ConsoleOptions) => {
  const app = new Hono<AppEnv>()
  const assets = makeConsoleAssets(options.read)
  // the policy of the page as last read (one page per process; recomputed only if its file changed)
  let policy: { readonly etag: string; readonly csp: string } | undefined
  const policyFor = async (page: Asset) => {
    if (policy?.etag !== page.etag) policy = { etag: page.etag, csp: pagePolicy(await inlineScriptHashes(new TextDecoder().decode(page.body))) }
    return policy.csp
  }

  app.get(
    "/",
    describeRoute({
      summary: "The web console",
      description: "Sign in, upload, watch, edit, rooms, admin and audit pages (README \"Console\").",
      tags: ["console"],
      responses: { 200: { description: "the console's page", contentType: "text/html" } }
    }),
    async (c) => {
      const page = await assets(INDEX)
      if (page === undefined) throw new HttpError({ status: 404, code: "NOT_FOUND", message: "the console's files are not installed" })
      return answer(page, c.req.header("if-none-match"), { "Content-Security-Policy": await policyFor(page), "X-Frame-Options": "DENY" })
    }
  )

  app.get(
    "/console/config.json",
    describeRoute({
      summary: "What the console needs to know about this server",
      description: "`wsPort`: the rooms WebSocket port; `devSignIn`: whether this page may use \"sign in as\" (development secret, loopback only).",
      tags: ["console"],
      responses: { 200: { description: "the console's settings", schema: ConsoleConfig } }
    }),
    (c) => c.json({ wsPort: options.wsPort(), devSignIn: devSignInRefusal(c, options.devSignIn) === undefined }, 200, { "Cache-Control": "no-store" })
  )

  app.post(
    "/console/dev-token",
    describeRoute({
      summary: "Sign in as anyone (development only)",
      description: "Mints a token with the development secret. Only with neither JWT_SECRET nor JWKS_URL set, TRUST_PROXY off, " +
        "from a loopback peer to a loopback host name, and from this server's own page; 403 FORBIDDEN otherwise.",
      tags: ["console"],
      responses: { 200: { description: "a bearer token", schema: DevTokenResult } }
    }),
    validate("json", DevSignInBody),
    async (c) => {
      const refusal = devSignInRefusal(c, options.devSignIn)
      if (refusal !== undefined) throw new HttpError({ status: 403, code: "FORBIDDEN", message: `sign-in as is not offered here: ${refusal}` })
      const body = c.req.valid("json") as typeof DevSignInBody.Type
      const minted = await mintDevToken(options.devSignIn!, body.sub, body.roles, Math.floor(Date.now() / 1000))
      return c.json(minted, 200, { "Cache-Control": "no-store" })
    }
  )

  app.get(
    "/console/*",
    describeRoute({
      summary: "The console's modules and vendor builds",
      tags: ["console"],
      responses: { 200: { description: "a console file (TypeScript is served as JavaScript)" } }
    }),
    async (c) => {
      const path = assetPath(c.req.path)
      const asset = path === undefined ? undefined : await assets(path)
      if (asset === undefined) throw new HttpError({ status: 404, code: "NOT_FOUND", message: `no console file at ${c.req.path}` })
      return answer(asset, c.req.header("if-none-match"))
    }
  )
  return app
}
