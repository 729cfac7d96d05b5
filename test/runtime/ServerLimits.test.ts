/**
 * The HTTP listener's limits on a real `node src/runtime/node.ts`, over raw sockets: a client that
 * drips its headers is cut off after HTTP_HEADERS_TIMEOUT_SECONDS, an idle keep-alive connection is
 * closed after HTTP_KEEPALIVE_TIMEOUT_SECONDS, connections past HTTP_MAX_CONNECTIONS are refused, a
 * declared JSON body over JSON_BODY_LIMIT_BYTES is refused before it is sent, and /metrics lives on
 * METRICS_PORT (behind METRICS_TOKEN) and not on PORT.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { request } from "node:http"
import { connect, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePorts } from "../support/ports.ts"

const ROOT = join(import.meta.dirname, "..", "..")
const dataDir = mkdtempSync(join(tmpdir(), "keyframe-limits-"))
const METRICS_TOKEN = "metrics-token-for-the-limits-test"
const MAX_CONNECTIONS = 3
let server: ChildProcess
let port: number
let metricsPort: number
let output = ""

/** The process environment minus any Keyframe settings of the machine running the tests. */
const cleanEnv = (extra: Record<string, string>) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(JWT_|JWKS_|REDIS_URL|EVENTSTORE_URL|S3_|RATE_LIMIT_|LOG_|HTTP_|METRICS_|JSON_)/.test(k)) env[k] = v
  }
  return { ...env, DATA_DIR: dataDir, ...extra }
}

/** One request on its own connection (Connection: close), so no pooled socket counts against the cap. */
const get = (p: number, path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: p, path, headers, agent: false }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (d) => (body += d))
      res.on("end", () => resolve({ status: res.statusCode!, body }))
    })
    req.on("error", reject)
    req.end()
  })

interface RawConnection {
  readonly socket: Socket
  received: string
  /** When the server closed it, ms after `since`; undefined while open. */
  closedAfter: number | undefined
  readonly closed: Promise<number>
}

/** A raw socket and what it received. */
const open = (since = Date.now()): RawConnection => {
  const socket = connect(port, "127.0.0.1")
  socket.setEncoding("utf8")
  socket.on("error", () => {})
  const state: RawConnection = {
    socket,
    received: "",
    closedAfter: undefined,
    closed: new Promise<number>((resolve) => socket.on("close", () => resolve(state.closedAfter = Date.now() - since)))
  }
  socket.on("data", (d: string) => (state.received += d))
  return state
}

const connected = (s: { socket: Socket }) => new Promise<void>((r) => (s.socket.connecting ? s.socket.once("connect", () => r()) : r()))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  const ports = await freePorts(3)
  ;[port, metricsPort] = [ports[0]!, ports[1]!]
  const wsPort = ports[2]!
  server = spawn(process.execPath, ["src/runtime/node.ts"], {
    cwd: ROOT,
    env: cleanEnv({
      PORT: String(port),
      WS_PORT: String(wsPort),
      RUN_WORKERS: "false",
      HTTP_HEADERS_TIMEOUT_SECONDS: "1",
      HTTP_KEEPALIVE_TIMEOUT_SECONDS: "1",
      HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      JSON_BODY_LIMIT_BYTES: "1024",
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN
    })
  })
  server.stdout!.on("data", (d) => (output += d))
  server.stderr!.on("data", (d) => (output += d))
  for (let i = 0; i < 240; i++) {
    if (server.exitCode !== null) throw new Error(`server exited: ${output}`)
    const ok = await get(port, "/healthz").then((r) => r.status === 200, () => false)
    if (ok) return
    await sleep(250)
  }
  throw new Error(`server did not answer /healthz: ${output}`)
})

afterAll(() => {
  if (server?.exitCode === null) server.kill("SIGKILL")
  rmSync(dataDir, { recursive: true, force: true })
})

