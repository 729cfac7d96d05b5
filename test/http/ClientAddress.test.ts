/**
 * The client address, over a real HTTP listener (@hono/node-server): the socket's peer unless a
 * proxy is trusted; behind TRUST_PROXY_HOPS proxies, the X-Forwarded-For entry the outermost trusted
 * proxy added (counted from the right), never the entries left of it, which the client wrote.
 */
import { serve } from "@hono/node-server"
import { getConnInfo } from "@hono/node-server/conninfo"
import { Logger, ManagedRuntime } from "effect"
import { Hono } from "hono"
import type { AddressInfo } from "node:net"
import { afterAll, describe, expect, it } from "vitest"
import { makeApp } from "../../src/http/App.ts"
import { noAuth } from "../../src/http/auth/Auth.ts"
import { clientIp } from "../../src/http/middleware/ClientIp.ts"
import { makeMemoryRateLimiter } from "../../src/http/middleware/RateLimiter.ts"

const servers: Array<{ close: () => void }> = []
afterAll(() => {
  for (const s of servers) s.close()
})

/** Serves `fetch` on 127.0.0.1 and returns its base URL. */
const listen = (fetch: (r: Request, env: unknown) => Response | Promise<Response>) =>
  new Promise<string>((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`))
    servers.push(server)
  })

/** An app whose only route answers the address clientIp sees, for each trust setting. */
const probe = await listen(
  new Hono().get("/ip/:hops", (c) => c.text(clientIp(c, Number(c.req.param("hops")), getConnInfo))).fetch
)
const ipSeen = async (hops: number, headers: Record<string, string> = {}) => (await fetch(`${probe}/ip/${hops}`, { headers })).text()

describe("clientIp", () => {
  it("is the socket's peer when no proxy is trusted, whatever the headers say", async () => {
    expect(await ipSeen(0)).toBe("127.0.0.1")
    expect(await ipSeen(0, { "X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.10" })).toBe("127.0.0.1")
  })

  it("is the entry TRUST_PROXY_HOPS from the right of X-Forwarded-For", async () => {
    const xff = { "X-Forwarded-For": "198.51.100.1, 198.51.100.2,198.51.100.3" }
    expect(await ipSeen(1, xff)).toBe("198.51.100.3")
    expect(await ipSeen(2, xff)).toBe("198.51.100.2")
    expect(await ipSeen(3, xff)).toBe("198.51.100.1")
    expect(await ipSeen(1, { "X-Forwarded-For": "::ffff:192.0.2.7" })).toBe("192.0.2.7")
    expect(await ipSeen(1, { "X-Forwarded-For": "2001:db8::1" })).toBe("2001:db8::1")
  })

  it("falls back to the socket's peer when the header did not pass every trusted proxy, or holds no address there", async () => {
    expect(await ipSeen(2, { "X-Forwarded-For": "198.51.100.3" })).toBe("127.0.0.1")
    expect(await ipSeen(1)).toBe("127.0.0.1")
    expect(await ipSeen(1, { "X-Real-IP": "203.0.113.10" })).toBe("127.0.0.1") // a header the client can set
    expect(await ipSeen(1, { "X-Forwarded-For": "198.51.100.1, not an address" })).toBe("127.0.0.1")
    expect(await ipSeen(1, { "X-Forwarded-For": "198.51.100.1," })).toBe("198.51.100.1")
  })
})

describe("the app behind a trusted proxy (TRUST_PROXY=true)", () => {
  const logs: Array<Record<string, unknown>> = []
  const capture = Logger.layer([Logger.make((o) => logs.push(JSON.parse(Logger.formatJson.log(o))))])
  const runtime = ManagedRuntime.make(capture)
  afterAll(() => runtime.dispose())

  const appWith = (trustProxyHops: number) =>
    makeApp({
      runtime: runtime as never,
      auth: noAuth,
      trustProxy: true,
      trustProxyHops,
      connInfo: getConnInfo,
      rateLimit: { limiter: makeMemoryRateLimiter(), settings: { perIp: 3, perUser: 0, windowMs: 60_000 } }
    })

  it("limits the address the proxy added, however the client fills the left of X-Forwarded-For", async () => {
    const base = await listen(appWith(1).fetch)
    const statuses = []
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/openapi.json`, { headers: { "X-Forwarded-For": `10.9.9.${i}, 203.0.113.50` } })
      statuses.push(res.status)
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    expect((await fetch(`${base}/openapi.json`, { headers: { "X-Forwarded-For": "203.0.113.51" } })).status).toBe(200)
  })

  it("counts TRUST_PROXY_HOPS proxies, for the limiter and the request log alike", async () => {
    const base = await listen(appWith(2).fetch)
    logs.length = 0
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/openapi.json`, { headers: { "X-Forwarded-For": `10.9.9.${i}, 203.0.113.60, 10.0.0.${i}` } })
      expect(res.status).toBe(200)
    }
    expect((await fetch(`${base}/openapi.json`, { headers: { "X-Forwarded-For": "10.9.9.9, 203.0.113.60, 10.0.0.9" } })).status).toBe(429)
    await new Promise((r) => setTimeout(r, 30))
    const ips = logs.map((l) => (l.annotations as Record<string, unknown> | undefined)?.ip).filter((ip) => ip !== undefined)
    expect(ips.length).toBeGreaterThanOrEqual(4)
    expect(new Set(ips)).toEqual(new Set(["203.0.113.60"]))
  })
})
