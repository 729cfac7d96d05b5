import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const script = join(import.meta.dirname, "../../scripts/check-runtime-isolation.ts")
const roots: Array<string> = []

/** Runs the lint on a throwaway project made of `files`. */
const lint = (files: Record<string, string>) => {
  const root = mkdtempSync(join(tmpdir(), "keyframe-lint-"))
  roots.push(root)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  const r = spawnSync(process.execPath, [script, root], { encoding: "utf8" })
  return { status: r.status, out: r.stdout + r.stderr }
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

describe("runtime isolation lint", () => {
  it("passes web-standard core code, comments and strings that only mention Node", () => {
    const r = lint({
      "src/http/Fine.ts": [
        "// process.env and import 'node:fs' in a comment are fine",
        "/* Buffer */",
        'const text = "the process. Buffer. node:fs"',
        "const re = /[\"'](process)/g",
        "const t = `${text} ${\"Buffer\"}`",
        "const prop = obj.process + new ArrayBuffer(1).byteLength",
        "export { text, re, t, prop }"
      ].join("\n"),
      "src/runtime/node.ts": 'import { readFileSync } from "node:fs"\nprocess.exit(0)\n',
      "src/media/Ffmpeg.ts": 'import { spawn } from "node:child_process"\n'
    })
    expect(r.out).toContain("Runtime isolation: OK")
    expect(r.status).toBe(0)
  })

  it("fails with file:line for each Node-only import or global outside the allowed folders", () => {
    const r = lint({
      "src/domain/upload/Bad.ts": [
        'import { readFileSync } from "node:fs"',
        "import * as path from 'path'",
        "const home = `${process.env.HOME}`",
        'const bytes = Buffer.from("x")',
        'const server = await import("@hono/node-server")',
        'export * from "@effect/platform-node"',
        'import uws from "uWebSockets.js"'
      ].join("\n"),
      "projections/VideoCatalog.ts": "export const env = process.env\n"
    })
    expect(r.status).toBe(1)
    for (const line of [
      'src/domain/upload/Bad.ts:1: imports "node:fs"',
      'src/domain/upload/Bad.ts:2: imports "path"',
      "src/domain/upload/Bad.ts:3: uses the Node.js global `process`",
      "src/domain/upload/Bad.ts:4: uses the Node.js global `Buffer`",
      'src/domain/upload/Bad.ts:5: imports "@hono/node-server"',
      'src/domain/upload/Bad.ts:6: imports "@effect/platform-node"',
      'src/domain/upload/Bad.ts:7: imports "uWebSockets.js"',
      "projections/VideoCatalog.ts:1: uses the Node.js global `process`"
    ]) {
      expect(r.out).toContain(line)
    }
  })
})
