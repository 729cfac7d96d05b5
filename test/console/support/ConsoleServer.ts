/**
 * A real `npm start` for the console's browser tests: a child process on free ports (HTTP and WS) with
 * its own DATA_DIR (embedded store, files), the development secret (so "sign in as" is offered on
 * 127.0.0.1), rate limits off. `token()` mints with that same secret (or the JWT_SECRET given), as `npm run token` would.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFile, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { sign } from "hono/jwt"
import { freePortPair } from "../../support/ports.ts"
export { freePort } from "../../support/ports.ts"

const ROOT = new URL("../../../", import.meta.url).pathname

export interface ConsoleServer {
  /** http://127.0.0.1:<port> */
  readonly url: string
  readonly port: number
  readonly wsPort: number
  readonly dataDir: string
  /** What the process printed so far (for a failing test's message). */
  readonly output: () => string
  /** A bearer token for `sub` with `roles`, signed with the server's development secret. */
  readonly token: (sub: string, roles?: ReadonlyArray<string>) => Promise<string>
  /** JSON API call with a token for `sub` (roles default user); throws with the server's answer on a non-2xx. */
  readonly api: <A = unknown>(method: string, path: string, options?: { sub?: string; roles?: ReadonlyArray<string>; body?: unknown }) => Promise<A>
  readonly stop: () => Promise<void>
}

export interface ConsoleServerOptions {
  readonly env?: Record<string, string>
  /** Seconds to wait for /healthz (default 90: a loaded CI machine starts slowly). */
  readonly startSeconds?: number
}

export const startConsoleServer = async (options: ConsoleServerOptions = {}): Promise<ConsoleServer> => {
  const dataDir = await mkdtemp(join(tmpdir(), "kf-console-"))
  const [port, wsPort] = await freePortPair()
  let output = ""
  // `npm start` itself, with this Node (24) first on PATH, as a newcomer runs it
  const child: ChildProcess = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
      DATA_DIR: dataDir,
      PORT: String(port),
      WS_PORT: String(wsPort),
      RATE_LIMIT_PER_USER: "0",
      RATE_LIMIT_PER_IP: "0",
      LOG_LEVEL: "warn",
      JWT_SECRET: "",
      JWKS_URL: "",
      ...options.env
    }
  })
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()))
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()))
  let exited = false
  child.once("exit", () => (exited = true))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (options.startSeconds ?? 90) * 1000
  for (;;) {
    if (exited) throw new Error(`npm start exited before serving:\n${output}`)
    if (Date.now() > deadline) {
      process.kill(-child.pid!, "SIGKILL")
      throw new Error(`npm start did not answer /healthz within ${options.startSeconds ?? 90} s:\n${output}`)
    }
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false)
    if (ok) break
    await new Promise((r) => setTimeout(r, 250))
  }
  const secret = options.env?.JWT_SECRET || (await readFile(join(dataDir, "jwt-dev-secret"), "utf8")).trim()
  const token = (sub: string, roles: ReadonlyArray<string> = ["user"]) =>
    sign({ sub, roles: [...roles], exp: Math.floor(Date.now() / 1000) + 3600 }, secret, "HS256")
  const api = async <A>(method: string, path: string, opts: { sub?: string; roles?: ReadonlyArray<string>; body?: unknown } = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${await token(opts.sub ?? "tester", opts.roles ?? ["user"])}`,
        ...(opts.body === undefined ? {} : { "Content-Type": "application/json" })
      },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) })
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`)
    return (text === "" ? undefined : JSON.parse(text)) as A
  }
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once("exit", r))
      process.kill(-child.pid!, "SIGTERM")
      const timer = setTimeout(() => !exited && process.kill(-child.pid!, "SIGKILL"), 10_000)
      await gone
      clearTimeout(timer)
    }
    // the embedded store's processes may still be writing their last files for a moment after npm start exits
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
  }
  return { url, port, wsPort, dataDir, output: () => output, token, api, stop }
}
