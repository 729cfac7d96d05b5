/**
 * The watch folder (WATCH_DIR): every file with a watched extension becomes one stream, fed by the ingest engine
 * as it grows. The directory is scanned every poll (the fallback that works on network mounts too) and on every
 * fs.watch notification where it works; a file's own notifications wake its engine at once. A file still being
 * copied in is just a growing file: the idle timeout decides its end, never its appearance.
 *
 * The stream id is derived from the file (name, device, inode, birth time), so a restarted process resumes the
 * file's stream from its events instead of starting a second one, and a new file reusing an old name is a new
 * stream. The owner is the sidecar `<name>.json` ({"owner": "...", "title": "..."}, also `<name>.<ext>.json`),
 * or WATCH_DEFAULT_OWNER; a file with neither is skipped with a warning.
 */
import { watch, type FSWatcher } from "node:fs"
import { readdir, readFile, stat } from "node:fs/promises"
import { extname, join } from "node:path"
import { Effect, Queue, Schema } from "effect"
import { ingestStream, type IngestOutcome } from "../IngestEngine.ts"
import type { Streams } from "../../streams/Streams.ts"
import { shortHash } from "../../uploads/UploadCommandIds.ts"
import { nodeFileSource } from "./NodeFileSource.ts"

export interface WatchFolderOptions {
  readonly dir: string
  /** Lower-case extensions without the dot, e.g. ["mp4"]. */
  readonly extensions: ReadonlyArray<string>
  readonly defaultOwner: string | undefined
  readonly chunkSizeBytes: number
  readonly idleTimeoutMs: number
  /** How often the directory and each file are looked at without a notification. */
  readonly pollMs: number
  /** STREAM_PARALLEL_PARTS: parts of one stream uploading at once. */
  readonly parallelParts?: number | undefined
  /** Called with each file's outcome (tests, logs). */
  readonly onOutcome?: ((file: string, streamId: string, outcome: IngestOutcome) => void) | undefined
}

const Sidecar = Schema.Struct({ owner: Schema.optional(Schema.String), title: Schema.optional(Schema.String) })

/** The sidecar of `file` ({owner, title}), or undefined. */
const sidecarOf = async (dir: string, file: string) => {
  const base = file.slice(0, file.length - extname(file).length)
  for (const name of [`${base}.json`, `${file}.json`]) {
    const text = await readFile(join(dir, name), "utf8").catch(() => undefined)
    if (text === undefined) continue
    try {
      return Schema.decodeUnknownSync(Sidecar)(JSON.parse(text))
    } catch {
      return undefined
    }
  }
  return undefined
}

/** A stream id the file keeps across restarts: readable start, a hash of what makes the file this file. */
export const streamIdOfFile = (file: string, s: { readonly dev: number; readonly ino: number; readonly birthtimeMs: number }) =>
  `w-${file.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 60)}-${shortHash(`${file}|${s.dev}|${s.ino}|${Math.round(s.birthtimeMs)}`)}`

export const runWatchFolder = (streams: typeof Streams.Service, options: WatchFolderOptions) =>
  Effect.gen(function*() {
    const wakes = new Map<string, Queue.Queue<void>>()
    const handled = new Set<string>()
    /** Files with an ingest (or its start-up) in progress. */
    const running = new Set<string>()
    const warned = new Set<string>()
    const watched = (file: string) => options.extensions.includes(extname(file).slice(1).toLowerCase())

    const ingestFile = (file: string) =>
      Effect.gen(function*() {
        const path = join(options.dir, file)
        const s = yield* Effect.promise(() => stat(path).catch(() => undefined))
        if (s === undefined || !s.isFile()) return
        const streamId = streamIdOfFile(file, s)
        if (handled.has(streamId)) return
        const sidecar = yield* Effect.promise(() => sidecarOf(options.dir, file))
        const owner = sidecar?.owner ?? options.defaultOwner
        const { state } = yield* streams.current(streamId)
        if (state.status === "Finalized" || state.status === "Failed") {
          handled.add(streamId)
          return
        }
        if (state.status === "Idle") {
          if (owner === undefined) {
            if (!warned.has(file)) yield* Effect.logWarning(`watch folder: ${file} has no owner (no ${file}.json sidecar, WATCH_DEFAULT_OWNER unset): skipped`)
            warned.add(file)
            return
          }
          handled.add(streamId)
          yield* streams.start({ streamId, owner: { userId: owner, roles: ["user"] }, source: "watch", sourceRef: file, title: sidecar?.title })
          yield* Effect.logInfo(`watch folder: ${file} is stream ${streamId} of ${owner}`)
        } else {
          handled.add(streamId)
          yield* Effect.logInfo(`watch folder: resuming stream ${streamId} of ${file}`)
        }
        const wake = yield* Queue.dropping<void>(1)
        wakes.set(file, wake)
        const outcome = yield* ingestStream(streams, streamId, nodeFileSource(path, file), {
          chunkSizeBytes: options.chunkSizeBytes,
          idleTimeoutMs: options.idleTimeoutMs,
          pollMs: options.pollMs,
          parallelParts: options.parallelParts,
          // a file is cheap to read as it grows: the part being written uploads as it is written
          growingParts: true,
          wake
        })
        wakes.delete(file)
        options.onOutcome?.(file, streamId, outcome)
        yield* Effect.logInfo(`watch folder: ${file} (stream ${streamId}) ${outcome.status}${outcome.status === "failed" ? `: ${outcome.detail}` : ""}`)
      }).pipe(
        Effect.catchCause((cause) => Effect.logWarning(`watch folder: ingesting ${file} stopped; it is retried on the next scan`, cause)),
        Effect.ensuring(Effect.sync(() => wakes.delete(file)))
      )

    const scan = Effect.gen(function*() {
      const files = yield* Effect.promise(() => readdir(options.dir).catch(() => [] as Array<string>))
      for (const file of files) {
        if (!watched(file) || running.has(file)) continue
        running.add(file)
        yield* Effect.forkChild(ingestFile(file).pipe(Effect.ensuring(Effect.sync(() => running.delete(file)))))
      }
    })

    const rescan = yield* Queue.dropping<void>(1)
    // fs.watch where it works (not on every network mount): a hint, never the only way a change is seen
    const watcher = yield* Effect.acquireRelease(
      Effect.sync((): FSWatcher | undefined => {
        try {
          return watch(options.dir, (_event, name) => {
            const file = name?.toString()
            const wake = file === undefined ? undefined : wakes.get(file)
            if (wake !== undefined) Queue.offerUnsafe(wake, undefined)
            else Queue.offerUnsafe(rescan, undefined)
          })
        } catch {
          return undefined
        }
      }),
      (w) => Effect.sync(() => w?.close())
    )
    yield* Effect.logInfo(`watch folder: ${options.dir} (${options.extensions.join(", ")}; ${watcher === undefined ? "polling only" : "fs.watch and polling"})`)
    while (true) {
      yield* scan
      yield* Effect.timeoutOption(Queue.take(rescan), options.pollMs)
    }
  }).pipe(Effect.scoped)
