/**
 * Test support: the sources compiled for the machine's Node 20 (the only Node the uWebSockets.js build
 * loads on here, DESIGN.md §2; Node 20 cannot strip types). tsc's `rewriteRelativeImportExtensions`
 * makes the .ts imports .js; the build links this project's node_modules.
 */
import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ROOT } from "./RoomServerProcess.ts"

export const NODE20 = "/usr/bin/node"

/** The version of /usr/bin/node ("" when there is none). */
export const node20Version = () => existsSync(NODE20) ? execFileSync(NODE20, ["--version"], { encoding: "utf8" }).trim() : ""

/** Compiles the project into a temp dir; `entry` is the Node 20 command for src/runtime/node.ts, `remove` deletes the build. */
export const buildForNode20 = () => {
  const build = mkdtempSync(join(tmpdir(), "keyframe-node20-"))
  execFileSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", ROOT, "--noEmit", "false", "--outDir", build], { stdio: "inherit" })
  symlinkSync(join(ROOT, "node_modules"), join(build, "node_modules"))
  copyFileSync(join(ROOT, "package.json"), join(build, "package.json"))
  return {
    command: [NODE20, join(build, "src", "runtime", "node.js")],
    // rm does not follow the node_modules link: only the build goes
    remove: () => rmSync(build, { recursive: true, force: true })
  }
}
