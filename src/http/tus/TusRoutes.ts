/**
 * The tus 1.0 endpoint (DESIGN.md §7), mounted at `/files`: core, creation, creation-with-upload,
 * expiration, checksum (sha1, sha256) and termination. The Upload aggregate holds offsets and state;
 * the object store holds the bytes (layout in src/uploads/UploadObjectKeys.ts); the Quota is reserved first.
 */
import { Effect } from "effect"
import { type Context, Hono, type MiddlewareHandler } from "hono"
import { cors } from "hono/cors"
import type { DomainSettings } from "../../domain/shared/DomainSettings.ts"
import { Uploads } from "../../uploads/Uploads.ts"
import type { AppRuntime } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { errorResponse } from "../HttpError.ts"
import { outsidePreflight } from "../middleware/CorsOutsidePreflight.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { fetchRequestBody, type RequestBodyReader } from "../RequestBody.ts"
import type { AppEnv } from "../AppEnv.ts"
import { lockVisibleUpload, openUpload, type TusContext, type TusServices } from "./TusContext.ts"
import { createUploadRoute } from "./TusCreation.ts"
import { checkResumable } from "./TusHeaders.ts"
import { formatMetadata } from "./TusMetadata.ts"
import { createDoc, deleteDoc, headDoc, optionsDoc, overrideDoc, patchDoc } from "./TusRouteDocs.ts"
import { expiresHeader, patchUpload } from "./TusPatch.ts"
import {
  ALLOWED_HEADERS,
  ALLOWED_METHODS,
  discoveryHeaders,
  EXPOSED_HEADERS,
  TUS_METHODS,
  TUS_VERSION,
  tusError,
  uploadGone,
  uploadNotFound
} from "./TusProtocol.ts"
import { makeTusRunner } from "./TusRunner.ts"
import { makeUploadLocks } from "./UploadLocks.ts"
import { expiresAt, visibleUpload } from "./UploadProgress.ts"

export interface TusDeps {
  readonly runtime: AppRuntime<TusServices>
  /** How bearer tokens are verified (the app's; e.g. `{ verifyToken: hs256Verifier(secret) }`). */
  readonly auth: AuthOptions
  /** Max size, expiry hours, accepted formats… (`domainSettings(config)`). */
  readonly settings: DomainSettings
  /** When set, read on every request instead of `settings` (the admins' runtime overrides). */
  readonly currentSettings?: (() => DomainSettings) | undefined
  /** Where the routes are mounted, for Location headers. Default `/files`. */
  readonly basePath?: string
  /** Wait for another request on the same upload to let go before answering 423. Default 5 s. */
  readonly lockWaitMs?: number
  /** How upload bodies are read; default `Request.body` (RequestBody.ts). */
  readonly requestBody?: RequestBodyReader | undefined
}

/** Tus-Resumable on every response. */
const tusResumable: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  c.res.headers.set("Tus-Resumable", TUS_VERSION)
}

/**
 * CORS (hono/cors), so browser clients (tus-js-client, Uppy) can send and read the tus headers. Bearer
 * tokens, not cookies: any origin may call, so "*" is enough. It answers every OPTIONS itself (204), so
 * it ends the discovery routes and is skipped for OPTIONS elsewhere (an unknown path stays a 404).
 */
const tusCors = cors({
  origin: "*",
  allowMethods: [...TUS_METHODS],
  allowHeaders: [...ALLOWED_HEADERS],
  exposeHeaders: [...EXPOSED_HEADERS],
  maxAge: 86_400
})

/** Everything but OPTIONS (discovery, CORS preflight) needs the tus version this server speaks, then a bearer token. */
const guard = (auth: AuthOptions): MiddlewareHandler<AppEnv> => {
  const authenticate = requireAuth(auth)
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return next()
    const wrongVersion = checkResumable(c.req.header("Tus-Resumable"))
    if (wrongVersion !== undefined) return errorResponse(wrongVersion)
    return authenticate(c, next)
  }
}

