/**
 * Every module the console loads can be loaded: walking the imports from main.ts (as the browser would),
 * each relative import names a file the server serves (ConsoleAssets.assetPath) and that exists, and each
 * bare import is one of index.html's import map. A console page importing a server module (src/config.ts,
 * anything using Effect or node:) fails here, not in a user's browser.
 */
import { existsSync, readFileSync } from "node:fs"
import { transformSync } from "amaro"
import { describe, expect, it } from "vitest"
import { assetPath } from "../../src/http/console/ConsoleAssets.ts"

const ROOT = new URL("../../", import.meta.url).pathname

const importMap = (): Record<string, string> => {
  const html = readFileSync(`${ROOT}src/console/index.html`, "utf8")
  const json = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]!
  return (JSON.parse(json) as { imports: Record<string, string> }).imports
}

/** The specifiers of a module's runtime imports (static and dynamic) once its types are stripped. */
const importsOf = (source: string): Array<string> => {
  const js = transformSync(source, { mode: "strip-only" }).code
  return [...js.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3]!)
}

describe("console modules", () => {
  it("load from main.ts through served files and import-map names only", () => {
    const map = importMap()
    for (const target of Object.values(map)) expect(assetPath(target), target).toBeDefined()
    const seen = new Set<string>()
    const pending = ["src/console/main.ts"]
    const problems: Array<string> = []
    while (pending.length > 0) {
      const path = pending.pop()!
      if (seen.has(path)) continue
      seen.add(path)
      for (const spec of importsOf(readFileSync(`${ROOT}${path}`, "utf8"))) {
        if (!spec.startsWith(".")) {
          if (!(spec in map)) problems.push(`${path}: "${spec}" is not in index.html's import map`)
          continue
        }
        const resolved = new URL(spec, `file:///${path}`).pathname.slice(1)
        if (assetPath(`/console/${resolved}`) !== resolved) problems.push(`${path}: "${spec}" (${resolved}) is not served to the browser`)
        else if (!existsSync(`${ROOT}${resolved}`)) problems.push(`${path}: "${spec}" does not exist`)
        else pending.push(resolved)
      }
    }
    expect(problems).toEqual([])
    // the walk reached the pages (a broken regex would find nothing and pass)
    expect(seen.has("src/console/pages/SignIn.ts")).toBe(true)
  })

  it("catches a module that is not served (the check can fail)", () => {
    expect(assetPath("/console/src/config.ts")).toBeUndefined()
    expect(importsOf(`import { x } from "../config.ts"\nimport type { T } from "effect"\nexport { y } from "./y.ts"`)).toEqual(["../config.ts", "./y.ts"])
  })
})
