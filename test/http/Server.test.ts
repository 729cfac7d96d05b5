/**
 * `npm start` with no configuration, as a real process on a free port: the ops endpoints answer,
 * a token from `npm run token` (the development secret under DATA_DIR) is accepted, DATA_DIR's folders
 * are owner-only, logs are JSON lines, and SIGTERM ends it with exit 0.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePortPair } from "../support/ports.ts"

const ROOT = join(import.meta.dirname, "..", "..")
const dataDir = mkdtempSync(join(tmpdir(), "keyframe-server-"))
let server: ChildProcess
let base: string
let output = ""

/** The process environment minus any Keyframe settings of the machine running the tests. */
const cleanEnv = (extra: Record<string, string>) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(JWT_|JWKS_|REDIS_URL|EVENTSTORE_URL|S3_|RATE_LIMIT_|LOG_)/.test(k)) env[k] = v
  }
  return { ...env, DATA_DIR: dataDir, ...extra }
}

beforeAll(async () => {
  const [port, wsPort] = await freePortPair()
  base = `http://127.0.0.1:${port}`
  server = spawn(process.execPath, ["src/runtime/node.ts"], { cwd: ROOT, env: cleanEnv({ PORT: String(port), WS_PORT: String(wsPort) }) })
  server.stdout!.on("data", (d) => (output += d))
  server.stderr!.on("data", (d) => (output += d))
  for (let i = 0; i < 240; i++) {
    if (server.exitCode !== null) throw new Error(`server exited: ${output}`)
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false)
    if (ok) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`server did not answer /healthz: ${output}`)
})

afterAll(() => {
  if (server?.exitCode === null) server.kill("SIGKILL")
  rmSync(dataDir, { recursive: true, force: true })
})

describe("a real server started with no configuration", () => {
  it("answers /healthz, /readyz, /metrics, /openapi.json and /docs", async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
    const metrics = await fetch(`${base}/metrics`)
    expect(await metrics.text()).toMatch(/keyframe_http_requests_total\{method="GET",route="\/readyz",status="200"\} 1/)
    const doc = await (await fetch(`${base}/openapi.json`)).json()
    expect(doc.openapi).toBe("3.1.0")
    expect(Object.keys(doc.paths)).toContain("/admin/users/{userId}/sponsor")
    const docs = await fetch(`${base}/docs`)
    expect(docs.headers.get("content-type")).toMatch(/text\/html/)
    expect(await docs.text()).toContain("/admin/users/{userId}/sponsor")
  })

  it("accepts a token minted by `npm run token` (same DATA_DIR) and refuses requests without one", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["scripts/token.ts", "--sub", "root", "--roles", "admin"], {
      cwd: ROOT,
      env: cleanEnv({})
    })
    const token = stdout.trim()
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const put = (headers: Record<string, string>) =>
      fetch(`${base}/admin/users/alice/sponsor`, {
        method: "PUT",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ sponsor: true })
      })
    const ok = await put({ Authorization: `Bearer ${token}` })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ userId: "alice", sponsor: true, changed: true })
    const denied = await put({})
    expect(denied.status).toBe(401)
    expect((await denied.json()).error.code).toBe("UNAUTHORIZED")
  })

  it("keeps DATA_DIR's folders and the development secret owner-only", () => {
    for (const dir of ["eventstore", "objects", "scratch"]) expect(statSync(join(dataDir, dir)).mode & 0o777, dir).toBe(0o700)
    expect(statSync(join(dataDir, "jwt-dev-secret")).mode & 0o777).toBe(0o600)
  })

  it("logs JSON lines, one per request, with the client address, and exits 0 on SIGTERM", async () => {
    await fetch(`${base}/nothing`, { headers: { "X-Request-Id": "server-test-1" } })
    await new Promise((r) => setTimeout(r, 100))
    const lines = output.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
    expect(lines.some((l) => /development secret/.test(l.message) && l.level === "WARN")).toBe(true)
    const request = lines.find((l) => l.annotations?.requestId === "server-test-1")
    expect(request?.annotations).toMatchObject({ method: "GET", route: "unmatched", status: 404, ip: "127.0.0.1" })
    const exited = new Promise<number | null>((r) => server.once("exit", (code) => r(code)))
    server.kill("SIGTERM")
    expect(await exited).toBe(0)
  })
})
