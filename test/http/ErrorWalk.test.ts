/**
 * Walks every operation of /openapi.json on the composed app with bad input — no token, a bad
 * token, the wrong role, malformed JSON, wrong types, another content type, malformed and unknown
 * ids — and checks that every answer is the JSON error model with a fitting status.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ROLES } from "../../src/http/auth/Auth.ts"
import { bearer, makeTestApp, type TestApp } from "./TestApp.ts"

type Json = Record<string, any>

/** DESIGN.md §7's statuses, plus what tus 1.0 prescribes (405, 410 gone/expired, 412 unsupported version). */
const ERROR_STATUSES = new Set([400, 401, 403, 404, 405, 409, 410, 412, 413, 415, 422, 429, 460, 503])

let t: TestApp
let doc: Json
beforeAll(async () => {
  t = await makeTestApp({ RATE_LIMIT_PER_IP: "0", RATE_LIMIT_PER_USER: "0" })
  doc = await (await t.app.request("/openapi.json")).json()
})
afterAll(() => t?.dispose())

interface Case {
  readonly what: string
  readonly path?: string
  readonly headers?: Record<string, string>
  readonly body?: string
  /** Acceptable statuses; a 2xx is accepted only when listed. */
  readonly expect: ReadonlyArray<number>
  readonly code?: string
  readonly errorPath?: RegExp
}

const expectErrorModel = async (label: string, method: string, res: Response, c: Case) => {
  expect(c.expect, `${label}: status ${res.status}`).toContain(res.status)
  if (res.status < 400) return
  expect(ERROR_STATUSES, `${label}: status ${res.status} fits the error model`).toContain(res.status)
  expect(res.headers.get("X-Request-Id"), label).toBeTruthy()
  if (method === "head") return // no body on HEAD
  expect(res.headers.get("content-type"), label).toMatch(/^application\/json/)
  const text = await res.text()
  const body = JSON.parse(text)
  expect(Object.keys(body), label).toContain("error")
  expect(body.error.code, label).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/)
  expect(typeof body.error.message, label).toBe("string")
  expect(body.error.message.length, label).toBeGreaterThan(0)
  expect(text, `${label}: no stack trace`).not.toMatch(/\.ts:\d+|\n\s+at /)
  if (c.code) expect(body.error.code, label).toBe(c.code)
  if (c.errorPath) expect(body.error.path, label).toMatch(c.errorPath)
}

const resolve = (schema: Json | undefined): Json | undefined => {
  const ref = schema?.$ref as string | undefined
  return ref ? resolve(doc.components.schemas[ref.replace("#/components/schemas/", "")]) : schema
}

/** A value of the wrong JSON type for a property schema (undefined when it accepts anything). */
const wrongFor = (schema: Json): unknown => {
  const text = JSON.stringify(resolve(schema) ?? {})
  if (!/"type":"object"/.test(text)) return { wrong: true }
  if (!/"type":"array"/.test(text)) return [["wrong"]]
  return undefined
}

