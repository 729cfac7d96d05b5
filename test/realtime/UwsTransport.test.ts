/**
 * The room protocol suite against the uWebSockets.js transport. Its only build that loads here is for
 * Node 20 (DESIGN.md §2), and Node 20 cannot strip TypeScript types, so the sources are compiled with
 * tsc (`rewriteRelativeImportExtensions` makes the .ts imports .js) into a temp dir that links this
 * project's node_modules, and `src/runtime/node.js` is started with the machine's /usr/bin/node.
 * Without a Node 20 at /usr/bin/node the suite is skipped, and says so.
 */
import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, it } from "vitest"
import { roomProtocolSuite } from "./RoomProtocolSuite.ts"
import { ROOT } from "./RoomServerProcess.ts"

const NODE20 = "/usr/bin/node"
const version = existsSync(NODE20) ? execFileSync(NODE20, ["--version"], { encoding: "utf8" }).trim() : ""

if (!version.startsWith("v20.")) {
  describe("rooms over uWebSockets.js (Node 20)", () => {
    it.skip(`skipped: no Node 20 at ${NODE20} (found ${version || "none"}), the only Node the uWS build loads on here`, () => {})
  })
} else {
  const build = mkdtempSync(join(tmpdir(), "keyframe-node20-"))
  execFileSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", ROOT, "--noEmit", "false", "--outDir", build], { stdio: "inherit" })
  symlinkSync(join(ROOT, "node_modules"), join(build, "node_modules"))
  copyFileSync(join(ROOT, "package.json"), join(build, "package.json"))
  // rm does not follow the node_modules link: only the build goes
  afterAll(() => rmSync(build, { recursive: true, force: true }))
  roomProtocolSuite(`rooms over uWebSockets.js (${version})`, [NODE20, join(build, "src", "runtime", "node.js")], "uWebSockets.js")
}
