/** The development secret file (DATA_DIR/jwt-dev-secret): created 0600, and refused when other users may read or change it. */
import { spawnSync } from "node:child_process"
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Cause, ConfigProvider, Effect, Exit } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { loadConfig } from "../../src/config.ts"
import { DEV_SECRET_FILE, loadOrCreateDevSecret } from "../../src/runtime/DevJwtSecret.ts"
import { authFromConfig } from "../../src/runtime/Main.ts"

const root = mkdtempSync(join(tmpdir(), "keyframe-dev-secret-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0
const freshDataDir = () => join(root, `data-${n++}`)

const startAuth = async (dataDir: string) =>
  Effect.runPromiseExit(Effect.flatMap(loadConfig(ConfigProvider.fromUnknown({ DATA_DIR: dataDir })), authFromConfig))

const POSIX = process.platform !== "win32"
const hasStrace = spawnSync("strace", ["-V"]).status === 0
if (!POSIX) console.warn("DevJwtSecret: file modes are POSIX-only, so these tests are skipped on Windows")
else if (!hasStrace) console.warn("DevJwtSecret: strace is not installed, so the fsync trace test is skipped (CI installs it)")

describe.skipIf(!POSIX)("development secret file", () => {
  it("is created owner-only (0600) on first start", async () => {
    const dataDir = freshDataDir()
    expect(Exit.isSuccess(await startAuth(dataDir))).toBe(true)
    expect(statSync(join(dataDir, DEV_SECRET_FILE)).mode & 0o777).toBe(0o600)
  })

  it("is refused when group or others may read or write it, with the command that fixes it", async () => {
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      const dataDir = freshDataDir()
      await Effect.runPromise(loadOrCreateDevSecret(dataDir))
      const path = join(dataDir, DEV_SECRET_FILE)
      chmodSync(path, mode)
      const exit = await startAuth(dataDir)
      expect(Exit.isFailure(exit), mode.toString(8)).toBe(true)
      const text = Exit.isFailure(exit) ? String((Cause.squash(exit.cause) as Error).message) : ""
      expect(text).toMatch(/open to other users/)
      expect(text).toContain(`chmod 600 ${path}`)
      expect(text).toContain(`0${mode.toString(8)}`)
      chmodSync(path, 0o600)
      expect(Exit.isSuccess(await startAuth(dataDir))).toBe(true)
    }
  })

  it("accepts an owner-only file it did not create (0400 too)", async () => {
    const dataDir = freshDataDir()
    await Effect.runPromise(loadOrCreateDevSecret(dataDir))
    const path = join(dataDir, DEV_SECRET_FILE)
    writeFileSync(path, `${"s".repeat(40)}\n`)
    chmodSync(path, 0o400)
    const got = await Effect.runPromise(loadOrCreateDevSecret(dataDir))
    expect(got).toMatchObject({ secret: "s".repeat(40), created: false })
  })

  it.skipIf(!hasStrace)("fsyncs the new file and its directory before using it (strace; skipped when strace is not installed)", () => {
    const dataDir = freshDataDir()
    const log = join(root, `strace-${n++}.log`)
    const module = fileURLToPath(new URL("../../src/runtime/DevJwtSecret.ts", import.meta.url))
    const script = `const { Effect } = await import("effect"); const m = await import(${JSON.stringify(module)}); ` +
      `await Effect.runPromise(m.loadOrCreateDevSecret(${JSON.stringify(dataDir)}))`
    const child = spawnSync("strace", [
      "-f", "-qq", "--seccomp-bpf", "-y", "-e", "trace=fsync,fdatasync", "-e", "signal=none", "-o", log,
      process.execPath, "--input-type=module", "-e", script
    ], { encoding: "utf8", timeout: 60_000, cwd: fileURLToPath(new URL("../..", import.meta.url)) })
    expect(child.status, child.stderr).toBe(0)
    const synced = readFileSync(log, "utf8").split("\n").filter((l) => /\b(fsync|fdatasync)\(/.test(l) && / = 0$/.test(l))
    expect(synced.some((l) => l.includes(`<${join(dataDir, DEV_SECRET_FILE)}>`)), "the secret file").toBe(true)
    expect(synced.some((l) => l.includes(`<${dataDir}>`)), "its directory").toBe(true)
  }, 60_000)
})