const cases = async (op: Json, method: string, template: string): Promise<Array<Case>> => {
  const params: Array<Json> = op.parameters ?? []
  const fill = (value: string) =>
    template.replace(/\{([^}]+)\}/g, (_m, name: string) => (params.some((p) => p.in === "path" && p.name === name) ? value : "x"))
  const good = fill("walk-unknown-id")
  const headers: Record<string, string> = Object.fromEntries(
    params.filter((p) => p.in === "header" && p.example !== undefined).map((p) => [p.name, String(p.example)])
  )
  const roles: Array<string> = op["x-roles"] ?? []
  const allowed = op.security?.length ? await bearer("walker", roles.length > 0 ? roles : ["user"]) : {}
  const out: Array<Case> = []
  if (op.security?.length) {
    out.push({ what: "no token", path: good, headers, expect: [401], code: "UNAUTHORIZED" })
    out.push({ what: "forged token", path: good, headers: { ...headers, Authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl" }, expect: [401] })
    const other = ROLES.filter((r) => !roles.includes(r))
    if (roles.length > 0 && other.length > 0) {
      out.push({ what: `role ${other.join(",")}`, path: good, headers: { ...headers, ...(await bearer("walker", other)) }, expect: [403], code: "FORBIDDEN" })
    }
  }
  const json = op.requestBody?.content?.["application/json"]
  if (json) {
    const h = { ...headers, ...allowed, "content-type": "application/json" }
    out.push({ what: "malformed JSON", path: good, headers: h, body: "{not json", expect: [400], code: "INVALID_JSON" })
    out.push({ what: "body of the wrong type", path: good, headers: h, body: "[1,2]", expect: [422], code: "VALIDATION_FAILED", errorPath: /^body/ })
    const props: Json = resolve(json.schema)?.properties ?? {}
    const wrong = Object.fromEntries(Object.entries(props).flatMap(([k, s]) => (wrongFor(s) === undefined ? [] : [[k, wrongFor(s)]])))
    if (Object.keys(wrong).length > 0) {
      out.push({ what: "fields of the wrong types", path: good, headers: h, body: JSON.stringify(wrong), expect: [422], code: "VALIDATION_FAILED", errorPath: /^body\./ })
    }
    out.push({ what: "text/plain body", path: good, headers: { ...h, "content-type": "text/plain" }, body: "{}", expect: [415] })
  }
  for (const q of params.filter((p) => p.in === "query" && /"type":"(integer|number|boolean)"/.test(JSON.stringify(p.schema)))) {
    out.push({ what: `query ${q.name} of the wrong type`, path: `${good}?${q.name}=not-a-number`, headers: { ...headers, ...allowed }, expect: [422], errorPath: new RegExp(`^query\\.${q.name}`) })
  }
  if (params.some((p) => p.in === "path") && method !== "options") { // tus OPTIONS is discovery: any id is fine
    // otherwise well-formed: the declared body type (tus PATCH: application/offset+octet-stream), with a JSON body if JSON
    const type = Object.keys(op.requestBody?.content ?? {})[0]
    const h = { ...headers, ...allowed, ...(type ? { "content-type": type } : {}) }
    const body = type === "application/json" ? { body: "{}" } : {}
    // a malformed id: refused by the schema (422) or simply not found (404), or the request's other parts
    // (a protocol header, 412/415) are refused first — a client error in the JSON model, never a 5xx
    // a credential in the path (/play/{token}/…) that is not one of ours is refused as a credential: 403
    const refused = [400, 404, 409, 412, 415, 422, ...(params.some((p) => p.in === "path" && p.name === "token") ? [403] : [])]
    out.push({ what: "malformed id", path: fill("bad%20id%21"), headers: h, ...body, expect: refused })
    if (["get", "head", "delete", "patch"].includes(method)) {
      out.push({ what: "unknown id", path: good, headers: h, ...body, expect: [200, 204, ...refused] })
    }
  }
  return out
}

describe("every route answers bad input with the JSON error model", () => {
  it("the document lists operations to walk (admin, uploads, ops)", () => {
    const paths = Object.keys(doc.paths)
    expect(paths).toEqual(expect.arrayContaining(["/admin/users/{userId}/quota-limit", "/healthz", "/openapi.json"]))
  })

  it("walks them all", async () => {
    let checked = 0
    for (const [template, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        for (const c of await cases(op, method, template)) {
          const res = await t.app.request(c.path ?? template, {
            method: method.toUpperCase(),
            headers: c.headers ?? {},
            ...(c.body !== undefined ? { body: c.body } : {})
          })
          await expectErrorModel(`${method.toUpperCase()} ${template} (${c.what})`, method, res, c)
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(20)
  })

  it("unknown routes and methods are 404 JSON errors", async () => {
    for (const [method, path] of [["GET", "/nope"], ["POST", "/healthz"], ["DELETE", "/nothing/here"], ["PATCH", "/openapi.json"]] as const) {
      const res = await t.app.request(path, { method })
      await expectErrorModel(`${method} ${path}`, method.toLowerCase(), res, { what: "unknown", expect: [404], code: "NOT_FOUND" })
    }
  })
})
