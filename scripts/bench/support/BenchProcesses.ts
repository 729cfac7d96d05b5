/** Small pieces the file benchmarks (upload, ingest) share: a clean disk between subjects, medians, stopping a child. */
import { type ChildProcess, execFileSync } from "node:child_process"

/** Writes back every dirty page of the machine (`sync`), so no subject pays for another's writes. */
export const flushDisks = (): void => {
  execFileSync("sync")
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** SIGTERM, resolved once the child has exited (at once when it already has). */
export const stopChild = (child: ChildProcess): Promise<unknown> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(null)
    child.once("exit", resolve)
    child.kill("SIGTERM")
  })
