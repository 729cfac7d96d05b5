/**
 * The one uWebSockets.js loader (DESIGN.md §2): the official package name (a user's release install, or
 * our npm alias of @trufflesuite/uws-js-unofficial), then @btc-vision/uwebsockets.js. It loads a native
 * binary for this Node ABI only: the packages' own JavaScript fallbacks are not uWS and count as "none".
 */
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

const require = createRequire(import.meta.url)

export interface LoadedUws {
  readonly module: unknown
  readonly from: string
}

const binaryName = () => `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`

const tryPackage = (name: string): LoadedUws | string => {
  let root: string
  try {
    root = dirname(require.resolve(`${name}/package.json`))
  } catch {
    return `${name} is not installed`
  }
  // the trufflesuite build keeps binaries/ beside src/; upstream and btc-vision keep them at the root
  const candidates = [join(root, binaryName()), join(root, "binaries", binaryName())]
  const binary = candidates.find((c) => existsSync(c))
  if (binary === undefined) return `${name} has no ${binaryName()} (Node ${process.versions.node})`
  try {
    const version = (require(`${name}/package.json`) as { version?: string }).version ?? "?"
    return { module: require(binary), from: `${name} ${version}` }
  } catch (e) {
    return `${name}'s ${binaryName()} does not load here: ${String(e).split("\n")[0]}`
  }
}

/** The native uWS module, or the reasons none loads (for the one warning). */
export const loadUws = (): LoadedUws | { readonly reasons: ReadonlyArray<string> } => {
  const reasons: Array<string> = []
  for (const name of ["uWebSockets.js", "@btc-vision/uwebsockets.js"]) {
    const loaded = tryPackage(name)
    if (typeof loaded !== "string") return loaded
    reasons.push(loaded)
  }
  return { reasons }
}
