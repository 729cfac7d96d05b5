/** What a worker needs from the machine it runs on: scratch files for ffmpeg, and a fast SHA-256. */
import { Context, Data, type Effect, type Scope } from "effect"

/** A local scratch file or directory could not be made, written or read (disk full, permissions). */
export class ScratchFileError extends Data.TaggedError("ScratchFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `local scratch file ${this.path}: ${this.reason}`
  }
}

/** An incremental SHA-256: `update` with every byte in order, then `digestHex` once. */
export interface Sha256Hasher {
  update(bytes: Uint8Array): void
  digestHex(): string
}

export interface WorkerPlatformShape {
  /** A fresh, empty local directory, removed with everything in it when the scope closes. */
  scratchDirectory(label: string): Effect.Effect<string, ScratchFileError, Scope.Scope>
  /** Joins path segments the way the local file system wants them. */
  join(...segments: ReadonlyArray<string>): string
  /** Writes a stream to a local file (replacing it) and returns the bytes written. */
  writeFile(path: string, body: ReadableStream<Uint8Array>): Effect.Effect<number, ScratchFileError>
  /** A local file's bytes (scratch outputs are segments and playlists: a few MB each). */
  readFile(path: string): Effect.Effect<Uint8Array, ScratchFileError>
  /** Every file below `directory`, as `/`-separated relative paths, sorted. */
  listFiles(directory: string): Effect.Effect<ReadonlyArray<string>, ScratchFileError>
  sha256(): Sha256Hasher
}

export class WorkerPlatform extends Context.Service<WorkerPlatform, WorkerPlatformShape>()("keyframe/WorkerPlatform") {}