describe("the HTTP listener's limits (node.ts)", () => {
  it("closes the connection of a client that sends its headers too slowly (HTTP_HEADERS_TIMEOUT_SECONDS)", async () => {
    const slow = open()
    await connected(slow)
    slow.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n")
    // one more header line every 200 ms: never idle, never done
    const drip = setInterval(() => slow.socket.writable && slow.socket.write("X-Slow: a\r\n"), 200)
    const after = await Promise.race([slow.closed, sleep(6_000).then(() => undefined)])
    clearInterval(drip)
    slow.socket.destroy()
    expect(after, "closed by the server within the headers timeout (1 s) and its check interval").toBeLessThan(3_000)
    expect(after).toBeGreaterThan(800)
    expect(slow.received).toMatch(/^HTTP\/1\.1 408/)
  })

  it("closes an idle keep-alive connection after HTTP_KEEPALIVE_TIMEOUT_SECONDS", async () => {
    const idle = open()
    await connected(idle)
    idle.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    for (let i = 0; i < 100 && !idle.received.includes("\r\n\r\n"); i++) await sleep(20)
    expect(idle.received).toMatch(/^HTTP\/1\.1 200/)
    expect(idle.received).toMatch(/Keep-Alive: timeout=1/i)
    const answeredAt = Date.now()
    const closedAt = await Promise.race([idle.closed.then(() => Date.now()), sleep(8_000).then(() => undefined)])
    idle.socket.destroy()
    expect(closedAt, "closed by the server").toBeDefined()
    // Node keeps the socket its keepAliveTimeoutBuffer (1 s) past the advertised timeout; the default is 5 s
    expect(closedAt! - answeredAt).toBeLessThan(3_500)
    expect(closedAt! - answeredAt).toBeGreaterThan(800)
  })

  it("refuses connections past HTTP_MAX_CONNECTIONS and accepts again once one closes", async () => {
    // requests whose body never comes: headers done (no headers timeout), the connection stays open
    const held = Array.from({ length: MAX_CONNECTIONS }, () => open())
    for (const h of held) {
      await connected(h)
      h.socket.write("PUT /admin/users/alice/sponsor HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n")
    }
    await sleep(300)
    expect(held.map((h) => h.closedAfter)).toEqual(held.map(() => undefined))
    const since = Date.now()
    const extra = open(since)
    const after = await Promise.race([extra.closed, sleep(2_000).then(() => undefined)])
    expect(after, "the connection past the cap is closed at once").toBeDefined()
    expect(after!).toBeLessThan(700)
    expect(extra.received).toBe("")
    for (const h of held) h.socket.destroy()
    await Promise.all(held.map((h) => h.closed))
    await sleep(100)
    expect((await get(port, "/healthz")).status).toBe(200)
  })

  it("answers 413 BODY_TOO_LARGE to a declared JSON body over JSON_BODY_LIMIT_BYTES before it is sent", async () => {
    const big = open()
    await connected(big)
    // 10 MB announced, not one byte of it sent: the answer must not wait for the body
    big.socket.write("PUT /admin/users/alice/sponsor HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n")
    for (let i = 0; i < 100 && !big.received.includes("}"); i++) await sleep(20)
    big.socket.destroy()
    expect(big.received).toMatch(/^HTTP\/1\.1 413/)
    expect(big.received).toContain('"code":"BODY_TOO_LARGE"')
  })

  it("serves /metrics on METRICS_PORT only, behind METRICS_TOKEN", async () => {
    expect((await get(port, "/metrics", { Authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(404)
    const denied = await get(metricsPort, "/metrics")
    expect(denied.status).toBe(401)
    expect(JSON.parse(denied.body).error.code).toBe("UNAUTHORIZED")
    expect((await get(metricsPort, "/metrics", { Authorization: "Bearer not-the-token" })).status).toBe(401)
    const ok = await get(metricsPort, "/metrics", { Authorization: `Bearer ${METRICS_TOKEN}` })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatch(/keyframe_http_requests_total\{method="GET",route="\/healthz",status="200"\}/)
    expect((await get(metricsPort, "/healthz")).status).toBe(404)
    expect(output).not.toContain(METRICS_TOKEN)
  })
})
