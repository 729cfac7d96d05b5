/** `npm run token` mints tokens the server accepts: always with iat and exp, never longer-lived than JWT_MAX_TTL_SECONDS. */
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"

const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "token.ts")
const dir = mkdtempSync(join(tmpdir(), "keyframe-token-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the script in an empty directory (no .env) with none of the machine's Keyframe settings. */
const token = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const clean: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(JWT_|JWKS_|DATA_DIR)/.test(k)) clean[k] = v
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, "--sub", "alice", ...args], {
      cwd: dir,
      env: { ...clean, DATA_DIR: join(dir, "data"), ...env }
    })
    const claims = JSON.parse(Buffer.from(stdout.trim().split(".")[1]!, "base64url").toString()) as { readonly exp: number; readonly iat: number }
    return { code: 0, claims, stderr: "" }
  } catch (e) {
    return { code: (e as { code: number }).code, claims: undefined, stderr: String((e as { stderr: string }).stderr) }
  }
}

describe("npm run token", () => {
  it("mints iat and exp, by default for 24 h: the default JWT_MAX_TTL_SECONDS", async () => {
    const { claims } = await token([])
    expect(claims!.exp - claims!.iat).toBe(86_400)
    expect(Math.abs(claims!.iat - Date.now() / 1000)).toBeLessThan(30)
  })

  it("takes --ttl, and by default never exceeds a smaller JWT_MAX_TTL_SECONDS", async () => {
    const short = await token(["--ttl", "30m"])
    expect(short.claims!.exp - short.claims!.iat).toBe(1800)
    const capped = await token([], { JWT_MAX_TTL_SECONDS: "600" })
    expect(capped.claims!.exp - capped.claims!.iat).toBe(600)
  })

  it("refuses a --ttl over JWT_MAX_TTL_SECONDS (the server would refuse the token)", async () => {
    const r = await token(["--ttl", "2d"])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--ttl 2d is longer than JWT_MAX_TTL_SECONDS \(86400 s\)/)
    const allowed = await token(["--ttl", "2d"], { JWT_MAX_TTL_SECONDS: "172800" })
    expect(allowed.claims!.exp - allowed.claims!.iat).toBe(172_800)
  })
})
