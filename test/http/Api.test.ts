/** The composed app: admin endpoints (events on the Quota aggregate), /metrics, request logs, /openapi.json and /docs. */
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../src/domain/quota/QuotaAggregate.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { recordUploadBytesNow } from "../../src/observability/Metrics.ts"
import { bearer, makeTestApp, settle, type TestApp } from "./TestApp.ts"

let t: TestApp
beforeAll(async () => {
  t = await makeTestApp()
})
afterAll(() => t?.dispose())

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body)
})

const quotaEvents = (userId: string) =>
  t.runtime.runPromise(
    EventStore.use((s) => s.readStream(`quota-${userId}`))
  ) as Promise<ReadonlyArray<{ type: string; data: any; position: number; metadata: any }>>

describe("admin", () => {
  it("sets a user's weekly limit as a QuotaLimitSet event and returns the global position", async () => {
    const res = await t.app.request("/admin/users/carol/quota-limit", {
      method: "PUT",
      ...json({ limitBytes: 1_000_000, reason: "trial" }, await bearer("root", ["admin"]))
    })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ userId: "carol", limitBytes: 1_000_000, sponsor: false, changed: true, revision: 0 })
    const events = await quotaEvents("carol")
    expect(events.map((e) => e.type)).toEqual(["QuotaLimitSet"])
    expect(events[0]!.data).toMatchObject({ userId: "carol", limitBytes: 1_000_000, setBy: "root", reason: "trial" })
    expect(body.position).toBe(events[0]!.position)
    expect(events[0]!.metadata.userId).toBe("root")

    const view = await t.app.request("/admin/users/carol/quota", { headers: await bearer("root", ["admin"]) })
    expect(await view.json()).toMatchObject({ userId: "carol", limitOverride: 1_000_000, sponsor: false, revision: 0 })
  })

  it("grants and withdraws sponsor status (-1 = unlimited, then back to the default)", async () => {
    const admin = await bearer("root", ["admin"])
    const on = await t.app.request("/admin/users/dave/sponsor", { method: "PUT", ...json({ sponsor: true }, admin) })
    expect(await on.json()).toMatchObject({ limitBytes: -1, sponsor: true, changed: true })
    const again = await t.app.request("/admin/users/dave/sponsor", { method: "PUT", ...json({ sponsor: true }, admin) })
    expect(await again.json()).toMatchObject({ sponsor: true, changed: false })
    const off = await t.app.request("/admin/users/dave/sponsor", { method: "PUT", ...json({ sponsor: false }, admin) })
    expect(await off.json()).toMatchObject({ limitBytes: null, sponsor: false, changed: true })
    expect((await quotaEvents("dave")).map((e) => e.data.limitBytes)).toEqual([-1, null])
  })

  it("applies a request with the same Idempotency-Key once", async () => {
    const headers = { ...(await bearer("root", ["admin"])), "Idempotency-Key": "k-1" }
    const first = await (await t.app.request("/admin/users/erin/quota-limit", { method: "PUT", ...json({ limitBytes: 5 }, headers) })).json()
    const second = await (await t.app.request("/admin/users/erin/quota-limit", { method: "PUT", ...json({ limitBytes: 5 }, headers) })).json()
    expect(second.position).toBe(first.position)
    expect(await quotaEvents("erin")).toHaveLength(1)
  })

  it("refuses a limit below what the user already reserved (422, nothing written)", async () => {
    await t.runtime.runPromise(
      ActorSystem.use((a) =>
        a.send(QuotaAggregate, "frank", {
          command: { _tag: "ReserveUpload", userId: "frank", uploadId: "u1", bytes: 5000 },
          actor: { userId: "frank", roles: ["user"] }
        })
      )
    )
    const res = await t.app.request("/admin/users/frank/quota-limit", {
      method: "PUT",
      ...json({ limitBytes: 100 }, await bearer("root", ["admin"]))
    })
    expect(res.status).toBe(422)
    expect((await res.json()).error.code).toBe("LIMIT_BELOW_USAGE")
    expect((await quotaEvents("frank")).map((e) => e.type)).toEqual(["UploadReserved"])
  })

  it("is for admins only: 401 without a token, 403 for a user or sponsor", async () => {
    const put = (headers: Record<string, string>) =>
      t.app.request("/admin/users/gina/sponsor", { method: "PUT", ...json({ sponsor: true }, headers) })
    expect((await put({})).status).toBe(401)
    const forbidden = await put(await bearer("gina", ["user", "sponsor"]))
    expect(forbidden.status).toBe(403)
    expect((await forbidden.json()).error.code).toBe("FORBIDDEN")
    expect(await quotaEvents("gina")).toHaveLength(0)
  })

  it("reports the failing path of a body that does not match its schema", async () => {
    const res = await t.app.request("/admin/users/hal/quota-limit", {
      method: "PUT",
      ...json({ limitBytes: -5, reason: 7 }, await bearer("root", ["admin"]))
    })
    expect(res.status).toBe(422)
    const { error } = await res.json()
    expect(error.code).toBe("VALIDATION_FAILED")
    expect(error.path).toBe("body.limitBytes")
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(["body.limitBytes", "body.reason"])
    expect(error.message).toMatch(/^body\.limitBytes: .+ \(and 1 more\)$/)
  })
})

