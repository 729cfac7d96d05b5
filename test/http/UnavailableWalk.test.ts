/**
 * Every route of /openapi.json, called while the backends fail, answers without their detail: no
 * body names DATA_DIR, a backend's address or URL (PostgreSQL, Redis, S3, the JWKS). A 503 from a
 * backend carries a generic message with the request id, and the detail is logged with that id.
 *
 * The failures are real: PostgreSQL and Redis are reached through TCP proxies that the test closes
 * (the drivers then see refused connections), S3 and the JWKS point at a closed port, and on the
 * embedded adapters DATA_DIR's folders are replaced by files.
 */
import { rmSync, writeFileSync } from "node:fs"
import { createServer, connect, type Server, type Socket } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ROLES } from "../../src/http/auth/Auth.ts"
import { withAdminSql } from "../support/postgres.ts"
import { bearer, makeTestApp, settle, type TestApp } from "./TestApp.ts"

type Json = Record<string, any>

const JWKS_URL = "http://127.0.0.1:1/walk/.well-known/jwks.json"
const INFRASTRUCTURE = new Set(["EVENT_STORE_UNAVAILABLE", "READ_STORE_UNAVAILABLE", "READ_MODEL_UNAVAILABLE", "OBJECT_STORE_UNAVAILABLE", "AUTH_UNAVAILABLE"])

/** A TCP proxy to a local port; `close()` stops it and cuts every connection through it. */
const proxyTo = async (target: number) => {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1")
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on("error", () => {})
      s.on("close", () => {
        sockets.delete(s)
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      server.close()
      for (const s of sockets) s.destroy()
    }
  }
}

const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
/** A token that sends the verifier to the JWKS (RS256 with a kid); its signature is never reached. */
const jwksToken = `${b64url({ alg: "RS256", typ: "JWT", kid: "walk-kid" })}.${b64url({ sub: "walker", exp: Math.floor(Date.now() / 1000) + 600 })}.c2ln`

const PARAMS: Record<string, string> = { userId: "alice", id: "walk-1", videoId: "walk-1", path: "master.m3u8", stream: "upload-walk-1", type: "upload", name: "uploads" }

/** A value that fits a JSON Schema (first alternative, required properties only). */
const sampleFor = (doc: Json, schema: Json | undefined): unknown => {
  if (schema === undefined) return {}
  if (typeof schema.$ref === "string") return sampleFor(doc, doc.components.schemas[schema.$ref.replace("#/components/schemas/", "")])
  if ("const" in schema) return schema.const
  if (Array.isArray(schema.enum)) return schema.enum[0]
  const alternatives: Array<Json> | undefined = schema.anyOf ?? schema.oneOf
  if (alternatives) return sampleFor(doc, alternatives.find((a) => a.type !== "null") ?? alternatives[0])
  switch (schema.type) {
    case "object":
      return Object.fromEntries((schema.required ?? []).map((k: string) => [k, sampleFor(doc, schema.properties?.[k])]))
    case "array":
      return []
    case "string":
      return "walk"
    case "integer":
    case "number":
      return schema.minimum ?? 1
    case "boolean":
      return true
    default:
      return null
  }
}

interface Answer {
  readonly label: string
  readonly status: number
  readonly requestId: string
  readonly text: string
  readonly ms: number
}

/** The body as text; a live feed is read for a moment, then dropped; a body that breaks off is what arrived of it. */
const textOf = async (res: Response): Promise<string> => {
  if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) return res.text().catch(() => "")
  const reader = res.body!.getReader()
  let text = ""
  const until = Date.now() + 1_000
  while (Date.now() < until) {
    const next = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(r, until - Date.now()))]).catch(() => undefined)
    if (next === undefined || next.done) break
    text += new TextDecoder().decode(next.value)
  }
  await reader.cancel().catch(() => {})
  return text
}

/** Calls every operation of the document with a valid token, with a JWKS token, plus an upload's create and PATCH. */
const walk = async (t: TestApp): Promise<Array<Answer>> => {
  const doc: Json = await (await t.app.request("/openapi.json")).json()
  const answers: Array<Answer> = []
  const call = async (label: string, path: string, init: RequestInit) => {
    const started = Date.now()
    const res = await t.app.request(path, init)
    answers.push({ label, status: res.status, requestId: res.headers.get("X-Request-Id") ?? "", text: await textOf(res), ms: Date.now() - started })
    return res
  }
  const everyRole = await bearer("walker", ROLES)
  const calls: Array<Promise<unknown>> = []
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      const params: Array<Json> = op.parameters ?? []
      const path = template.replace(/\{([^}]+)\}/g, (_m, name: string) => PARAMS[name] ?? "walk-1")
      const headers: Record<string, string> = Object.fromEntries(
        params.filter((p) => p.in === "header" && p.example !== undefined).map((p) => [p.name, String(p.example)])
      )
      const json = op.requestBody?.content?.["application/json"]
      const body = json ? { body: JSON.stringify(sampleFor(doc, json.schema)) } : {}
      if (json) headers["content-type"] = "application/json"
      const init = (auth: Record<string, string>): RequestInit => ({ method: method.toUpperCase(), headers: { ...headers, ...auth }, ...body })
      // all at once: a driver backing off its reconnects makes each call wait seconds
      calls.push(call(`${method.toUpperCase()} ${template}`, path, init(everyRole)))
      if (op.security?.length) calls.push(call(`${method.toUpperCase()} ${template} (JWKS token)`, path, init({ Authorization: `Bearer ${jwksToken}` })))
    }
  }
  await Promise.all(calls)
  // an upload's bytes: create it, then PATCH (the object store and DATA_DIR/scratch are reached)
  const tus = { ...(await bearer("walker")), "Tus-Resumable": "1.0.0" }
  const created = await call("POST /files (create)", "/files", {
    method: "POST",
    headers: { ...tus, "Upload-Length": "4096", "Upload-Metadata": `filename ${btoa("walk.mp4")}` }
  })
  const location = created.headers.get("Location")
  if (location !== null) {
    await call("PATCH /files/:id (bytes)", new URL(location, "http://localhost").pathname, {
      method: "PATCH",
      headers: { ...tus, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0" },
      body: new Uint8Array(4096)
    })
  }
  return answers
}

