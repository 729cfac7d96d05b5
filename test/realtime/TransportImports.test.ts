/** DESIGN.md §3: no transport imports another. The realtime listener and the neutral cores it shares with HTTP import nothing from src/http. */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = join(import.meta.dirname, "..", "..")
const files = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : name.endsWith(".ts") ? [path] : []
  })

describe("transport isolation", () => {
  it("src/realtime, src/auth, src/errors, src/net and src/uploads import nothing from src/http", () => {
    const offenders = ["realtime", "auth", "errors", "net", "uploads"].flatMap((d) => files(join(ROOT, "src", d))).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/from\s+"([^"]+)"/g)]
        .map((m) => m[1]!)
        .filter((spec) => spec.startsWith(".") && relative(ROOT, join(file, "..", spec)).startsWith(join("src", "http")))
        .map((spec) => `${relative(ROOT, file)} → ${spec}`)
    )
    expect(offenders).toEqual([])
  })
})
