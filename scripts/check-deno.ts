/** Type-checks the runtime-neutral core (and the embedded adapter Deno runs) with Deno's checker: `npm run check:deno`. */
import { spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { denoFiles } from "./CoreFiles.ts"

const root = resolve(`${import.meta.dirname}/..`)
// Every core .ts file and the embedded adapter (new ones are picked up without editing this).
// src/runtime/ is left out: deno.ts reaches every adapter through dynamic imports, and the
// Node-only ones need not type-check under Deno; `.ci/smoke.sh` runs deno.ts for real instead.
const files = denoFiles(root).filter((f) => f.endsWith(".ts"))
console.log(`deno check: ${files.length} files`)
const result = spawnSync("npx", ["--no-install", "deno", "check", "--quiet", ...files], { cwd: root, stdio: "inherit" })
if (result.error) {
  console.error(`cannot run deno: ${result.error.message}`)
  process.exit(1)
}
process.exit(result.status ?? 1)
