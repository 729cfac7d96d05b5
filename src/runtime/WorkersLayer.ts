/**
 * The media workers as a layer chosen from the config: ffmpeg/ffprobe checked at start (a missing ffmpeg
 * is a start-up error naming FFMPEG_PATH, not a failed upload later), scratch space under DATA_DIR/scratch,
 * and the workers themselves, with the quota reconciler (QUOTA_RECONCILE_GRACE_SECONDS) beside them.
 * `npm start` runs it beside the API unless RUN_WORKERS=false (sharing the ProcessingProgress hub with the
 * SSE routes); `npm run worker` runs it alone.
 */
import { Effect, Layer } from "effect"
import type { KeyframeSettings } from "../config.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import { Media } from "../media/Media.ts"
import type { FfmpegNotFound } from "../media/MediaError.ts"
import type { ObjectStore } from "../objectstore/ObjectStore.ts"
import type { Uploads } from "../uploads/Uploads.ts"
import { MediaWorkers } from "../workers/MediaWorkers.ts"
import type { ProcessingProgress } from "../workers/ProcessingProgress.ts"
import { QuotaReconciler, quotaReconcilerOptions } from "../workers/QuotaReconciler.ts"
import { newWorkerId, workerOptions } from "../workers/WorkerOptions.ts"
import { ScratchFileError } from "../workers/WorkerPlatform.ts"

export type WorkersStartError = FfmpegNotFound | ScratchFileError

const platformLayer = (root: string) =>
  Layer.unwrap(
    Effect.tryPromise({
      try: () => import("../workers/node/NodeWorkerPlatform.ts"),
      catch: (e) => new ScratchFileError({ path: root, reason: `cannot load the worker platform: ${String(e)}` })
    }).pipe(Effect.map((m) => m.NodeWorkerPlatform.layer({ root })))
  )

export const workersLayer = (
  config: KeyframeSettings,
  workerId: string = newWorkerId()
): Layer.Layer<MediaWorkers | QuotaReconciler, WorkersStartError, EventStore | Uploads | ObjectStore | ProcessingProgress> =>
  MediaWorkers.layer(workerOptions(config, workerId)).pipe(
    Layer.provide(Media.layerChecked({
      ffmpegPath: config.media.ffmpegPath,
      ffprobePath: config.media.ffprobePath,
      acceptedFormats: config.upload.acceptedFormats
    })),
    Layer.provide(platformLayer(`${config.server.dataDir.replace(/\/+$/, "")}/scratch`)),
    // the janitor giving back reservations whose upload was never created
    Layer.merge(QuotaReconciler.layer(quotaReconcilerOptions(config)))
  )