/** No answer names a backend; every 503 of a backend is generic, has its request id, and its detail is in the log. */
const expectNoDetail = async (t: TestApp, answers: ReadonlyArray<Answer>, secrets: ReadonlyArray<string>) => {
  await settle(100)
  for (const a of answers) {
    for (const secret of secrets) expect(a.text, `${a.label} (${a.status}) names ${secret}`).not.toContain(secret)
    if (a.status < 500 || !a.text.startsWith("{")) continue
    const body = JSON.parse(a.text)
    if (!INFRASTRUCTURE.has(body.error?.code)) continue
    expect(body.error.message, a.label).toMatch(/^the .+ (is unavailable|cannot be fetched); try again \(request id [^)]+\)$/)
    expect(body.error.message, a.label).toContain(a.requestId)
    if (body.checks) {
      for (const [name, check] of Object.entries<Json>(body.checks)) {
        if (name !== "projections") expect(Object.keys(check).sort(), `${a.label}: checks.${name}`).toEqual(["kind", "ok"])
      }
    }
    const logged = t.logs.filter((l) => l.annotations?.requestId === a.requestId).map((l) => JSON.stringify(l)).join("\n")
    expect(logged, `${a.label}: the detail is logged with the request id`).toMatch(/unavailable|JWKS|could not/i)
  }
}

const codes = (answers: ReadonlyArray<Answer>) =>
  // an NDJSON answer (the audit export, once the catalog worker has seeded the categories) is read by its first line
  new Set(answers.flatMap((a) => (a.text.startsWith("{") ? [JSON.parse(a.text.split("\n")[0]!).error?.code as string | undefined] : [])).filter((c) => c !== undefined))

describe("503 answers carry no backend detail", () => {
  let database: string
  let pg: Awaited<ReturnType<typeof proxyTo>>
  let redis: Awaited<ReturnType<typeof proxyTo>>
  let t: TestApp
  let secrets: Array<string>

  beforeAll(async () => {
    database = `kf_walk_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
    await withAdminSql((sql) => sql.unsafe(`CREATE DATABASE ${database}`))
    pg = await proxyTo(5432)
    redis = await proxyTo(6379)
    t = await makeTestApp({
      EVENTSTORE_URL: `postgres://root@127.0.0.1:${pg.port}/${database}`,
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      READ_STORE_KEY_PREFIX: `${database}:`,
      S3_BUCKET: "walk-bucket",
      S3_ENDPOINT_URL: "http://127.0.0.1:1",
      S3_FORCE_PATH_STYLE: "true",
      S3_ACCESS_KEY_ID: "walk",
      S3_SECRET_ACCESS_KEY: "walk-secret",
      JWKS_URL
    })
    secrets = [t.config.server.dataDir, "127.0.0.1", "postgres://", "redis://", JWKS_URL, `:${pg.port}`, `:${redis.port}`, "walk-secret"]
  })

  afterAll(async () => {
    pg?.close()
    redis?.close()
    await t?.dispose()
    await withAdminSql((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => {})
  })

  it("with Redis, S3 and the JWKS down", async () => {
    redis.close()
    await new Promise((r) => setTimeout(r, 300))
    const answers = await walk(t)
    await expectNoDetail(t, answers, secrets)
    const seen = codes(answers)
    for (const code of ["OBJECT_STORE_UNAVAILABLE", "AUTH_UNAVAILABLE"]) expect(seen, code).toContain(code)
    // queries on a read store that is gone: its projections stop (READ_MODEL_UNAVAILABLE) or its reads fail
    expect(seen.has("READ_MODEL_UNAVAILABLE") || seen.has("READ_STORE_UNAVAILABLE"), [...seen].join(", ")).toBe(true)
  })

  it("with the event store down too", async () => {
    pg.close()
    // past /readyz's one-second cache of the last walk's check
    await new Promise((r) => setTimeout(r, 1_100))
    const answers = await walk(t)
    await expectNoDetail(t, answers, secrets)
    expect(codes(answers)).toContain("EVENT_STORE_UNAVAILABLE")
    // a 503 comes in seconds, not after the driver's reconnect backoff (postgres.js waits up to 20 s a try)
    const slowest = answers.reduce((a, b) => (b.ms > a.ms ? b : a))
    expect(slowest.ms, `${slowest.label} answered after ${slowest.ms} ms`).toBeLessThan(20_000)
  }, 120_000)
})

describe("embedded adapters whose DATA_DIR folders are gone", () => {
  let t: TestApp

  beforeAll(async () => {
    t = await makeTestApp({ JWKS_URL })
  })
  afterAll(() => t?.dispose())

  it("never name DATA_DIR", async () => {
    const dataDir = t.config.server.dataDir
    for (const dir of ["objects", "scratch"]) {
      rmSync(join(dataDir, dir), { recursive: true, force: true })
      writeFileSync(join(dataDir, dir), "not a folder")
    }
    const answers = await walk(t)
    await expectNoDetail(t, answers, [dataDir, "127.0.0.1", JWKS_URL])
    expect(codes(answers)).toContain("AUTH_UNAVAILABLE")
  })
})
