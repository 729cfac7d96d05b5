/**
 * Local scratch directories for ffmpeg, on effect's FileSystem. A directory's name carries the id of the
 * process that made it, so the leftovers of a worker killed mid-transcode (its copy of a source may be
 * as large as an upload) are removed when the next one starts. Files inside are effect's FileSystem's.
 */
import { Context, Data, Effect, FileSystem, Layer, Path, type PlatformError, type Scope } from "effect"

/** A local scratch file or directory could not be made, written or read (disk full, permissions). */
export class ScratchFileError extends Data.TaggedError("ScratchFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `local scratch file ${this.path}: ${this.reason}`
  }
}

/** Maps a FileSystem failure on `path` to the readable ScratchFileError a failed step reports. */
export const scratchError = (path: string) => (e: PlatformError.PlatformError | unknown): ScratchFileError =>
  new ScratchFileError({ path, reason: e instanceof Error ? e.message : String(e) })

export interface ScratchSpaceOptions {
  /** Where scratch directories are made (created if missing). */
  readonly root: string
  /** This process's id, written into the name of each directory it makes. */
  readonly owner: number
  /** Whether the process `owner` still runs; directories of owners that do not are removed at start. */
  readonly isAlive: (owner: number) => boolean
}

/** `<label>-p<owner>-<random>`: the suffix FileSystem.makeTempDirectory adds after the prefix. */
const OWNED = /-p(\d+)-[A-Za-z0-9]+$/

export class ScratchSpace extends Context.Service<ScratchSpace, {
  /** A fresh, empty local directory, removed with everything in it when the scope closes. */
  readonly directory: (label: string) => Effect.Effect<string, ScratchFileError, Scope.Scope>
}>()("keyframe/ScratchSpace") {
  static readonly layer = (
    options: ScratchSpaceOptions
  ): Layer.Layer<ScratchSpace, ScratchFileError, FileSystem.FileSystem | Path.Path> =>
    Layer.effect(
      ScratchSpace,
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const { root, owner } = options
        yield* fs.makeDirectory(root, { recursive: true }).pipe(Effect.mapError(scratchError(root)))
        for (const name of yield* fs.readDirectory(root).pipe(Effect.mapError(scratchError(root)))) {
          const pid = OWNED.exec(name)?.[1]
          if (pid !== undefined && Number(pid) !== owner && !options.isAlive(Number(pid))) {
            yield* fs.remove(path.join(root, name), { recursive: true, force: true }).pipe(Effect.mapError(scratchError(root)))
          }
        }
        const directory = (label: string) =>
          Effect.acquireRelease(
            fs.makeTempDirectory({ directory: root, prefix: `${label.replace(/[^A-Za-z0-9_.-]/g, "_")}-p${owner}-` }).pipe(
              Effect.mapError(scratchError(root))
            ),
            // not makeTempDirectoryScoped: a directory that cannot be removed must not fail the step (the next start removes it)
            (dir) => Effect.ignore(fs.remove(dir, { recursive: true, force: true }))
          )
        return ScratchSpace.of({ directory })
      })
    )
}
