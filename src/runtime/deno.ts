/** Deno entry point (`npm run start:deno`): Deno.serve on PORT, SIGTERM/SIGINT shut down cleanly with exit 0. */
import { ConfigProvider, Effect, Runtime } from "effect"
import { getConnInfo } from "hono/deno"
import { serveRoomsWithDeno } from "../realtime/deno/DenoRoomServer.ts"
import { exitCode, mainProgram, type Serve, ServerStartFailed } from "./Main.ts"
// Deno's node:crypto hashes natively (~1.7 GB/s here, against ~130 MB/s for the portable layer)
import { NodeDigests } from "./NodeDigests.ts"
import { readProjectFile } from "./ProjectFiles.ts"

/** The few Deno APIs used here, declared locally so that tsc (which has no Deno types) checks this file too. */
interface DenoServer {
  readonly addr: { readonly port: number }
  shutdown(): Promise<void>
}
declare const Deno: {
  readonly version: { readonly deno: string }
  readonly env: { toObject(): Record<string, string> }
  readTextFileSync(path: string): string
  serve(
    options: {
      port: number
      onListen?: (addr: { port: number }) => void
    },
    handler: (request: Request) => Response | Promise<Response>
  ): DenoServer
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void
  removeSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void
  exit(code: number): never
}

/**
 * Deno.serve has no settings for the header, request and keep-alive timeouts or a connection cap:
 * the HTTP_* listener limits apply on Node.js only (Deno's own defaults hold here). The JSON body
 * limit, /metrics' token and METRICS_PORT are the app's and the main program's, so they hold on both.
 */
const denoServe: Serve = (fetch, port) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: DenoServer; readonly port: number }, ServerStartFailed>((resume) => {
      try {
        // Deno.serve binds before it returns (or throws, e.g. AddrInUse); the no-op onListen keeps Deno's own banner out of the logs
        const server = Deno.serve({ port, onListen: () => {} }, fetch)
        resume(Effect.succeed({ server, port: server.addr.port }))
      } catch (e) {
        resume(Effect.fail(new ServerStartFailed({ reason: String(e) })))
      }
    }),
    ({ server }) => Effect.promise(() => server.shutdown())
  )

/** Like NodeRuntime.runMain: a signal interrupts the main fiber, finalizers run, then the process exits. */
const runMain = Runtime.makeRunMain(({ fiber, teardown }) => {
  const onSignal = () => fiber.interruptUnsafe(fiber.id)
  fiber.addObserver((exit) => {
    Deno.removeSignalListener("SIGINT", onSignal)
    Deno.removeSignalListener("SIGTERM", onSignal)
    teardown(exit, (code) => Deno.exit(code))
  })
  Deno.addSignalListener("SIGINT", onSignal)
  Deno.addSignalListener("SIGTERM", onSignal)
})

/** The environment, then `.env` if there is one (as `node --env-file-if-exists=.env` does for `npm start`). */
const dotEnv = (): string => {
  try {
    return Deno.readTextFileSync(".env")
  } catch {
    return ""
  }
}
const provider = ConfigProvider.fromEnv({ env: Deno.env.toObject() }).pipe(
  ConfigProvider.orElse(ConfigProvider.fromDotEnvContents(dotEnv()))
)

const program = mainProgram({
  name: `Deno ${Deno.version.deno}`,
  serve: denoServe,
  connInfo: getConnInfo,
  digests: NodeDigests.layer,
  serveRealtime: serveRoomsWithDeno,
  readAsset: readProjectFile
}).pipe(
  Effect.provideService(ConfigProvider.ConfigProvider, provider)
)

runMain(program, { disableErrorReporting: true, teardown: (exit, onExit) => onExit(exitCode(exit)) })