/** HEAD (and GET, which Hono also routes HEAD to): the offset and what the upload was created with. */
const headUpload = (context: TusContext) => (c: Context<AppEnv>) =>
  context.run(
    c,
    Effect.gen(function*() {
      const open = yield* openUpload(c.req.param("id") ?? "", c.get("actor"), {
        adminToo: true,
        settings: context.settings,
        requestId: c.get("requestId")
      })
      const { upload } = open
      return c.body(null, 200, {
        "Upload-Offset": String(open.offset),
        "Upload-Length": String(upload.declaredSize),
        "Upload-Metadata": formatMetadata([["filename", upload.filename], ["filetype", upload.contentType]]),
        "Cache-Control": "no-store",
        ...expiresHeader(expiresAt(upload, context.settings))
      })
    })
  )

/** DELETE (termination): owner or admin; cancels, releases the quota, drops the bytes. Repeating it is a 204 again. */
const terminateUpload = (context: TusContext) => (c: Context<AppEnv>) => {
  const id = c.req.param("id") ?? ""
  const actor = c.get("actor")
  const requestId = c.get("requestId")
  return context.run(
    c,
    Effect.scoped(Effect.gen(function*() {
      // Owner or admin only; then stops a PATCH in flight, so no bytes land after the cancel.
      yield* lockVisibleUpload(context, id, actor, { adminToo: true })
      const uploads = yield* Uploads
      const { state } = yield* uploads.current(id)
      const upload = visibleUpload(state, actor, true)
      if (upload === undefined) return yield* Effect.fail(uploadNotFound(id))
      if (upload.status === "Ready" || upload.status === "Expired" || upload.status === "Failed") {
        return yield* Effect.fail(uploadGone(id, upload.status))
      }
      yield* uploads.cancel(upload, actor, requestId)
      return c.body(null, 204)
    }))
  )
}

export const tusRoutes = (deps: TusDeps): Hono<AppEnv> => {
  const current = deps.currentSettings
  const context: TusContext = {
    run: makeTusRunner(deps.runtime),
    get settings() {
      return current === undefined ? deps.settings : current()
    },
    locks: makeUploadLocks(),
    basePath: deps.basePath ?? "/files",
    lockWaitMs: deps.lockWaitMs ?? 5_000,
    requestBody: deps.requestBody ?? fetchRequestBody
  }
  // the capabilities on a discovery OPTIONS (and on a preflight); tusCors answers it
  const discovery: MiddlewareHandler<AppEnv> = async (c, next) => {
    for (const [name, value] of Object.entries(discoveryHeaders(context.settings.maxFileSizeBytes))) c.header(name, value)
    await next()
  }
  const patch = patchUpload(context)
  const terminate = terminateUpload(context)
  return new Hono<AppEnv>()
    .use("*", tusResumable)
    .options("/", describeRoute(optionsDoc), discovery, tusCors)
    .options("/:id", describeRoute(optionsDoc), discovery, tusCors)
    .use("*", outsidePreflight(tusCors))
    .use("*", guard(deps.auth))
    .post("/", describeRoute(createDoc), createUploadRoute(context))
    .get("/:id", describeRoute(headDoc), headUpload(context))
    .patch("/:id", describeRoute(patchDoc), patch)
    .delete("/:id", describeRoute(deleteDoc), terminate)
    // X-HTTP-Method-Override (tus): for clients behind proxies that only pass GET and POST.
    .post("/:id", describeRoute(overrideDoc), (c) => {
      const method = c.req.header("X-HTTP-Method-Override")?.toUpperCase()
      if (method === "PATCH") return patch(c)
      if (method === "DELETE") return terminate(c)
      return errorResponse(
        tusError(405, "METHOD_NOT_ALLOWED", "POST to an upload needs X-HTTP-Method-Override: PATCH or DELETE; create uploads with POST /files", {
          Allow: ALLOWED_METHODS
        })
      )
    })
}