describe("observability", () => {
  it("/metrics shows request counts and latency by route pattern, upload bytes, actors and the store head", async () => {
    const series = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? 0)
    const count = /keyframe_http_requests_total\{method="GET",route="\/admin\/users\/:userId\/quota",status="200"\} (\d+)/
    const inf = /keyframe_http_request_duration_seconds_bucket\{method="GET",route="\/admin\/users\/:userId\/quota",le="\+Inf"\} (\d+)/
    const uploaded = /keyframe_upload_bytes_total (\d+)/
    const before = await (await t.app.request("/metrics")).text()
    const admin = await bearer("root", ["admin"])
    for (const id of ["m1", "m2", "m3"]) await t.app.request(`/admin/users/${id}/quota`, { headers: admin })
    recordUploadBytesNow(12345)
    const res = await t.app.request("/metrics")
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    expect(series(text, count) - series(before, count)).toBe(3)
    expect(series(text, inf) - series(before, inf)).toBe(3)
    expect(text).not.toContain('route="/admin/users/m1/quota"')
    expect(series(text, uploaded) - series(before, uploaded)).toBe(12345)
    expect(text).toMatch(/keyframe_actors_live \d+/)
    expect(text).toMatch(/keyframe_actor_mailbox_depth 0\b/)
    const head = await t.runtime.runPromise(EventStore.use((s) => s.headPosition))
    expect(text).toContain(`keyframe_eventstore_head_position ${head}`)
  })

  it("writes one JSON log line per request with method, route, status, duration, request id and user", async () => {
    await t.app.request("/admin/users/logme/quota", { headers: { ...(await bearer("root", ["admin"])), "X-Request-Id": "rid-log-1" } })
    await t.app.request("/no/such/thing", { headers: { "X-Request-Id": "rid-log-2" } })
    await settle()
    const line = t.logs.find((l) => l.annotations?.requestId === "rid-log-1" && l.message === "request")
    expect(line).toBeDefined()
    expect(line!.level).toBe("INFO")
    expect(line!.annotations).toMatchObject({ method: "GET", route: "/admin/users/:userId/quota", path: "/admin/users/logme/quota", status: 200, userId: "root" })
    expect(typeof line!.annotations.durationMs).toBe("number")
    const miss = t.logs.find((l) => l.annotations?.requestId === "rid-log-2")
    expect(miss!.annotations).toMatchObject({ route: "unmatched", status: 404, userId: null })
  })
})

describe("OpenAPI", () => {
  it("/openapi.json is an OpenAPI 3.1 document built from the request schemas", async () => {
    const res = await t.app.request("/openapi.json")
    expect(res.status).toBe(200)
    const doc = await res.json()
    expect(doc.openapi).toBe("3.1.0")
    const op = doc.paths["/admin/users/{userId}/quota-limit"].put
    expect(op.security).toEqual([{ bearer: [] }])
    expect(op["x-roles"]).toEqual(["admin"])
    expect(op.parameters).toContainEqual(expect.objectContaining({ name: "userId", in: "path", required: true }))
    expect(op.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/QuotaLimitBody" })
    expect(doc.components.schemas.QuotaLimitBody.properties.limitBytes.anyOf).toContainEqual(expect.objectContaining({ type: "integer", minimum: -1 }))
    expect(op.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/QuotaLimitResult" })
    expect(op.responses["422"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" })
    for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"]) expect(doc.paths[path]?.get, path).toBeDefined()
    // every reference resolves to a component
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!)
    expect(refs.length).toBeGreaterThan(0)
    for (const ref of new Set(refs)) expect(doc.components.schemas, ref).toHaveProperty([ref])
    // path parameters named in the template are declared, and only those
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort()
      for (const [method, operation] of Object.entries(item)) {
        const declared = operation.parameters.filter((p: any) => p.in === "path").map((p: any) => p.name).sort()
        expect(declared, `${method} ${path}`).toEqual(inPath)
      }
    }
  })

  it("lists every route of the app, each with a summary", async () => {
    const doc = await (await t.app.request("/openapi.json")).json()
    const listed = new Set(Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item as object).map((m) => `${m} ${p}`)))
    const routed = t.app.routes.filter((r) => r.method !== "ALL").map((r) =>
      `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, "{$1}").replace(/\/\*$/, "/{path}")}`
    )
    for (const r of routed) expect(listed, r).toContain(r)
    const undocumented = [...listed].filter((k) => {
      const [m, p] = k.split(" ")
      return doc.paths[p!][m!].summary === "undocumented"
    })
    expect(undocumented, "routes without describeRoute()").toEqual([])
  })

  it("/docs is a self-contained HTML page listing the operations", async () => {
    const res = await t.app.request("/docs")
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toMatch(/text\/html/)
    const html = await res.text()
    expect(html).toContain("<code>/admin/users/{userId}/quota-limit</code>")
    expect(html).toContain('id="schema-QuotaLimitBody"')
    expect(html).not.toMatch(/<script|https?:\/\/(?!.*localhost)[^"]*\.(js|css)/)
  })
})
