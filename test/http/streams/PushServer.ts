/**
 * Test support for the stream push routes: the app as `npm start` composes it (Main.ts servicesLayer +
 * appOptionsFor, so PushIngest and the read side's projections are the real ones), on an embedded event store
 * under a data dir that outlives a restart, the S3 server given (s3rver), optionally the media workers in the
 * same process, served by @hono/node-server on a free port as src/runtime/node.ts serves it; optionally the
 * realtime listener too (Main.ts serveRooms over the `ws` transport: rooms, upload and stream feeds).
 */
import { createHash } from "node:crypto"
import { type AddressInfo } from "node:net"
import { serve } from "@hono/node-server"
import { getConnInfo } from "@hono/node-server/conninfo"
import { ConfigProvider, Effect, Exit, Layer, Logger, ManagedRuntime, Scope, Stream } from "effect"
import { sign } from "hono/jwt"
import { loadConfig } from "../../../src/config.ts"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import { makeApp } from "../../../src/http/App.ts"
import { ObjectStore } from "../../../src/objectstore/ObjectStore.ts"
import { serveRoomsWithWs } from "../../../src/realtime/ws/WsRoomServer.ts"
import { appOptionsFor, serveRooms, servicesLayer } from "../../../src/runtime/Main.ts"
import { nodeRequestBody } from "../../../src/runtime/NodeRequestBody.ts"
import { workersLayer } from "../../../src/runtime/WorkersLayer.ts"
import { streamStagingPrefix } from "../../../src/streams/StreamObjectKeys.ts"
import type { S3TestServer } from "../../support/s3.ts"
import { freePort } from "../../support/ports.ts"

export const SECRET = "push-test-secret-with-enough-entropy-0123"
export const MiB = 1024 * 1024

export const bearer = async (sub: string) => ({
  Authorization: `Bearer ${await sign({ sub, roles: ["user"], exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET, "HS256")}`
})

export interface PushServerOptions {
  readonly dataDir: string
  readonly s3: S3TestServer
  readonly env?: Record<string, string>
  /** Run the media workers (transcode, publish, the stream hand-off) in the same process. */
  readonly workers?: boolean
  /** Serve the realtime listener (WebSocket) on a free port too: `ws` in the result. */
  readonly realtime?: boolean
}

export const startPushServer = async (options: PushServerOptions) => {
  const s3 = options.s3.options
  const config = await Effect.runPromise(loadConfig(ConfigProvider.fromUnknown({
    DATA_DIR: options.dataDir,
    JWT_SECRET: SECRET,
    S3_ENDPOINT_URL: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_REGION: s3.region,
    S3_FORCE_PATH_STYLE: "true",
    CHUNK_SIZE_MB: "5",
    RATE_LIMIT_PER_USER: "0",
    RATE_LIMIT_PER_IP: "0",
    ...(options.realtime === true ? { WS_PORT: String(await freePort()) } : {}),
    ...options.env
  })))
  const services = servicesLayer(config)
  const layer = options.workers === true ? Layer.provideMerge(Layer.effectDiscard(Effect.void).pipe(Layer.provide(workersLayer(config))), services) : services
  const runtime = ManagedRuntime.make(Layer.provideMerge(layer, Logger.layer([])))
  await runtime.runPromise(EventStore.use((s) => s.ping))
  const appOptions = await runtime.runPromise(appOptionsFor(config))
  const app = makeApp({ runtime, ...appOptions, requestBody: nodeRequestBody, connInfo: getConnInfo })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s))
  })
  // longer than the client's idle sockets live: a request never races the server closing its connection
  ;(server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 60_000
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const realtime = options.realtime === true ? await runtime.runPromise(Scope.make()) : undefined
  if (realtime !== undefined) await runtime.runPromise(serveRooms(config, appOptions, serveRoomsWithWs).pipe(Scope.provide(realtime)))
  const run = <A, E>(effect: Effect.Effect<A, E, EventStore | ObjectStore>) => runtime.runPromise(effect)

  return {
    origin,
    /** `ws://…` of the realtime listener, with `realtime: true`. */
    ws: `ws://127.0.0.1:${config.server.wsPort}`,
    config,
    run,
    /** The stream's events (type and data). */
    events: (streamId: string) =>
      run(EventStore.use((s) => s.readStream(`stream-${streamId}`))).then((es) => es.map((e) => ({ type: e.type, data: e.data as Record<string, any> }))),
    /** The stream's revision (its last event's), from the store. */
    revision: (streamId: string) => run(EventStore.use((s) => s.readStream(`stream-${streamId}`))).then((es) => es.at(-1)?.revision ?? -1),
    /** Keys and sizes of the stream's staging objects. */
    staged: (streamId: string) =>
      run(ObjectStore.use((s) => Stream.runCollect(s.list(streamStagingPrefix(streamId))))).then((os) => os.map((o) => `${o.key}:${o.size}`)),
    /** SHA-256 and size of an object. */
    object: (key: string) =>
      run(Effect.gen(function*() {
        const got = yield* ObjectStore.use((s) => s.get(key))
        const hash = createHash("sha256")
        let size = 0
        yield* Effect.promise(async () => {
          for await (const chunk of got.body) {
            hash.update(chunk)
            size += chunk.byteLength
          }
        })
        return { sha256: hash.digest("hex"), size }
      })),
    stop: async () => {
      if (realtime !== undefined) await runtime.runPromise(Scope.close(realtime, Exit.void))
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await runtime.dispose()
    }
  }
}

export type PushServer = Awaited<ReturnType<typeof startPushServer>>

/** The push client's three requests. */
export const pushClient = (origin: string) => ({
  create: async (sub: string, body: unknown = {}) =>
    fetch(`${origin}/streams`, { method: "POST", headers: { ...await bearer(sub), "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  patch: async (sub: string, id: string, offset: number, bytes: Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${origin}/streams/${id}`, {
      method: "PATCH",
      headers: { ...await bearer(sub), "Content-Type": "application/offset+octet-stream", "Stream-Offset": String(offset), ...headers },
      body: bytes as Uint8Array<ArrayBuffer>
    }),
  end: async (sub: string, id: string) => fetch(`${origin}/streams/${id}/end`, { method: "POST", headers: await bearer(sub) }),
  get: async (sub: string, id: string) => fetch(`${origin}/streams/${id}`, { headers: await bearer(sub) })
})

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** Polls `GET /streams/:id` until its state is `state` (or fails after `ms`). */
export const waitForState = async (origin: string, sub: string, id: string, state: string, ms = 60_000) => {
  const deadline = Date.now() + ms
  let last: any
  while (Date.now() < deadline) {
    const res = await pushClient(origin).get(sub, id)
    last = res.status === 200 ? await res.json() : { status: res.status }
    if (last.state === state) return last
    if (last.state === "failed" && state !== "failed") throw new Error(`stream ${id} failed: ${JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`stream ${id} did not reach ${state} in ${ms} ms; last ${JSON.stringify(last)}`)
}
