/**
 * Test support for the tus endpoint: the real app (makeApp) served by @hono/node-server on a free port,
 * with an embedded event store and an fs object store in a temp dir (or any layers given), plus
 * tus-js-client and raw-request helpers.
 */
import { createHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { serve } from "@hono/node-server"
import { getConnInfo } from "@hono/node-server/conninfo"
import { Effect, Layer, Logger, ManagedRuntime, Stream } from "effect"
import { sign } from "hono/jwt"
import { type DetailedError, Upload, type UploadOptions } from "tus-js-client"
import { ActorSystem } from "../../../src/actors/ActorSystem.ts"
import { Digests } from "../../../src/digest/Digests.ts"
import { QuotaAggregate } from "../../../src/domain/quota/QuotaAggregate.ts"
import type { Principal } from "../../../src/domain/shared/Decider.ts"
import { defaultDomainSettings, type DomainSettings } from "../../../src/domain/shared/DomainSettings.ts"
import { PgliteEventStore } from "../../../src/eventstore/embedded/PgliteEventStore.ts"
import type { EventStore } from "../../../src/eventstore/EventStore.ts"
import { nodeRequestBody } from "../../../src/runtime/NodeRequestBody.ts"
import { makeApp } from "../../../src/http/App.ts"
import { ReadSide } from "../../../src/http/queries/ReadSide.ts"
import { Playback } from "../../../src/videos/Playback.ts"
import { hs256Verifier } from "../../../src/http/auth/Auth.ts"
import { FsObjectStore } from "../../../src/objectstore/fs/FsObjectStore.ts"
import { ObjectStore } from "../../../src/objectstore/ObjectStore.ts"
import { stagingPrefix } from "../../../src/uploads/UploadObjectKeys.ts"
import { ProcessingProgress } from "../../../src/uploads/ProcessingProgress.ts"
import { Uploads } from "../../../src/uploads/Uploads.ts"

export const SECRET = "tus-test-secret-0123456789abcdef"
const MiB = 1024 * 1024

export const token = (sub: string, roles: ReadonlyArray<string> = ["user"]) =>
  sign({ sub, roles: [...roles], exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET, "HS256")

export interface TusServerOptions {
  readonly settings?: Partial<DomainSettings>
  readonly eventStore?: Layer.Layer<EventStore, unknown>
  readonly objectStore?: Layer.Layer<ObjectStore, unknown>
}

export interface TusServer {
  readonly origin: string
  /** `${origin}/files`: tus-js-client's endpoint. */
  readonly endpoint: string
  readonly settings: DomainSettings
  readonly runtime: ManagedRuntime.ManagedRuntime<Uploads | ActorSystem | EventStore | ObjectStore | ReadSide | Digests | ProcessingProgress, unknown>
  stop(): Promise<void>
}

export const startTusServer = async (options: TusServerOptions = {}): Promise<TusServer> => {
  const dir = mkdtempSync(join(tmpdir(), "kf-tus-"))
  const settings: DomainSettings = { ...defaultDomainSettings, ...options.settings }
  const eventStore = options.eventStore ?? PgliteEventStore.layer({})
  const objectStore = options.objectStore ?? FsObjectStore.layer({ root: join(dir, "objects") })
  const services = Uploads.layer.pipe(Layer.provideMerge(Layer.mergeAll(
    ActorSystem.layer({ mailboxSize: 1000, idleMillis: 60_000, maxLive: 10_000, maxConflictRetries: 5, settings }).pipe(
      Layer.provideMerge(eventStore)
    ),
    objectStore,
    ReadSide.streamsOnly, // no read models: GET /uploads/:id folds the upload's stream
    Digests.layer, // checksummed PATCH bodies
    ProcessingProgress.layer, // the live feeds' percentages (none here: no workers)
    Logger.layer([]) // quiet: errors show up as responses
  )))
  const runtime = ManagedRuntime.make(Playback.layerEphemeral().pipe(Layer.provideMerge(services)))
  await runtime.runPromise(Effect.void) // build the layers (PGlite initdb) before the first request
  const app = makeApp({
    runtime,
    auth: { verifyToken: hs256Verifier(SECRET) },
    settings,
    // as src/runtime/node.ts serves it: bodies read straight from node:http, peers from its socket
    requestBody: nodeRequestBody,
    connInfo: getConnInfo
  })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    endpoint: `${origin}/files`,
    settings,
    runtime,
    stop: async () => {
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await runtime.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** The id at the end of an upload URL. */
export const idOf = (url: string): string => url.slice(url.lastIndexOf("/") + 1)

export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** Random bytes (fast enough for tens of MiB). */
export const randomBytes = (size: number): Buffer => {
  const out = Buffer.allocUnsafe(size)
  const block = Buffer.from(crypto.getRandomValues(new Uint8Array(64 * 1024)))
  for (let o = 0; o < size; o += block.length) {
    block.copy(out, o)
    block.writeUInt32LE(o >>> 0, 0) // vary the blocks
  }
  return out
}

/** The SHA-256 of an upload's staged objects read back in key order (as the media worker assembles them), and their keys. */
export const stagedBytes = (server: TusServer, uploadId: string) =>
  server.runtime.runPromise(
    Effect.gen(function*() {
      const store = yield* ObjectStore
      const objects = yield* Stream.runCollect(store.list(stagingPrefix(uploadId)))
      const hash = createHash("sha256")
      let size = 0
      for (const o of objects) {
        const got = yield* store.get(o.key)
        yield* Effect.promise(async () => {
          for await (const chunk of got.body) hash.update(chunk)
        })
        size += o.size
      }
      return { sha256: hash.digest("hex"), size, keys: objects.map((o) => o.key) }
    })
  )

/** Runs tus-js-client to completion: the upload URL, or the DetailedError. */
export const tusUpload = (data: Buffer, options: UploadOptions & { readonly onUpload?: (u: Upload) => void }) =>
  new Promise<string>((resolve, reject) => {
    const upload: Upload = new Upload(data, {
      retryDelays: [],
      ...options,
      onSuccess: () => resolve(upload.url!),
      onError: (e) => reject(e as DetailedError)
    })
    options.onUpload?.(upload)
    upload.start()
  })

/** Standard tus headers with a bearer token. */
export const tusHeaders = async (sub: string, extra: Record<string, string> = {}, roles?: ReadonlyArray<string>) => ({
  "Tus-Resumable": "1.0.0",
  Authorization: `Bearer ${await token(sub, roles)}`,
  ...extra
})

export const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64")
export const metadata = (filename = "clip.mp4", filetype = "video/mp4") => `filename ${b64(filename)},filetype ${b64(filetype)}`

/** POST /files without a body: the new upload's URL. */
export const createRaw = async (server: TusServer, sub: string, length: number, filename = "clip.mp4") => {
  const res = await fetch(server.endpoint, {
    method: "POST",
    headers: await tusHeaders(sub, { "Upload-Length": String(length), "Upload-Metadata": metadata(filename) })
  })
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`)
  return new URL(res.headers.get("Location")!, server.origin).toString()
}

export const patchRaw = async (url: string, sub: string, offset: number, body: Uint8Array, extra: Record<string, string> = {}) =>
  fetch(url, {
    method: "PATCH",
    headers: await tusHeaders(sub, { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset), ...extra }),
    body: body as Uint8Array<ArrayBuffer>
  })

export const headRaw = async (url: string, sub: string, roles?: ReadonlyArray<string>) =>
  fetch(url, { method: "HEAD", headers: await tusHeaders(sub, {}, roles) })

/** Sets a user's weekly limit (as the system would for an admin). */
export const setQuotaLimit = (server: TusServer, userId: string, limitBytes: number) =>
  server.runtime.runPromise(
    ActorSystem.use((actors) =>
      actors.send(QuotaAggregate, userId, {
        command: { _tag: "SetQuotaLimit", userId, limitBytes, reason: "test" },
        actor: { userId: "system", roles: ["system"] } satisfies Principal
      })
    )
  )

export { MiB }
