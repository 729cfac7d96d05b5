/**
 * Live-stream ingest beside the API: the watch folder when WATCH_DIR is set (its engine per file runs in this
 * layer's scope), and the engines of streams pushed over HTTP (PushIngest, started by the push routes). Chosen
 * here, with the other background parts, from the config.
 */
import { Effect, Layer } from "effect"
import { type KeyframeSettings, MiB } from "../config.ts"
import type { Digests } from "../digest/Digests.ts"
import { runWatchFolder } from "../ingest/node/WatchFolder.ts"
import { PushIngest } from "../ingest/PushIngest.ts"
import { Streams } from "../streams/Streams.ts"

export const watchFolderLayer = (config: KeyframeSettings): Layer.Layer<never, never, Streams | Digests> => {
  const dir = config.stream.watchDir
  if (dir === undefined) return Layer.empty
  return Layer.effectDiscard(Effect.gen(function*() {
    const streams = yield* Streams
    yield* Effect.forkScoped(runWatchFolder(streams, {
      dir,
      extensions: config.stream.watchExtensions,
      defaultOwner: config.stream.watchDefaultOwner,
      chunkSizeBytes: config.stream.chunkSizeMb * MiB,
      idleTimeoutMs: config.stream.timeoutSeconds * 1000,
      pollMs: config.stream.watchPollMs,
      parallelParts: config.stream.parallelParts
    }))
  }))
}

/** One ingest engine per pushed stream in this process; unfinished pushed streams are resumed at start. */
export const pushIngestLayer = (config: KeyframeSettings) =>
  PushIngest.layer({
    chunkSizeBytes: config.stream.chunkSizeMb * MiB,
    idleTimeoutMs: config.stream.timeoutSeconds * 1000,
    pollMs: config.stream.watchPollMs,
    parallelParts: config.stream.parallelParts
  })
