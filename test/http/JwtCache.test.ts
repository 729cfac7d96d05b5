/** Verified tokens are remembered for their lifetime: one signature check per token, the time claims checked on every use. */
import { sign } from "hono/jwt"
import { describe, expect, it } from "vitest"
import { cachedVerifier, hs256Verifier, jwtVerifier } from "../../src/auth/JwtVerifier.ts"

const SECRET = "jwt-cache-test-secret-0123456789"
const now = () => Math.floor(Date.now() / 1000)

describe("cachedVerifier", () => {
  it("checks a token's signature once, then answers from memory; a different token is verified", async () => {
    let calls = 0
    const inner = hs256Verifier(SECRET)
    const verify = cachedVerifier(async (t) => (calls++, inner(t)), {})
    const token = await sign({ sub: "alice", exp: now() + 600 }, SECRET, "HS256")
    for (let i = 0; i < 5; i++) expect((await verify(token)).sub).toBe("alice")
    expect(calls).toBe(1)
    const other = await sign({ sub: "bob", exp: now() + 600 }, SECRET, "HS256")
    expect((await verify(other)).sub).toBe("bob")
    expect(calls).toBe(2)
  })

  it("does not cache failures, and refuses a cached token once it has expired", async () => {
    let calls = 0
    const verify = cachedVerifier(async (t) => {
      calls++
      if (t === "bad") throw new Error("bad signature")
      return { sub: "carol", exp: now() + 2 }
    }, { leewaySeconds: 0 })
    await expect(verify("bad")).rejects.toThrow("bad signature")
    await expect(verify("bad")).rejects.toThrow("bad signature")
    expect(calls).toBe(2)
    expect((await verify("good")).sub).toBe("carol")
    await new Promise((r) => setTimeout(r, 2_100)) // the cached claims' exp passes
    await expect(verify("good")).rejects.toThrow(/expired/)
  })

  it("jwtVerifier caches: a tampered copy of a cached token is still refused", async () => {
    const verify = jwtVerifier({ secret: SECRET })
    const token = await sign({ sub: "dave", exp: now() + 600 }, SECRET, "HS256")
    expect((await verify(token)).sub).toBe("dave")
    const tampered = token.slice(0, -2) + (token.endsWith("AA") ? "BB" : "AA")
    await expect(verify(tampered)).rejects.toThrow()
  })
})
