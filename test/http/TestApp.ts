/** The whole app as `npm start` composes it (Main.ts servicesLayer + appOptionsFor), on an embedded store in a temp dir, with captured JSON logs. */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigProvider, Effect, Layer, Logger, ManagedRuntime } from "effect"
import { sign } from "hono/jwt"
import { type KeyframeSettings, loadConfig } from "../../src/config.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { makeApp } from "../../src/http/App.ts"
import { appOptionsFor, servicesLayer } from "../../src/runtime/Main.ts"

export const TEST_SECRET = "test-secret-with-enough-entropy-0123456789"

export const tokenFor = (sub: string, roles: ReadonlyArray<string> = ["user"], secret = TEST_SECRET, expiresIn = 3600) =>
  sign({ sub, roles: [...roles], exp: Math.floor(Date.now() / 1000) + expiresIn }, secret, "HS256")

export const bearer = async (sub: string, roles?: ReadonlyArray<string>) => ({ Authorization: `Bearer ${await tokenFor(sub, roles)}` })

export interface TestApp {
  readonly app: ReturnType<typeof makeApp>
  readonly runtime: ManagedRuntime.ManagedRuntime<any, any>
  readonly config: KeyframeSettings
  /** Every log line written so far, as parsed JSON objects. */
  readonly logs: Array<Record<string, any>>
  readonly dispose: () => Promise<void>
}

/** `env` overrides settings (e.g. RATE_LIMIT_PER_IP); JWT_SECRET defaults to TEST_SECRET. */
export const makeTestApp = async (env: Record<string, string> = {}): Promise<TestApp> => {
  const dataDir = mkdtempSync(join(tmpdir(), "keyframe-api-"))
  const config = await Effect.runPromise(
    loadConfig(ConfigProvider.fromUnknown({ DATA_DIR: dataDir, JWT_SECRET: TEST_SECRET, ...env }))
  )
  const logs: Array<Record<string, any>> = []
  const capture = Logger.layer([Logger.make((o) => logs.push(JSON.parse(Logger.formatJson.log(o))))])
  const runtime = ManagedRuntime.make(Layer.provideMerge(servicesLayer(config), capture))
  await runtime.runPromise(EventStore.use((s) => s.ping)) // opens PGlite once (initdb takes seconds)
  const options = await runtime.runPromise(appOptionsFor(config))
  const app = makeApp({ runtime, ...options })
  return {
    app,
    runtime,
    config,
    logs,
    dispose: async () => {
      await runtime.dispose()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

/** Waits until forked log fibers have written. */
export const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms))
