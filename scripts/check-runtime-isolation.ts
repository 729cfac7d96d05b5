/** Lint rule of DESIGN.md §10: runtime-specific APIs only in src/runtime/ and the adapters that need them. Exit 1 lists file:line. */
import { builtinModules } from "node:module"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { ALLOWED, coreFiles, SCANNED } from "./CoreFiles.ts"

/** Usage: node scripts/check-runtime-isolation.ts [project root] */
const ROOT = resolve(process.argv[2] ?? `${import.meta.dirname}/..`)

/** Module specifiers that tie code to Node.js (builtins with or without `node:`, Node-only packages). */
const forbiddenModule = (spec: string): boolean =>
  spec.startsWith("node:") ||
  builtinModules.includes(spec.split("/")[0]!) ||
  ["uWebSockets.js", "@effect/platform-node", "@effect/platform-node-shared", "@hono/node-server", "ws"].some(
    (m) => spec === m || spec.startsWith(`${m}/`)
  ) ||
  /uwebsockets|uws-js/i.test(spec)

/** Node-only globals (property accesses such as `x.process` are fine). */
const FORBIDDEN_GLOBALS = /(?<![.\w$])(process|Buffer|__dirname|__filename|require)(?![\w$])/g

/**
 * Blanks comments (→ `text`) and also string contents (→ `code`), keeping every line break so that
 * offsets map to the same lines. A small scanner, not a parser: enough for imports and identifiers.
 */
const scan = (source: string) => {
  let text = ""
  let code = ""
  let i = 0
  const templates: Array<number> = [] // brace depth at which each open `${` returns to its template literal
  let braces = 0
  const emit = (raw: string, blank: boolean) => {
    text += raw
    code += blank ? raw.replace(/[^\n]/g, " ") : raw
  }
  /** Reads a string from i (at the opening quote or, for a resumed template, at its `}`); stops after the closing quote or at `${`. */
  const readString = (quote: string) => {
    emit(source[i]!, false)
    i++
    while (i < source.length && source[i] !== quote) {
      if (source[i] === "\\") {
        emit(source.slice(i, i + 2), true)
        i += 2
      } else if (quote === "`" && source[i] === "$" && source[i + 1] === "{") {
        emit("${", false)
        templates.push(braces)
        braces++
        i += 2
        return
      } else {
        emit(source[i]!, true)
        i++
      }
    }
    emit(source[i] ?? "", false)
    i++
  }
  while (i < source.length) {
    const c = source[i]!
    const next = source[i + 1]
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i)
      const stop = end === -1 ? source.length : end
      const blank = source.slice(i, stop).replace(/./g, " ")
      text += blank
      code += blank
      i = stop
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2)
      const stop = end === -1 ? source.length : end + 2
      const blank = source.slice(i, stop).replace(/[^\n]/g, " ")
      text += blank
      code += blank
      i = stop
    } else if (c === '"' || c === "'" || c === "`") {
      readString(c)
    } else if (c === "/" && /(^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof)\s*$/.test(code.slice(-40))) {
      // a regular-expression literal (it may hold quotes): copy it through to the closing slash
      let inClass = false
      emit(c, false)
      i++
      while (i < source.length && source[i] !== "\n" && (inClass || source[i] !== "/")) {
        if (source[i] === "\\") {
          emit(source.slice(i, i + 2), true)
          i += 2
          continue
        }
        if (source[i] === "[") inClass = true
        if (source[i] === "]") inClass = false
        emit(source[i]!, true)
        i++
      }
    } else if (c === "}" && templates.length > 0 && templates[templates.length - 1] === braces - 1) {
      templates.pop()
      braces--
      readString("`")
    } else {
      if (c === "{") braces++
      if (c === "}") braces--
      emit(c, false)
      i++
    }
  }
  return { text, code }
}

const lineAt = (source: string, offset: number) => source.slice(0, offset).split("\n").length

/** `from "x"`, `import "x"`, `import("x")`, `require("x")`, `export * from "x"` (string contents kept, comments blanked). */
const SPECIFIER = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(["'`])([^"'`\n]+)\1/g

const violations: Array<string> = []
for (const rel of coreFiles(ROOT)) {
  const { text, code } = scan(readFileSync(`${ROOT}/${rel}`, "utf8"))
  for (const m of text.matchAll(SPECIFIER)) {
    if (forbiddenModule(m[2]!)) violations.push(`${rel}:${lineAt(text, m.index)}: imports "${m[2]}"`)
  }
  for (const m of code.matchAll(FORBIDDEN_GLOBALS)) {
    violations.push(`${rel}:${lineAt(code, m.index)}: uses the Node.js global \`${m[1]}\``)
  }
}

violations.sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
if (violations.length > 0) {
  console.error(`Runtime isolation: ${violations.length} violation(s). Node.js-only APIs belong in ${ALLOWED.join(", ")}:`)
  for (const v of violations) console.error(`  ${v}`)
  process.exit(1)
}
console.log(`Runtime isolation: OK (${SCANNED.join(", ")} outside ${ALLOWED.length} allowed folders)`)
