/** Container health check: `healthcheck.ts <url>` (the URL answers 2xx) or `healthcheck.ts --process <text>` (a process runs with it on its command line). */
import { readdirSync, readFileSync } from "node:fs"

const [mode, arg] = process.argv.slice(2)

const processRuns = (needle: string): boolean =>
  readdirSync("/proc").some((pid) => {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) return false
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").includes(needle)
    } catch {
      return false // the process ended while we looked
    }
  })

if (mode === "--process" && arg) {
  process.exit(processRuns(arg) ? 0 : 1)
} else if (mode) {
  fetch(mode, { signal: AbortSignal.timeout(4000) }).then(
    (res) => process.exit(res.ok ? 0 : 1),
    () => process.exit(1)
  )
} else {
  console.error("usage: healthcheck.ts <url> | --process <text>")
  process.exit(2)
}
