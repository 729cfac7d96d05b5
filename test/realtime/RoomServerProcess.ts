/**
 * Test support: a Keyframe server (HTTP + the rooms WebSocket) as a real child process on free ports,
 * so the protocol suite talks to it by URL only. `command` picks the runtime and entry (Node 24 with the
 * TypeScript sources; Node 20 with the compiled build for uWebSockets.js).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { sign } from "hono/jwt"
import { freePortPair } from "../support/ports.ts"
export { freePort } from "../support/ports.ts"

export const ROOT = join(import.meta.dirname, "..", "..")
export const SECRET = "rooms-test-secret-with-enough-entropy-0123"

export const tokenFor = (sub: string, roles: ReadonlyArray<string> = ["user"], secret = SECRET) =>
  sign({ sub, roles: [...roles], exp: Math.floor(Date.now() / 1000) + 3600 }, secret, "HS256")

export interface RoomServer {
  readonly http: string
  readonly ws: string
  output: () => string
  /** SIGTERM, and the exit code. */
  stop: () => Promise<number | null>
  /** The server's process id (benchmarks read its CPU time). */
  readonly pid: number | undefined
  /** SIGKILL: the process dies without cleaning up (a crashed node). */
  kill: () => Promise<void>
}

const cleanEnv = () => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(JWT_|JWKS_|REDIS_URL|EVENTSTORE_URL|S3_|RATE_LIMIT_|LOG_|ROOM_|DEFAULT_MAX|SPONSOR_MAX)/.test(k)) env[k] = v
  }
  return env
}

export const startRoomServer = async (command: ReadonlyArray<string>, env: Record<string, string>): Promise<RoomServer> => {
  const [port, wsPort] = await freePortPair()
  let output = ""
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { ...cleanEnv(), RUN_WORKERS: "false", JWT_SECRET: SECRET, RATE_LIMIT_PER_IP: "0", RATE_LIMIT_PER_USER: "0", ...env, PORT: String(port), WS_PORT: String(wsPort) }
  })
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const http = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`)
    if (i > 240) throw new Error(`server did not start: ${output}`)
    const ok = await fetch(`${http}/healthz`).then((r) => r.ok, () => false)
    if (ok && output.includes("rooms WebSocket listening")) break
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    http,
    ws: `ws://127.0.0.1:${wsPort}`,
    pid: child.pid,
    output: () => output,
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGKILL")
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode)
        child.once("exit", (code) => resolve(code))
        child.kill("SIGTERM")
        setTimeout(() => child.kill("SIGKILL"), 15_000).unref()
      })
  }
}
