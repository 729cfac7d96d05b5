/**
 * The live feeds of uploads (and of the videos they become): a kind of the process's LiveFeeds
 * (src/feeds/LiveFeeds.ts), so the SSE routes and the WebSocket feed share one FeedHub and one set of
 * caps with every other feed. The source folds the upload's stream into both documents, lets the owner
 * and admins watch (others a video's once its Video is visible), ends at a terminal status, and merges
 * in the ephemeral processing percentages.
 */
import { Context, Effect, Layer, Stream } from "effect"
import type { UploadDoc } from "../../../projections/UploadsProjection.ts"
import type { Principal } from "../../domain/shared/Decider.ts"
import { VideoEventCodec } from "../../domain/video/VideoAggregate.ts"
import { evolveVideo, initialVideoState, visibleToOthers } from "../../domain/video/VideoState.ts"
import { EventStore } from "../../eventstore/EventStore.ts"
import type { FeedHub } from "../../feeds/FeedHub.ts"
import type { FeedLimits } from "../../feeds/FeedLimits.ts"
import type { FeedMessage } from "../../feeds/FeedMessage.ts"
import type { FeedSettings } from "../../feeds/FeedOptions.ts"
import {
  type FeedClient,
  type FeedOpenError,
  type FeedOpening as LiveFeedOpening,
  type FeedSource,
  LiveFeeds,
  type LiveFeedsShape,
  makeLiveFeeds
} from "../../feeds/LiveFeeds.ts"
import { ProcessingProgress } from "../ProcessingProgress.ts"
import { emptyFeed, endMessage, type FeedKind, type FeedSpec, type FeedState, foldFeed, isFinished, messageFor, snapshotMessage } from "./UploadFeed.ts"

export { FeedNotFound } from "../../feeds/LiveFeeds.ts"

/** What the feeds read: the upload's stream, and the processing percentages. */
export type FeedServices = EventStore | ProcessingProgress

/** The Video's own stream decides whether others may watch (DESIGN §6 "Video"). */
const videoVisibleToOthers = (id: string) =>
  Effect.map(EventStore.use((store) => store.readStream(`video-${id}`)), (events) => {
    const state = events.reduce((s, e) => {
      const decoded = VideoEventCodec.decode({ type: e.type, data: e.data, schemaVersion: e.metadata.schemaVersion })
      return decoded._tag === "Success" ? evolveVideo(s, decoded.success) : s
    }, initialVideoState)
    return state.status === "Active" && visibleToOthers(state)
  })

export interface FeedRequest extends FeedClient {
  readonly kind: FeedKind
  readonly uploadId: string
}

export type FeedOpening = LiveFeedOpening<FeedServices>

export interface UploadFeedsShape {
  open(request: FeedRequest): Effect.Effect<FeedOpening, FeedOpenError, FeedServices>
  readonly hub: FeedHub
  readonly limits: FeedLimits
}

export interface UploadFeedsOptions extends FeedSettings {
  /** How an upload document is shown (the query API's view, src/http/queries/UploadView.ts); default: as stored. */
  readonly viewUpload?: ((doc: UploadDoc) => unknown) | undefined
  /** The process's live feeds to be a kind of; unset: made from the settings above. */
  readonly live?: LiveFeedsShape | undefined
}

/** An upload's (kind "upload") or its video's (kind "video") feed. */
export const uploadFeedSource = (spec: FeedSpec, uploadId: string): FeedSource<FeedState, FeedServices> => ({
  stream: `upload-${uploadId}`,
  notFound: `there is no ${spec.kind} "${uploadId}"`,
  initial: emptyFeed,
  fold: foldFeed,
  // others see a video's feed only when its Video lets them (public or unlisted, published, not taken down)
  visible: (state: FeedState, actor: Principal) =>
    state.upload === undefined
      ? Effect.succeed(false)
      : state.upload.ownerId === actor.userId || actor.roles.includes("admin")
      ? Effect.succeed(true)
      : spec.kind === "video" && state.video?.status === "ready"
      ? videoVisibleToOthers(uploadId)
      : Effect.succeed(false),
  message: (before, after, event) => messageFor(spec, before, after, event),
  snapshot: (state, position) => snapshotMessage(spec, state, position),
  finished: isFinished,
  end: endMessage,
  // every process serving feeds has the percentages (from its own workers, and with Redis from all of them)
  ephemeral: Stream.unwrap(Effect.map(ProcessingProgress, (progress) =>
    progress.updates.pipe(
      Stream.filter((u) => u.uploadId === uploadId),
      Stream.map((u): FeedMessage => ({ event: "processing", data: u }))
    )))
})

export const makeUploadFeeds = (options: UploadFeedsOptions = {}): UploadFeedsShape => {
  const live = options.live ?? makeLiveFeeds(options)
  const viewUpload = options.viewUpload ?? ((doc: UploadDoc) => doc)
  return {
    open: ({ kind, uploadId, ...client }) => live.open(uploadFeedSource({ kind, viewUpload }, uploadId), client),
    hub: live.hub,
    limits: live.limits
  }
}

/** The process's upload and video feeds (Main.ts), over its LiveFeeds: handed to the SSE routes and the realtime listener alike. */
export class UploadFeeds extends Context.Service<UploadFeeds, UploadFeedsShape>()("keyframe/UploadFeeds") {
  static readonly layer = (options: UploadFeedsOptions = {}): Layer.Layer<UploadFeeds, never, LiveFeeds> =>
    Layer.effect(UploadFeeds, Effect.map(LiveFeeds, (live) => makeUploadFeeds({ ...options, live })))
}
