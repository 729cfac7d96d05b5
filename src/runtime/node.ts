/** Node.js entry point (`npm start`): @hono/node-server on PORT, SIGTERM/SIGINT shut down cleanly with exit 0. */
import { serve as honoServe } from "@hono/node-server"
// The module itself, not the package index: the index loads all of platform-node (~30 MB of memory).
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ConfigProvider, Effect } from "effect"
import { readFileSync } from "node:fs"
import type { Server } from "node:http"
import { exitCode, mainProgram, type Serve, ServerStartFailed } from "./Main.ts"
import { nodeRequestBody } from "./NodeRequestBody.ts"

const CLOSE_GRACE_MS = 5_000

const nodeServe: Serve = (fetch, port) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: Server; readonly port: number }, ServerStartFailed>((resume) => {
      const server = honoServe({ fetch, port }, (info) => resume(Effect.succeed({ server: server as Server, port: info.port })))
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

/** The environment, then `.env` if there is one (deno.ts does the same). */
const dotEnv = (): string => {
  try {
    return readFileSync(".env", "utf8")
  } catch {
    return ""
  }
}
const provider = ConfigProvider.fromEnv().pipe(ConfigProvider.orElse(ConfigProvider.fromDotEnvContents(dotEnv())))

const program = mainProgram({ name: `Node.js ${process.versions.node}`, serve: nodeServe, requestBody: nodeRequestBody }).pipe(
  Effect.provideService(ConfigProvider.ConfigProvider, provider)
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => onExit(exitCode(exit))
})
