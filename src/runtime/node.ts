/** Node.js entry point (`npm start`): @hono/node-server on PORT, SIGTERM/SIGINT shut down cleanly with exit 0. */
import { serve as honoServe } from "@hono/node-server"
import { getConnInfo } from "@hono/node-server/conninfo"
// The module itself, not the package index: the index loads all of platform-node (~30 MB of memory).
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ConfigProvider, Effect } from "effect"
import type { Server, ServerOptions } from "node:http"
import { loadUws } from "../realtime/uws/UwsLoader.ts"
import { uwsServe } from "../realtime/uws/UwsRoomServer.ts"
import { serveRoomsWithWs } from "../realtime/ws/WsRoomServer.ts"
import { exitCode, mainProgram, type Serve, ServerStartFailed } from "./Main.ts"
import { NodeDigests } from "./NodeDigests.ts"
import { readProjectFile } from "./ProjectFiles.ts"
import { nodeRequestBody } from "./NodeRequestBody.ts"
import type { ServerLimits } from "./ServerLimits.ts"
import { nodeConfigProvider } from "./NodeConfigProvider.ts"

const CLOSE_GRACE_MS = 5_000

/**
 * node:http's timeouts from the limits. Node refuses a headers timeout above a non-zero request
 * timeout, and checks both only every `connectionsCheckingInterval` (30 s by default): a quarter of
 * the headers timeout keeps a slow client's cut-off close to the setting.
 */
const nodeServerOptions = (limits: ServerLimits): ServerOptions => {
  const headersTimeout = limits.requestTimeoutMs > 0 ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) : limits.headersTimeoutMs
  return {
    headersTimeout,
    requestTimeout: limits.requestTimeoutMs,
    // Node keeps the socket its keepAliveTimeoutBuffer (1 s) past this, the advertised `Keep-Alive: timeout`
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(headersTimeout / 4)))
  }
}

const nodeServe: Serve = (fetch, port, limits) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: Server; readonly port: number }, ServerStartFailed>((resume) => {
      const serverOptions = limits === undefined ? {} : nodeServerOptions(limits)
      const server = honoServe({ fetch, port, serverOptions }, (info) => resume(Effect.succeed({ server: server as Server, port: info.port })))
      // past the cap node:http closes a new connection as it is accepted
      if (limits !== undefined) server.maxConnections = limits.maxConnections
      server.once("error", (e) => resume(Effect.fail(new ServerStartFailed({ reason: String(e) }))))
    }),
    ({ server }) =>
      Effect.callback<void>((resume) => {
        // close() waits for in-flight requests; connections still open after the grace period are cut
        const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
        server.close(() => {
          clearTimeout(timer)
          resume(Effect.void)
        })
        server.closeIdleConnections()
      })
  )

const provider = nodeConfigProvider()

/** uWebSockets.js when a native build loads for this Node, else `ws` with one warning (DESIGN.md §2). */
const realtimeTransport = () => {
  const uws = loadUws()
  if ("from" in uws) return uwsServe(uws.module as Parameters<typeof uwsServe>[0], uws.from)
  console.warn(`uWebSockets.js does not load here (${uws.reasons.join("; ")}): rooms use the ws transport`)
  return serveRoomsWithWs
}

const program = mainProgram({
  name: `Node.js ${process.versions.node}`,
  serve: nodeServe,
  connInfo: getConnInfo,
  requestBody: nodeRequestBody,
  digests: NodeDigests.layer,
  serveRealtime: realtimeTransport(),
  readAsset: readProjectFile
}).pipe(
  Effect.provideService(ConfigProvider.ConfigProvider, provider)
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => onExit(exitCode(exit))
})
