/** Reads the project's own files by their path from its root (the console's sources and vendor builds); node:fs works in Deno too. */
import { readFile } from "node:fs/promises"
import type { AssetReader } from "../http/console/ConsoleAssets.ts"

const ROOT = new URL("../../", import.meta.url)

export const readProjectFile: AssetReader = async (path) => {
  try {
    return new Uint8Array(await readFile(new URL(path, ROOT)))
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined
    throw e
  }
}
