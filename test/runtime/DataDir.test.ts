/** DATA_DIR and its folders are created owner-only (0700) before any adapter opens them; looser existing folders are reported, not changed. */
import { getConnInfo } from "@hono/node-server/conninfo"
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Cause, ConfigProvider, Effect, Exit, Layer, Logger } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { loadConfig } from "../../src/config.ts"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { prepareDataDir } from "../../src/runtime/DataDir.ts"
import { mainProgram, ServerStartFailed } from "../../src/runtime/Main.ts"

const root = mkdtempSync(join(tmpdir(), "keyframe-datadir-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0
/** A DATA_DIR that does not exist yet, two levels below the temp folder. */
const freshDataDir = () => join(root, `case-${n++}`, "data")
const modeOf = (path: string) => statSync(path).mode & 0o777

const withLogs = async <A, E>(effect: Effect.Effect<A, E>) => {
  const lines: Array<string> = []
  const exit = await Effect.runPromiseExit(effect.pipe(Effect.provide(Logger.layer([Logger.make((o) => lines.push(String(o.message)))]))))
  return { exit, lines }
}
const configOf = (env: Record<string, string>) => Effect.runPromise(loadConfig(ConfigProvider.fromUnknown(env)))

if (process.platform === "win32") console.warn("DataDir: folder modes are POSIX-only, so these tests are skipped on Windows")

describe.skipIf(process.platform === "win32")("DATA_DIR permissions", () => {
  it("creates DATA_DIR, eventstore/, objects/ and scratch/ 0700 for the embedded adapters", async () => {
    const dataDir = freshDataDir()
    const { exit, lines } = await withLogs(prepareDataDir(await configOf({ DATA_DIR: dataDir })))
    expect(Exit.isSuccess(exit)).toBe(true)
    for (const dir of [dataDir, join(dataDir, "eventstore"), join(dataDir, "objects"), join(dataDir, "scratch")]) {
      expect(modeOf(dir), dir).toBe(0o700)
    }
    expect(lines).toEqual([])
  })

  it("creates only DATA_DIR when the event store and object store are servers and no workers run here", async () => {
    const dataDir = freshDataDir()
    await withLogs(prepareDataDir(await configOf({
      DATA_DIR: dataDir,
      EVENTSTORE_URL: "postgres://root@127.0.0.1:5432/test",
      S3_BUCKET: "media",
      RUN_WORKERS: "false"
    })))
    expect(modeOf(dataDir)).toBe(0o700)
    expect(existsSync(join(dataDir, "eventstore")) || existsSync(join(dataDir, "objects"))).toBe(false)
  })

  it("warns about an existing folder other users can enter, with the fix, and leaves its mode alone", async () => {
    const dataDir = freshDataDir()
    mkdirSync(join(dataDir, "objects"), { recursive: true })
    chmodSync(dataDir, 0o755)
    chmodSync(join(dataDir, "objects"), 0o750)
    const { exit, lines } = await withLogs(prepareDataDir(await configOf({ DATA_DIR: dataDir })))
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(modeOf(dataDir)).toBe(0o755)
    expect(modeOf(join(dataDir, "objects"))).toBe(0o750)
    expect(modeOf(join(dataDir, "eventstore"))).toBe(0o700)
    expect(lines.join("\n")).toContain(`${dataDir} is open to other users (mode 0755): \`chmod 700 ${dataDir}\``)
    expect(lines.join("\n")).toContain(`chmod 700 ${join(dataDir, "objects")}`)
    expect(lines).toHaveLength(2)
  })

  it("fails with a message naming DATA_DIR when a folder cannot be made", async () => {
    const parent = join(root, `case-${n++}`)
    writeFileSync(parent, "a file, not a folder")
    const { exit } = await withLogs(prepareDataDir(await configOf({ DATA_DIR: join(parent, "data") })))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? (Cause.squash(exit.cause) as Error) : undefined
    expect(error?.message).toMatch(new RegExp(`^DATA_DIR: cannot create ${join(parent, "data")}: .*ENOTDIR`))
  })

  it("the fs object store creates its own root 0700", async () => {
    const objects = join(freshDataDir(), "objects")
    await Effect.runPromise(Effect.scoped(Layer.build(FsObjectStore.layer({ root: objects }))))
    expect(modeOf(objects)).toBe(0o700)
  })

  it("the start creates them before the adapters are built", async () => {
    const dataDir = freshDataDir()
    const runtime = { name: "test", connInfo: getConnInfo, serve: () => Effect.fail(new ServerStartFailed({ reason: "not needed" })) }
    const env = { DATA_DIR: dataDir, EVENTSTORE_URL: "postgres://root@127.0.0.1:1/nothing-listens-here" }
    const { exit } = await withLogs(mainProgram(runtime).pipe(Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown(env))))
    expect(Exit.isFailure(exit)).toBe(true) // the event store cannot be reached: the folders were made before
    expect(modeOf(dataDir)).toBe(0o700)
    expect(modeOf(join(dataDir, "objects"))).toBe(0o700)
    // the workers' scratch folder: the workers are built after the event store, so only the DATA_DIR step made it
    expect(modeOf(join(dataDir, "scratch"))).toBe(0o700)
  })
})
