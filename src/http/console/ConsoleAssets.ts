/**
 * The console's files, served as they are in the repository: no build step, so a fresh clone's
 * `npm start` serves it (DESIGN.md §3). The console is TypeScript modules under src/console/ plus
 * the runtime-neutral modules it shares with the server (the room playback client); types are
 * stripped on first request with amaro (Node's own type stripper, as a library: it runs in Deno
 * too) and the JavaScript kept in memory. Only the files below are reachable: the console's own
 * tree, the shared modules by name, and the vendor builds by name — never an arbitrary path.
 */
import { transformSync } from "amaro"

/** Reads a file by its path from the project's root; undefined when it is not there. Supplied by the runtime (node.ts, deno.ts). */
export type AssetReader = (path: string) => Promise<Uint8Array | undefined>

/** The browser builds the console loads, by the name in its import map (index.html). */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  "preact.js": "node_modules/preact/dist/preact.module.js",
  "preact-hooks.js": "node_modules/preact/hooks/dist/hooks.module.js",
  "htm.js": "node_modules/htm/dist/htm.module.js",
  "htm-preact.js": "node_modules/htm/preact/index.module.js",
  "hls.js": "node_modules/hls.js/dist/hls.mjs",
  // a classic script (UMD): sets `window.tus`
  "tus.js": "node_modules/tus-js-client/dist/tus.min.js"
}

/** Server modules the console imports (runtime neutral, no package imports): served at their own path so relative imports resolve. */
export const SHARED_MODULES: ReadonlySet<string> = new Set([
  "src/realtime/client/PlaybackClient.ts",
  "src/domain/room/PlaybackTimeline.ts"
])

const CONSOLE_DIR = "src/console/"

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".ts": "text/javascript; charset=UTF-8",
  ".js": "text/javascript; charset=UTF-8",
  ".mjs": "text/javascript; charset=UTF-8",
  ".css": "text/css; charset=UTF-8",
  ".html": "text/html; charset=UTF-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=UTF-8"
}

const extension = (path: string): string => /\.[a-z]+$/.exec(path)?.[0] ?? ""

/**
 * The repository path behind a URL path under /console/, or undefined when it is not a console file:
 * `/console/vendor/<name>` → the vendor build; `/console/src/…` → the console tree or a shared module.
 */
export const assetPath = (urlPath: string): string | undefined => {
  if (urlPath.startsWith("/console/vendor/")) return VENDOR_FILES[urlPath.slice("/console/vendor/".length)]
  if (!urlPath.startsWith("/console/src/")) return undefined
  const path = urlPath.slice("/console/".length)
  // no way out of the tree: no dot segments, no empty segments, no backslashes or encoded characters
  if (!/^[A-Za-z0-9_\-/.]+$/.test(path) || path.split("/").some((s) => s === "" || s === "." || s === "..")) return undefined
  if (SHARED_MODULES.has(path)) return path
  return path.startsWith(CONSOLE_DIR) && extension(path) in CONTENT_TYPES ? path : undefined
}

export interface Asset {
  readonly body: Uint8Array
  readonly contentType: string
  readonly etag: string
}

const hex = (bytes: ArrayBuffer): string => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("")

/** A file as the browser gets it: TypeScript stripped to JavaScript (whitespace kept, so no source map is needed), an ETag of the result. */
export const toAsset = async (path: string, raw: Uint8Array): Promise<Asset> => {
  const ext = extension(path)
  const body = ext === ".ts"
    ? new TextEncoder().encode(transformSync(new TextDecoder().decode(raw), { mode: "strip-only" }).code)
    : raw
  const digest = await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>)
  return { body, contentType: CONTENT_TYPES[ext] ?? "application/octet-stream", etag: `"${hex(digest).slice(0, 32)}"` }
}

/**
 * The console's files for this process: read and prepared once each, then answered from memory
 * (a few hundred KiB in all). `fresh`: read the file again on every request (development, when
 * the sources change under a running server).
 */
export const makeConsoleAssets = (read: AssetReader, options: { readonly fresh?: boolean } = {}) => {
  const cache = new Map<string, Promise<Asset | undefined>>()
  const load = async (path: string) => {
    const raw = await read(path)
    return raw === undefined ? undefined : toAsset(path, raw)
  }
  return (path: string): Promise<Asset | undefined> => {
    if (options.fresh === true) return load(path)
    let asset = cache.get(path)
    if (asset === undefined) {
      asset = load(path).catch((e: unknown) => {
        cache.delete(path)
        throw e
      })
      cache.set(path, asset)
    }
    return asset
  }
}
