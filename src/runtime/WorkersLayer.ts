/**
 * The media workers as a layer chosen from the config: ffmpeg/ffprobe checked at start (a missing ffmpeg
 * is a start-up error naming FFMPEG_PATH, not a failed upload later), scratch space under DATA_DIR/scratch
 * (effect's Node FileSystem), and the workers themselves (hashing with the Digests the entry point chose),
 * with the quota reconciler (QUOTA_RECONCILE_GRACE_SECONDS) and the idle-room janitor
 * (INACTIVE_ROOM_RETENTION_HOURS) beside them, and the video catalog worker (a ready upload becomes a Video; a
 * deleted video's objects are removed), and the stream hand-off (a finalized live stream's original becomes an
 * upload, processed from the transcode step).
 * `npm start` runs it beside the API unless RUN_WORKERS=false (sharing the ProcessingProgress hub with the
 * SSE routes); `npm run worker` runs it alone.
 */
import { Effect, Layer } from "effect"
import type { KeyframeSettings } from "../config.ts"
import type { ActorSystem } from "../actors/ActorSystem.ts"
import type { Digests } from "../digest/Digests.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import { Media } from "../media/Media.ts"
import type { FfmpegNotFound } from "../media/MediaError.ts"
import type { ObjectStore } from "../objectstore/ObjectStore.ts"
import type { Uploads } from "../uploads/Uploads.ts"
import { MediaWorkers } from "../workers/MediaWorkers.ts"
import type { ProcessingProgress } from "../uploads/ProcessingProgress.ts"
import { QuotaReconciler, quotaReconcilerOptions } from "../workers/QuotaReconciler.ts"
import { Rooms } from "../rooms/Rooms.ts"
import { RoomJanitor } from "../workers/RoomJanitor.ts"
import { StreamHandoff } from "../workers/StreamHandoff.ts"
import { VideoCatalogWorker } from "../workers/VideoCatalogWorker.ts"
import { Videos } from "../videos/Videos.ts"
import type { ScratchFileError } from "../workers/ScratchSpace.ts"
import { newWorkerId, workerOptions } from "../workers/WorkerOptions.ts"
import { NodeScratchSpace } from "./NodeScratchSpace.ts"

export type WorkersStartError = FfmpegNotFound | ScratchFileError

export const workersLayer = (
  config: KeyframeSettings,
  workerId: string = newWorkerId()
): Layer.Layer<
  MediaWorkers | QuotaReconciler | RoomJanitor | VideoCatalogWorker | StreamHandoff,
  WorkersStartError,
  EventStore | ActorSystem | Uploads | ObjectStore | ProcessingProgress | Digests
> =>
  MediaWorkers.layer(workerOptions(config, workerId)).pipe(
    Layer.provide(Media.layerChecked({
      ffmpegPath: config.media.ffmpegPath,
      ffprobePath: config.media.ffprobePath,
      acceptedFormats: config.upload.acceptedFormats
    })),
    Layer.provide(NodeScratchSpace.layer({ root: `${config.server.dataDir.replace(/\/+$/, "")}/scratch` })),
    // the janitor giving back reservations whose upload was never created
    Layer.merge(QuotaReconciler.layer(quotaReconcilerOptions(config))),
    // the janitor closing rooms idle for INACTIVE_ROOM_RETENTION_HOURS
    Layer.merge(RoomJanitor.layer({ retentionMs: config.room.inactiveRetentionHours * 3_600_000 }).pipe(Layer.provide(Rooms.layer))),
    // ready uploads become videos; deleted videos lose their media objects
    Layer.merge(VideoCatalogWorker.layer().pipe(Layer.provide(Videos.layer))),
    // finalized live streams become uploads, processed from the transcode step
    Layer.merge(StreamHandoff.layer())
  )
