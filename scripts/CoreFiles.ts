/** Which source files are "core" (runtime-neutral, DESIGN.md §2, §10): shared by the isolation lint and the Deno check. */
import { readdirSync, statSync } from "node:fs"
import { join, relative, sep } from "node:path"

export const SCANNED = ["src", "projections"]

/** Folders allowed to use Node.js-only APIs: entry points and storage/transport adapters. Keep it small. */
export const ALLOWED = [
  "src/runtime/",
  "src/eventstore/embedded/", // creates its data directory with node:fs (which Deno also provides)
  "src/eventstore/postgres/",
  "src/eventstore/kurrent/",
  "src/objectstore/fs/",
  "src/objectstore/s3/",
  "src/readstore/redis/",
  "src/media/",
  "src/ingest/node/", // the watch folder: fs.watch, stat and file reads
  "src/realtime/uws/",
  "src/realtime/ws/"
]

const walk = (dir: string): Array<string> => {
  let entries: Array<string>
  try {
    entries = readdirSync(dir)
  } catch {
    return []
  }
  return entries.sort().flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : walk(path)
    return /\.(m|c)?[jt]sx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : []
  })
}

/** Allowed Node.js APIs that Deno also provides, and run under Deno (`npm run start:deno`): still Deno-checked. */
export const DENO_TOO = ["src/eventstore/embedded/"]

/** Core source files under `root`, as paths relative to it with forward slashes. */
export const coreFiles = (root: string): Array<string> =>
  SCANNED.flatMap((d) => walk(join(root, d)))
    .map((file) => relative(root, file).split(sep).join("/"))
    .filter((rel) => !ALLOWED.some((a) => rel.startsWith(a)))

/** What Deno runs besides its entry point: the core and the DENO_TOO adapters. */
export const denoFiles = (root: string): Array<string> =>
  SCANNED.flatMap((d) => walk(join(root, d)))
    .map((file) => relative(root, file).split(sep).join("/"))
    .filter((rel) => !ALLOWED.some((a) => rel.startsWith(a)) || DENO_TOO.some((a) => rel.startsWith(a)))
