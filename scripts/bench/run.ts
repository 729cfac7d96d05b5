/** Benchmark dispatcher: `npm run bench -- <name>` runs scripts/bench/<name>.ts (each prints one JSON line per subject). */
import { readdir } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const available = (await readdir(here))
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.slice(0, -3))
  .sort()

const name = process.argv[2]
if (name === undefined || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args…]\navailable: ${available.join(", ") || "(none)"}`)
  process.exit(name === undefined ? 0 : 2)
}
process.argv.splice(2, 1) // the benchmark sees its own arguments only
await import(pathToFileURL(join(here, `${name}.ts`)).href)
