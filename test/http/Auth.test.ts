/** Bearer JWT auth: HS256, RS256 against a JWKS served by a local HTTP server, roles, and the token check for WebSocket upgrades. */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { Hono } from "hono"
import { sign } from "hono/jwt"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeApp } from "../../src/http/App.ts"
import { actorFromToken, type AuthOptions, jwksVerifier, jwtVerifier, requireAuth, verifyBearerToken } from "../../src/http/auth/Auth.ts"
import { HttpError } from "../../src/http/HttpError.ts"
import type { AppEnv } from "../../src/http/AppEnv.ts"

const SECRET = "hs256-secret-for-the-auth-test-0123456789"
const now = () => Math.floor(Date.now() / 1000)

let jwksServer: Server
let jwksUrl: string
let jwksHits = 0
let jwksUp = true
let rsaKey: CryptoKeyPair
let otherKey: CryptoKeyPair

const rsaToken = async (claims: Record<string, unknown>, key = rsaKey, kid = "k1") => {
  const jwk = { ...(await crypto.subtle.exportKey("jwk", key.privateKey)), kid, alg: "RS256" }
  return sign({ exp: now() + 600, ...claims }, jwk as never, "RS256")
}

const gen = () =>
  crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"]
  ) as Promise<CryptoKeyPair>

