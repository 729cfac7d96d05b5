import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Layer, Logger, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { EventStoreUnavailable } from "../../src/eventstore/EventStoreError.ts"
import { type AppServices, makeApp } from "../../src/http/App.ts"
import { ReadSide } from "../../src/http/queries/ReadSide.ts"
import type { AppRuntime } from "../../src/http/AppRuntime.ts"
import { makeRunEffect } from "../../src/http/AppRuntime.ts"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { ObjectStoreUnavailable } from "../../src/objectstore/ObjectStoreError.ts"

const dataDir = mkdtempSync(join(tmpdir(), "keyframe-http-"))
const logLines: Array<string> = []
const captureLogs = Logger.layer([Logger.make((o) => logLines.push(Logger.formatLogFmt.log(o)))])
const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    PgliteEventStore.layer({ dataDir: join(dataDir, "eventstore") }),
    FsObjectStore.layer({ root: join(dataDir, "objects") }),
    ReadSide.streamsOnly, // an app without projections
    captureLogs
  )
)
// this app runs no actors and no read side: only routes that need neither are called
const partial = (r: unknown) => r as AppRuntime<AppServices>
const app = makeApp({ runtime: partial(runtime) })

// Routes that exist only in this test, to reach the error paths through the real runner.
const run = makeRunEffect(runtime)
app.post("/test/echo", async (c) => c.json(await c.req.json()))
app.get("/test/throw", () => {
  throw new Error("secret detail at /srv/keyframe/thing.ts:12")
})
app.get("/test/defect", (c) => run(c, Effect.die(new Error("boom in an effect"))))
app.post("/test/append", (c) =>
  run(
    c,
    EventStore.use((store) =>
      store.append("test-conflict", [{ type: "Noted", data: { n: 1 } }], { expectedRevision: 7 })
    ).pipe(Effect.map((r) => c.json(r)))
  ))

beforeAll(async () => {
  await runtime.runPromise(EventStore.use((s) => s.ping)) // opens PGlite once (initdb takes seconds)
})

afterAll(async () => {
  await runtime.dispose()
  rmSync(dataDir, { recursive: true, force: true })
})

describe("health", () => {
  it("GET /healthz answers ok with a request id", async () => {
    const res = await app.request("/healthz")
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: "ok" })
    expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/)
  })

  it("keeps a sane client request id and replaces an unsafe one", async () => {
    expect((await app.request("/healthz", { headers: { "X-Request-Id": "req-42" } })).headers.get("X-Request-Id")).toBe("req-42")
    const replaced = (await app.request("/healthz", { headers: { "X-Request-Id": "a b<script>" } })).headers.get("X-Request-Id")
    expect(replaced).not.toBe("a b<script>")
  })

  it("GET /readyz is ready when the embedded event store answers", async () => {
    const res = await app.request("/readyz")
    expect(res.status).toBe(200)
    // other checks (the read side) may be listed beside the event store's
    expect(await res.json()).toMatchObject({
      status: "ready",
      checks: { eventStore: { ok: true, kind: "embedded" }, objectStore: { ok: true, kind: "fs" } }
    })
  })

  /** /readyz of an app with the test's services, one of them replaced. */
  const readyzWith = async <I extends EventStore | ObjectStore, S>(key: Context.Key<I, S>, replace: (service: S) => S) => {
    const services = await runtime.context()
    const down = ManagedRuntime.make(Layer.succeedContext(Context.add(services, key, replace(Context.get(services, key)))))
    try {
      const res = await makeApp({ runtime: partial(down) }).request("/readyz")
      return { status: res.status, body: await res.json() }
    } finally {
      await down.dispose()
    }
  }

  it("GET /readyz is 503 with the JSON error when the store does not answer", async () => {
    const { status, body } = await readyzWith(EventStore, (store) => ({
      ...store,
      ping: Effect.fail(new EventStoreUnavailable({ reason: "connection refused" }))
    }))
    expect(status).toBe(503)
    // the driver's text goes to the log only (HealthRoutes.ts)
    expect(body.error.code).toBe("EVENT_STORE_UNAVAILABLE")
    expect(body.error.message).toMatch(/^the event store is unavailable; try again \(request id [\w-]+\)$/)
    expect(body.checks.eventStore).toEqual({ ok: false, kind: "embedded" })
  })

  it("GET /readyz is 503 OBJECT_STORE_UNAVAILABLE when the object store does not answer", async () => {
    const { status, body } = await readyzWith(ObjectStore, (store) => ({
      ...store,
      ping: Effect.fail(new ObjectStoreUnavailable({ operation: "ping", reason: "bucket unreachable" }))
    }))
    expect(status).toBe(503)
    expect(body.error.code).toBe("OBJECT_STORE_UNAVAILABLE")
    expect(body.error.message).toMatch(/^the object store is unavailable; try again \(request id [\w-]+\)$/)
    expect(JSON.stringify(body)).not.toContain("bucket unreachable")
    expect(body.checks).toMatchObject({ eventStore: { ok: true, kind: "embedded" }, objectStore: { ok: false, kind: "fs" } })
  })
})

describe("error model", () => {
  it("an unknown route is a 404 JSON NOT_FOUND", async () => {
    const res = await app.request("/nope", { method: "DELETE" })
    expect(res.status).toBe(404)
    expect(res.headers.get("content-type")).toMatch(/application\/json/)
    expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: "no route for DELETE /nope" } })
    expect(res.headers.get("X-Request-Id")).toBeTruthy()
  })

  it("a malformed JSON body is a 400 INVALID_JSON", async () => {
    const res = await app.request("/test/echo", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } })
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe("INVALID_JSON")
  })

  it("a typed failure from the store maps to its status and code", async () => {
    const res = await app.request("/test/append", { method: "POST" })
    expect(res.status).toBe(409)
    const body = await res.json()
    expect(body.error.code).toBe("WRONG_EXPECTED_REVISION")
    expect(body.error.message).toContain("test-conflict")
  })

  for (const path of ["/test/throw", "/test/defect"]) {
    it(`an internal error (${path}) is a 500 without details, logged with its request id`, async () => {
      const res = await app.request(path, { headers: { "X-Request-Id": `rid-${path.slice(6)}` } })
      expect(res.status).toBe(500)
      const text = await res.text()
      expect(JSON.parse(text)).toEqual({ error: { code: "INTERNAL", message: `internal error (request id rid-${path.slice(6)})` } })
      expect(text).not.toMatch(/secret|boom|\.ts:|at /)
      await Effect.runPromise(Effect.sleep("20 millis")) // the log line is written by a forked fiber
      expect(logLines.some((l) => l.includes(`requestId=rid-${path.slice(6)}`) && /secret detail|boom in an effect/.test(l))).toBe(true)
    })
  }
})
