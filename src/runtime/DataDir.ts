/**
 * DATA_DIR holds the embedded event store, the objects, scratch copies of uploads and the development
 * token secret: it and the folders the chosen adapters use are created owner-only (0700) before any
 * adapter opens them. A folder that already exists keeps its mode: it is the user's (a volume, a shared
 * group folder), so one that other users can enter gets a warning with the command that closes it,
 * rather than a silent chmod.
 */
import { mkdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { Data, Effect, Layer } from "effect"
import type { KeyframeSettings } from "../config.ts"

export const PRIVATE_DIR_MODE = 0o700

export class DataDirUnavailable extends Data.TaggedError("DataDirUnavailable")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `DATA_DIR: cannot create ${this.path}: ${this.reason}`
  }
}

/** A folder that existed already with access for group or others. */
export interface OpenFolder {
  readonly path: string
  readonly mode: number
}

/** DATA_DIR, then the folders under it this configuration uses (the same paths the adapters are given). */
export const dataDirFolders = (config: KeyframeSettings): ReadonlyArray<string> => {
  const dataDir = config.server.dataDir.replace(/\/+$/, "") || "/"
  return [
    dataDir,
    ...(config.eventStore.kind === "embedded" ? [config.eventStore.dataDir] : []),
    ...(config.objectStore.bucket === undefined ? [join(dataDir, "objects")] : []),
    ...(config.media.runWorkers ? [join(dataDir, "scratch")] : [])
  ]
}

/** Creates each missing folder 0700; returns those that existed and are open to other users (left as they are). */
export const ensurePrivateFolders = (paths: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<OpenFolder>, DataDirUnavailable> =>
  Effect.forEach(paths, (path) =>
    Effect.try({
      try: (): OpenFolder | undefined => {
        // recursive mkdir gives every folder it creates the mode, and returns undefined when the path existed
        if (mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE }) !== undefined) return undefined
        const mode = statSync(path).mode
        // Windows has no such mode bits
        return process.platform !== "win32" && (mode & 0o077) !== 0 ? { path, mode } : undefined
      },
      catch: (e) => new DataDirUnavailable({ path, reason: e instanceof Error ? e.message : String(e) })
    })).pipe(Effect.map((found) => found.filter((f): f is OpenFolder => f !== undefined)))

/** The start's step: the folders made, one warning per folder other users can enter. */
export const prepareDataDir = (config: KeyframeSettings): Effect.Effect<void, DataDirUnavailable> =>
  Effect.flatMap(ensurePrivateFolders(dataDirFolders(config)), (open) =>
    Effect.forEach(open, ({ mode, path }) =>
      Effect.logWarning(
        `DATA_DIR: ${path} is open to other users (mode 0${(mode & 0o777).toString(8)}): \`chmod 700 ${path}\` keeps its files private`
      ), { discard: true }))

/** `prepareDataDir` as a layer, built before the adapters' layers (Main.ts). */
export const dataDirLayer = (config: KeyframeSettings): Layer.Layer<never, DataDirUnavailable> =>
  Layer.effectDiscard(prepareDataDir(config))
