/**
 * The console's routes on a real `npm start`: only the console's files are reachable, TypeScript is served
 * as JavaScript, and "sign in as" is given only to a page on this machine with the development secret.
 */
import { networkInterfaces } from "node:os"
import { request as httpRequest } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ConsoleServer, startConsoleServer } from "../../console/support/ConsoleServer.ts"

/** A raw request (fetch will not send a Host of our choosing): status, headers, body. */
const raw = (url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = ""
      res.on("data", (d: Buffer) => (body += d.toString()))
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on("error", reject)
    req.end(options.body)
  })

const mint = (url: string, headers: Record<string, string> = {}) =>
  raw(`${url}/console/dev-token`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ sub: "alice", roles: ["admin"] })
  })

/** This machine's first non-loopback IPv4 address, if it has one. */
const lanAddress = Object.values(networkInterfaces()).flat().find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address
if (lanAddress === undefined) console.warn("ConsoleRoutes: the LAN-peer case skipped: this machine has no non-loopback IPv4 address")

describe("console routes (development secret)", () => {
  let server: ConsoleServer
  beforeAll(async () => {
    server = await startConsoleServer()
  }, 120_000)
  afterAll(() => server?.stop())

  it("serves the page with a CSP that allows its import map and nothing inline else", async () => {
    const page = await raw(`${server.url}/`)
    expect(page.status).toBe(200)
    expect(page.headers["content-type"]).toContain("text/html")
    const csp = String(page.headers["content-security-policy"])
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/)
    expect(csp).not.toContain("unsafe-inline")
    const again = await raw(`${server.url}/`, { headers: { "If-None-Match": String(page.headers.etag) } })
    expect(again.status).toBe(304)
  })

  it("serves console and shared modules as JavaScript with their types stripped, and vendor builds by name", async () => {
    const session = await raw(`${server.url}/console/src/console/session.ts`)
    expect(session.status).toBe(200)
    expect(session.headers["content-type"]).toContain("text/javascript")
    expect(session.body).toContain("export const sessionFromToken")
    expect(session.body).not.toMatch(/export type Role|: Session \| string/)
    const shared = await raw(`${server.url}/console/src/realtime/client/PlaybackClient.ts`)
    expect(shared.status).toBe(200)
    expect(shared.body).toContain("class ClockSync")
    for (const name of ["preact.js", "preact-hooks.js", "htm.js", "htm-preact.js", "hls.js", "tus.js"]) {
      const vendor = await raw(`${server.url}/console/vendor/${name}`)
      expect(vendor.status, name).toBe(200)
      expect(vendor.body.length, name).toBeGreaterThan(100)
    }
  })

  it("answers 404 for anything else: other source files, dot segments, encoded escapes, unknown vendor names", async () => {
    for (const path of [
      "/console/src/config.ts",
      "/console/src/runtime/DevJwtSecret.ts",
      "/console/src/console/../config.ts",
      "/console/src/console/%2e%2e/config.ts",
      "/console/src/console//main.ts",
      "/console/vendor/../../package.json",
      "/console/vendor/ws.js",
      "/console/package.json",
      "/console/src/console/missing.ts"
    ]) {
      const answer = await raw(`${server.url}${path}`)
      expect(answer.status, path).toBe(404)
      expect(answer.body, path).not.toContain("jwt-dev-secret")
    }
  })

  it("offers and mints development tokens to a loopback page, and the token works", async () => {
    const config = await raw(`${server.url}/console/config.json`)
    expect(JSON.parse(config.body)).toEqual({ wsPort: server.wsPort, devSignIn: true })
    const minted = await mint(server.url, { Origin: server.url })
    expect(minted.status).toBe(200)
    const { token } = JSON.parse(minted.body) as { token: string }
    const settings = await fetch(`${server.url}/admin/settings`, { headers: { Authorization: `Bearer ${token}` } })
    expect(settings.status).toBe(200)
    const localhost = await mint(`http://localhost:${server.port}`)
    expect(localhost.status).toBe(200)
  })

  it("refuses a page reached by another name, through a proxy, or from another site's page, in words", async () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ["a public host name", { Host: "keyframe.example.com" }, /loopback address/],
      ["a rebound name", { Host: `evil.example:${server.port}` }, /loopback address/],
      ["a forwarded request", { "X-Forwarded-For": "203.0.113.9" }, /through a proxy/],
      ["a Forwarded header", { Forwarded: "for=203.0.113.9" }, /through a proxy/],
      ["another site's page", { Origin: "https://evil.example" }, /another site/]
    ]
    for (const [what, headers, reason] of cases) {
      const answer = await mint(server.url, headers)
      expect(answer.status, what).toBe(403)
      expect(JSON.parse(answer.body).error.message, what).toMatch(reason)
      const config = await raw(`${server.url}/console/config.json`, { headers })
      if (!("Origin" in headers)) expect(JSON.parse(config.body).devSignIn, what).toBe(false)
    }
  })

  it.skipIf(lanAddress === undefined)("refuses a peer that is not this machine's loopback (the server reached at a LAN address)", async () => {
    const url = `http://${lanAddress}:${server.port}`
    const config = await raw(`${url}/console/config.json`)
    expect(JSON.parse(config.body).devSignIn).toBe(false)
    const answer = await mint(url, { Host: `localhost:${server.port}` })
    expect(answer.status).toBe(403)
    expect(JSON.parse(answer.body).error.message).toMatch(/does not come from this machine/)
  })

  it("validates the body: a bad user id or no roles is a 422 and mints nothing", async () => {
    for (const body of [{ sub: "../x", roles: ["user"] }, { sub: "bob", roles: [] }, { sub: "bob", roles: ["root"] }]) {
      const answer = await raw(`${server.url}/console/dev-token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      expect(answer.status, JSON.stringify(body)).toBe(422)
      expect(answer.body).not.toContain("token\"")
    }
  })
})

describe("console routes (TRUST_PROXY on)", () => {
  let server: ConsoleServer
  beforeAll(async () => {
    server = await startConsoleServer({ env: { TRUST_PROXY: "true" } })
  }, 120_000)
  afterAll(() => server?.stop())

  it("never offers sign-in as: behind a proxy every peer looks local", async () => {
    expect(JSON.parse((await raw(`${server.url}/console/config.json`)).body).devSignIn).toBe(false)
    const answer = await mint(server.url)
    expect(answer.status).toBe(403)
    expect(JSON.parse(answer.body).error.message).toMatch(/TRUST_PROXY/)
  })
})

describe("console routes (JWT_SECRET set)", () => {
  let server: ConsoleServer
  beforeAll(async () => {
    server = await startConsoleServer({ env: { JWT_SECRET: "a-production-secret-that-is-long-enough-0123456789" } })
  }, 120_000)
  afterAll(() => server?.stop())

  it("never offers sign-in as, even to a loopback page", async () => {
    const config = await raw(`${server.url}/console/config.json`)
    expect(JSON.parse(config.body).devSignIn).toBe(false)
    const answer = await mint(server.url)
    expect(answer.status).toBe(403)
    expect(JSON.parse(answer.body).error.message).toMatch(/JWT_SECRET or JWKS_URL/)
    expect((await raw(`${server.url}/`)).status).toBe(200)
  })
})
