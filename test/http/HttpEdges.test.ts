/**
 * The app's edges, on the app as `npm start` composes it: every route that reads a JSON body refuses
 * one over JSON_BODY_LIMIT_BYTES with 413 BODY_TOO_LARGE before reading it all (tus bodies are not
 * JSON and are not limited), and /metrics asks for METRICS_TOKEN when it is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bearer, makeTestApp, type TestApp } from "./TestApp.ts"

type Json = Record<string, any>

const LIMIT = 1024
const METRICS_TOKEN = "scrape-token-0123456789"

let t: TestApp
let doc: Json
beforeAll(async () => {
  t = await makeTestApp({ JSON_BODY_LIMIT_BYTES: String(LIMIT), METRICS_TOKEN, RATE_LIMIT_PER_IP: "0", RATE_LIMIT_PER_USER: "0" })
  doc = await (await t.app.request("/openapi.json")).json()
})
afterAll(() => t?.dispose())

/** A JSON object of about `bytes` bytes. */
const jsonOf = (bytes: number) => JSON.stringify({ sponsor: true, pad: "x".repeat(bytes) })

/** A body that is produced only as it is read, and how many of its chunks were read. */
const countedBody = (chunks: number, chunkBytes: number) => {
  const counter = { pulled: 0 }
  const chunk = new TextEncoder().encode(" ".repeat(chunkBytes))
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled === 0) controller.enqueue(new TextEncoder().encode("{\"sponsor\":true,"))
      if (counter.pulled++ < chunks) return controller.enqueue(chunk)
      controller.enqueue(new TextEncoder().encode("\"end\":1}"))
      controller.close()
    }
  })
  return { stream, counter }
}

describe("JSON body limit (JSON_BODY_LIMIT_BYTES)", () => {
  it("refuses a declared Content-Length over the limit with 413 BODY_TOO_LARGE", async () => {
    const body = jsonOf(LIMIT * 2)
    const res = await t.app.request("/admin/users/alice/sponsor", {
      method: "PUT",
      headers: { ...(await bearer("root", ["admin"])), "content-type": "application/json", "content-length": String(body.length) },
      body
    })
    expect(res.status).toBe(413)
    const error = (await res.json()).error
    expect(error.code).toBe("BODY_TOO_LARGE")
    expect(error.message).toContain(String(LIMIT))
  })

  it("stops reading a body without a length as soon as it passes the limit", async () => {
    const { stream, counter } = countedBody(200, 512) // 100 KiB if read to the end
    const res = await t.app.request("/admin/users/alice/sponsor", {
      method: "PUT",
      headers: { ...(await bearer("root", ["admin"])), "content-type": "application/json" },
      body: stream,
      duplex: "half"
    } as RequestInit)
    expect(res.status).toBe(413)
    expect((await res.json()).error.code).toBe("BODY_TOO_LARGE")
    expect(counter.pulled).toBeLessThan(10)
  })

  it("accepts a body at the limit", async () => {
    const body = jsonOf(LIMIT - jsonOf(0).length)
    expect(body.length).toBe(LIMIT)
    const res = await t.app.request("/admin/users/alice/sponsor", {
      method: "PUT",
      headers: { ...(await bearer("root", ["admin"])), "content-type": "application/json" },
      body
    })
    expect(res.status).toBe(200)
  })

  it("applies to every route of /openapi.json that reads a JSON body", async () => {
    let checked = 0
    for (const [template, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        if (op.requestBody?.content?.["application/json"] === undefined) continue
        const roles: Array<string> = op["x-roles"] ?? ["user"]
        const res = await t.app.request(template.replace(/\{[^}]+\}/g, "walk-id"), {
          method: method.toUpperCase(),
          headers: { ...(await bearer("walker", roles)), "content-type": "application/json" },
          body: jsonOf(LIMIT * 4)
        })
        expect(res.status, `${method.toUpperCase()} ${template}`).toBe(413)
        expect((await res.json()).error.code, `${method.toUpperCase()} ${template}`).toBe("BODY_TOO_LARGE")
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2)
  })

  it("does not limit tus bodies (application/offset+octet-stream)", async () => {
    const tus = { ...(await bearer("alice")), "Tus-Resumable": "1.0.0" }
    const created = await t.app.request("/files", {
      method: "POST",
      headers: { ...tus, "Upload-Length": String(LIMIT * 16), "Upload-Metadata": `filename ${btoa("edge.mp4")}` }
    })
    expect(created.status).toBe(201)
    const location = created.headers.get("Location")!
    const bytes = crypto.getRandomValues(new Uint8Array(LIMIT * 8))
    const patched = await t.app.request(new URL(location, "http://localhost").pathname, {
      method: "PATCH",
      headers: { ...tus, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0", "Content-Length": String(bytes.length) },
      body: bytes
    })
    expect(patched.status).toBe(204)
    expect(patched.headers.get("Upload-Offset")).toBe(String(bytes.length))
  })
})

describe("/metrics behind METRICS_TOKEN", () => {
  it("is 401 without the token or with another one", async () => {
    const none = await t.app.request("/metrics")
    expect(none.status).toBe(401)
    expect(none.headers.get("WWW-Authenticate")).toMatch(/^Bearer/)
    expect((await none.json()).error.code).toBe("UNAUTHORIZED")
    for (const header of [`Bearer ${METRICS_TOKEN}x`, `Bearer ${METRICS_TOKEN.slice(1)}`, METRICS_TOKEN, `Basic ${METRICS_TOKEN}`]) {
      expect((await t.app.request("/metrics", { headers: { Authorization: header } })).status, header).toBe(401)
    }
  })

  it("answers the Prometheus text with Authorization: Bearer <METRICS_TOKEN>", async () => {
    const res = await t.app.request("/metrics", { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain("keyframe_http_requests_total")
  })
})