beforeAll(async () => {
  rsaKey = await gen()
  otherKey = await gen()
  const publicJwk = { ...(await crypto.subtle.exportKey("jwk", rsaKey.publicKey)), kid: "k1", alg: "RS256", use: "sig" }
  jwksServer = createServer((req, res) => {
    jwksHits++
    if (!jwksUp || req.url !== "/.well-known/jwks.json") {
      res.writeHead(jwksUp ? 404 : 503).end()
      return
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [publicJwk] }))
  })
  await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r))
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`
})
afterAll(() => new Promise((r) => jwksServer?.close(r)))

/** The composed app (its admin routes use requireAuth) plus a probe route that echoes the actor. */
const appWith = (auth: AuthOptions) => {
  const runtime = ManagedRuntime.make(Layer.empty)
  const app = makeApp({ runtime: runtime as never, auth })
  const probe = new Hono<AppEnv>()
    .get("/any", requireAuth(auth), (c) => c.json(c.get("actor")))
    .get("/auditors", requireAuth(auth, { roles: ["auditor", "admin"] }), (c) => c.json(c.get("actor")))
  app.route("/probe", probe)
  return app
}

const call = (app: Hono<any>, path: string, token?: string) =>
  app.request(path, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } })

describe("HS256 (JWT_SECRET)", () => {
  const app = appWith({ verifyToken: jwtVerifier({ secret: SECRET }) })

  it("accepts a valid token and sets the actor from sub and roles", async () => {
    const res = await call(app, "/probe/any", await sign({ sub: "alice", roles: ["user", "sponsor"], exp: now() + 60 }, SECRET, "HS256"))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ userId: "alice", roles: ["user", "sponsor"] })
  })

  it("answers 401 JSON errors for a missing, malformed, expired, forged or unsigned token", async () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /bearer token is required/],
      ["not-a-jwt", /not a compact JWT/],
      [await sign({ sub: "alice", exp: now() - 120 }, SECRET, "HS256"), /expired/], // past the default 60 s leeway
      [await sign({ sub: "alice", exp: now() + 60 }, "another-secret-entirely-0123456789", "HS256"), /signature/],
      [await sign({ sub: "bad id!", exp: now() + 60 }, SECRET, "HS256"), /sub is not a valid user id/],
      [await sign({ sub: "alice", roles: ["root"], exp: now() + 60 }, SECRET, "HS256"), /roles must be among/],
      [await rsaToken({ sub: "alice" }), /RS256 are not accepted/]
    ]
    for (const [token, message] of cases) {
      const res = await call(app, "/probe/any", token)
      expect(res.status, String(token)).toBe(401)
      expect(res.headers.get("WWW-Authenticate")).toContain("Bearer")
      const body = await res.json()
      expect(body.error.code).toBe("UNAUTHORIZED")
      expect(body.error.message).toMatch(message)
      if (token) expect(body.error.message).not.toContain(token)
    }
  })

  it("answers 403 when the token has none of the route's roles", async () => {
    const user = await sign({ sub: "bob", roles: ["user", "sponsor"], exp: now() + 60 }, SECRET, "HS256")
    const res = await call(app, "/probe/auditors", user)
    expect(res.status).toBe(403)
    expect((await res.json()).error).toEqual({ code: "FORBIDDEN", message: "this needs one of the roles auditor, admin" })
    expect((await call(app, "/probe/auditors", await sign({ sub: "eve", roles: ["auditor"], exp: now() + 60 }, SECRET, "HS256"))).status).toBe(200)
  })
})

describe("RS256 (JWKS_URL)", () => {
  it("verifies tokens against the keys of a JWKS endpoint, fetched once and cached", async () => {
    const app = appWith({ verifyToken: jwtVerifier({ jwksUrl }) })
    const before = jwksHits
    for (const sub of ["ann", "ben", "cat"]) {
      const res = await call(app, "/probe/any", await rsaToken({ sub, roles: ["admin"] }))
      expect(res.status).toBe(200)
      expect((await res.json()).userId).toBe(sub)
    }
    expect(jwksHits - before).toBe(1)
  })

  it("refuses a token signed by another key, an unknown kid, and HS256 when no secret is set", async () => {
    const app = appWith({ verifyToken: jwtVerifier({ jwksUrl }) })
    expect((await call(app, "/probe/any", await rsaToken({ sub: "ann" }, otherKey))).status).toBe(401)
    expect((await call(app, "/probe/any", await rsaToken({ sub: "ann" }, rsaKey, "k-unknown"))).status).toBe(401)
    const hs = await call(app, "/probe/any", await sign({ sub: "ann", exp: now() + 60 }, SECRET, "HS256"))
    expect(hs.status).toBe(401)
    expect((await hs.json()).error.message).toMatch(/HS256 are not accepted/)
  })

  it("checks issuer and audience when configured", async () => {
    const app = appWith({ verifyToken: jwtVerifier({ jwksUrl, issuer: "https://id.example", audience: "keyframe" }) })
    const good = await rsaToken({ sub: "ann", iss: "https://id.example", aud: ["keyframe", "other"] })
    expect((await call(app, "/probe/any", good)).status).toBe(200)
    const wrongIss = await call(app, "/probe/any", await rsaToken({ sub: "ann", iss: "https://evil.example", aud: "keyframe" }))
    expect((await wrongIss.json()).error.message).toMatch(/issuer/)
    const wrongAud = await call(app, "/probe/any", await rsaToken({ sub: "ann", iss: "https://id.example", aud: "else" }))
    expect((await wrongAud.json()).error.message).toMatch(/audience/)
  })

  it("answers 503 AUTH_UNAVAILABLE (not 401) when the JWKS cannot be fetched", async () => {
    jwksUp = false
    try {
      const app = appWith({ verifyToken: jwtVerifier({ jwksUrl }) }) // a fresh verifier: nothing cached
      const res = await call(app, "/probe/any", await rsaToken({ sub: "ann" }))
      expect(res.status).toBe(503)
      expect((await res.json()).error.code).toBe("AUTH_UNAVAILABLE")
      expect(res.headers.get("Retry-After")).toBeTruthy()
    } finally {
      jwksUp = true
    }
  })

  it("keeps using the keys it has while the JWKS endpoint is down, without asking it on every request", async () => {
    const app = appWith({ verifyToken: jwksVerifier({ url: jwksUrl, cacheMs: 0, minRefetchMs: 60_000 }) }) // always stale
    expect((await call(app, "/probe/any", await rsaToken({ sub: "ann" }))).status).toBe(200)
    jwksUp = false
    try {
      const before = jwksHits
      for (let i = 0; i < 3; i++) expect((await call(app, "/probe/any", await rsaToken({ sub: "ann" }))).status).toBe(200)
      expect(jwksHits - before).toBe(1)
    } finally {
      jwksUp = true
    }
  })

  it("accepts both kinds when JWT_SECRET and JWKS_URL are both set", async () => {
    const app = appWith({ verifyToken: jwtVerifier({ secret: SECRET, jwksUrl }) })
    expect((await call(app, "/probe/any", await rsaToken({ sub: "ann" }))).status).toBe(200)
    expect((await call(app, "/probe/any", await sign({ sub: "ann", exp: now() + 60 }, SECRET, "HS256"))).status).toBe(200)
  })
})

describe("token check for the WebSocket upgrade", () => {
  let auth: AuthOptions
  beforeAll(() => {
    auth = { verifyToken: jwtVerifier({ secret: SECRET, jwksUrl }) } // jwksUrl is known once the server listens
  })

  it("verifyBearerToken gives the Principal, or a 401 HttpError", async () => {
    expect(await verifyBearerToken(auth, await sign({ sub: "zoe", roles: "user,admin", exp: now() + 60 }, SECRET, "HS256")))
      .toEqual({ userId: "zoe", roles: ["user", "admin"] })
    const bad = await verifyBearerToken(auth, "x.y.z")
    expect(bad).toBeInstanceOf(HttpError)
    expect((bad as HttpError).status).toBe(401)
  })

  it("actorFromToken is the same as an Effect", async () => {
    const ok = await Effect.runPromise(actorFromToken(auth, await rsaToken({ sub: "zoe", roles: ["auditor"] })))
    expect(ok).toEqual({ userId: "zoe", roles: ["auditor"] })
    const exit = await Effect.runPromiseExit(actorFromToken(auth, await sign({ sub: "zoe", exp: now() - 120 }, SECRET, "HS256")))
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toMatch(/UNAUTHORIZED/)
  })
})

/** A compact JWT with any header, HS256-signed with `secret` (hono's sign fixes the header). */
const handMade = async (header: Record<string, unknown>, claims: Record<string, unknown>, secret = SECRET) => {
  const part = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
  const input = `${part(header)}.${part(claims)}`
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input)))
  return `${input}.${btoa(String.fromCharCode(...sig)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`
}

describe("token lifetime and clock leeway (JWT_MAX_TTL_SECONDS, JWT_LEEWAY_SECONDS)", () => {
  const app = appWith({ verifyToken: jwtVerifier({ secret: SECRET, maxTtlSeconds: 3600, leewaySeconds: 60 }) })
  const hs = (claims: Record<string, unknown>) => sign({ sub: "alice", ...claims }, SECRET, "HS256")
  const errorOf = async (token: string) => {
    const res = await call(app, "/probe/any", token)
    return { status: res.status, ...(res.status === 200 ? {} : (await res.json()).error) }
  }

  it("refuses a token without exp", async () => {
    const e = await errorOf(await hs({ iat: now() }))
    expect(e.status).toBe(401)
    expect(e.code).toBe("UNAUTHORIZED")
    expect(e.message).toMatch(/no exp claim/)
  })

  it("refuses a lifetime over the maximum: exp - iat, or exp - now without iat", async () => {
    for (const claims of [{ iat: now(), exp: now() + 3601 }, { iat: now() - 3000, exp: now() + 1000 }, { exp: now() + 3600 + 61 }]) {
      const e = await errorOf(await hs(claims))
      expect(e.status, JSON.stringify(claims)).toBe(401)
      expect(e.code).toBe("TOKEN_LIFETIME_TOO_LONG")
      expect(e.message).toMatch(/at most 3600 s/)
    }
    expect((await errorOf(await hs({ iat: now(), exp: now() + 3600 }))).status).toBe(200)
    expect((await errorOf(await hs({ exp: now() + 3600 }))).status).toBe(200)
  })

  it("allows the leeway on exp, nbf and iat, and no more", async () => {
    expect((await errorOf(await hs({ exp: now() - 30 }))).status).toBe(200)
    expect((await errorOf(await hs({ exp: now() + 600, nbf: now() + 30 }))).status).toBe(200)
    expect((await errorOf(await hs({ exp: now() + 600, iat: now() + 30 }))).status).toBe(200)
    const expired = await errorOf(await hs({ exp: now() - 90 }))
    expect([expired.status, expired.code]).toEqual([401, "UNAUTHORIZED"])
    expect(expired.message).toMatch(/expired/)
    expect((await errorOf(await hs({ exp: now() + 600, nbf: now() + 120 }))).message).toMatch(/not valid yet/)
    const future = await errorOf(await hs({ exp: now() + 600, iat: now() + 120 }))
    expect(future.status).toBe(401)
    expect(future.message).toMatch(/issued in the future/)
  })

  it("applies the same rules to JWKS tokens", async () => {
    const jwks = appWith({ verifyToken: jwtVerifier({ jwksUrl, maxTtlSeconds: 600 }) })
    const long = await call(jwks, "/probe/any", await rsaToken({ sub: "ann", iat: now(), exp: now() + 601 }))
    expect((await long.json()).error.code).toBe("TOKEN_LIFETIME_TOO_LONG")
    const noExp = await call(jwks, "/probe/any", await rsaToken({ sub: "ann", exp: undefined }))
    expect((await noExp.json()).error.message).toMatch(/no exp claim/)
  })

  it("never repeats the token's header values (alg, kid, typ) in its answer", async () => {
    const injected = "INJECTED\r\nX-Evil: 1 <script>"
    const jwks = appWith({ verifyToken: jwtVerifier({ secret: SECRET, jwksUrl }) })
    const headers = [
      { alg: injected, typ: "JWT" },
      { alg: `HS${injected}`, typ: "JWT" },
      { alg: "RS256", typ: "JWT", kid: injected },
      { alg: "HS256", typ: injected },
      { alg: 42, typ: "JWT" }
    ]
    for (const header of headers) {
      for (const target of [app, jwks]) {
        const res = await call(target, "/probe/any", await handMade(header, { sub: "alice", exp: now() + 60 }))
        expect(res.status, JSON.stringify(header)).toBe(401)
        const text = await res.text()
        expect(text, JSON.stringify(header)).not.toContain("INJECTED")
        expect(JSON.parse(text).error.code).toBe("UNAUTHORIZED")
      }
    }
  })
})
