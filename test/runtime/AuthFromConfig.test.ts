/** Token settings at start-up: a JWT_SECRET under 32 bytes stops the start; JWT_MAX_TTL_SECONDS and JWT_LEEWAY_SECONDS reach the verifier. */
import { getConnInfo } from "@hono/node-server/conninfo"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigProvider, Effect, Exit, Logger } from "effect"
import { sign } from "hono/jwt"
import { afterAll, describe, expect, it } from "vitest"
import { loadConfig } from "../../src/config.ts"
import { verifyBearerToken } from "../../src/http/auth/Auth.ts"
import { HttpError } from "../../src/http/HttpError.ts"
import { authFromConfig, mainProgram, ServerStartFailed } from "../../src/runtime/Main.ts"

const dataDir = mkdtempSync(join(tmpdir(), "keyframe-auth-config-"))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const GOOD_SECRET = "a-secret-of-exactly-thirty-two-b"
const configOf = (env: Record<string, string>) => loadConfig(ConfigProvider.fromUnknown({ DATA_DIR: dataDir, ...env }))
const now = () => Math.floor(Date.now() / 1000)

describe("JWT_SECRET shorter than 32 bytes", () => {
  it("is refused by the configuration, with a message naming JWT_SECRET and not the secret", async () => {
    for (const short of ["changeme", "x".repeat(31), `${"é".repeat(15)}a`]) {
      const exit = await Effect.runPromiseExit(configOf({ JWT_SECRET: short }))
      expect(Exit.isFailure(exit), short).toBe(true)
      const message = JSON.stringify(exit)
      expect(message).toMatch(/JWT_SECRET: expected at least 32 bytes/)
      expect(message).not.toContain(short)
    }
    expect(GOOD_SECRET).toHaveLength(32)
    for (const ok of [GOOD_SECRET, "é".repeat(16)]) expect(Exit.isSuccess(await Effect.runPromiseExit(configOf({ JWT_SECRET: ok })))).toBe(true)
  })

  it("stops the start before any adapter is built, logged as one line", async () => {
    const lines: Array<string> = []
    const capture = Logger.layer([Logger.make((o) => lines.push(String(o.message)))])
    const runtime = { name: "test", connInfo: getConnInfo, serve: () => Effect.fail(new ServerStartFailed({ reason: "must not be reached" })) }
    const exit = await Effect.runPromiseExit(
      mainProgram(runtime).pipe(
        Effect.provide(capture),
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown({ DATA_DIR: dataDir, JWT_SECRET: "too-short" }))
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(JSON.stringify(exit)).toContain("InvalidConfig")
    expect(lines.join("\n")).toMatch(/Keyframe cannot start: JWT_SECRET: expected at least 32 bytes/)
  })
})

describe("authFromConfig", () => {
  it("applies JWT_MAX_TTL_SECONDS and JWT_LEEWAY_SECONDS", async () => {
    const config = await Effect.runPromise(configOf({ JWT_SECRET: GOOD_SECRET, JWT_MAX_TTL_SECONDS: "600", JWT_LEEWAY_SECONDS: "0" }))
    const auth = await Effect.runPromise(authFromConfig(config))
    const check = async (claims: Record<string, unknown>) => {
      const r = await verifyBearerToken(auth, await sign({ sub: "alice", ...claims }, GOOD_SECRET, "HS256"))
      return r instanceof HttpError ? r.code : "OK"
    }
    expect(await check({ iat: now(), exp: now() + 600 })).toBe("OK")
    expect(await check({ iat: now(), exp: now() + 601 })).toBe("TOKEN_LIFETIME_TOO_LONG")
    expect(await check({ exp: now() - 1 })).toBe("UNAUTHORIZED") // no leeway
    expect(await check({ exp: now() + 60, iat: now() + 5 })).toBe("UNAUTHORIZED")
  })
})
