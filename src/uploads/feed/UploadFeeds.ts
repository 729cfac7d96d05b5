/**
 * The live feeds of uploads (and of the videos they become), transport-neutral: one per process
 * (`UploadFeeds.layer`), so the SSE routes and the WebSocket feed share one FeedHub (one store
 * subscription per watched upload) and one set of caps. `open` checks who may watch, takes a slot and
 * gives the messages: a snapshot (or, resuming after a global position, every stored change after it),
 * then the live ones until the upload finishes, the lifetime ends or the credential expires.
 */
import { Context, Data, Effect, Layer, Stream } from "effect"
import type { UploadDoc } from "../../../projections/UploadsProjection.ts"
import type { Principal } from "../../domain/shared/Decider.ts"
import { VideoEventCodec } from "../../domain/video/VideoAggregate.ts"
import { evolveVideo, initialVideoState, visibleToOthers } from "../../domain/video/VideoState.ts"
import { EventStore } from "../../eventstore/EventStore.ts"
import type { EventStoreError } from "../../eventstore/EventStoreError.ts"
import type { ProcessingProgress } from "../ProcessingProgress.ts"
import { feedDeadline, reconnectMessage, untilDeadline } from "./FeedEnd.ts"
import { type FeedHub, makeFeedHub } from "./FeedHub.ts"
import { type FeedLimits, makeFeedLimits, type TooManyFeeds } from "./FeedLimits.ts"
import type { FeedMessage } from "./FeedMessage.ts"
import { DEFAULT_FEED_LIMITS, type FeedSettings } from "./FeedOptions.ts"
import { emptyFeed, endMessage, type FeedKind, type FeedSpec, foldFeed, isFinished, liveMessages, messageFor, snapshotMessage } from "./UploadFeed.ts"

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

/** No such upload, or not one this actor may watch (the same answer, so a stranger learns nothing): 404. */
export class FeedNotFound extends Data.TaggedError("FeedNotFound")<{ readonly message: string }> {}

export interface FeedRequest {
  readonly kind: FeedKind
  readonly uploadId: string
  readonly actor: Principal
  /** Resume after this global position (SSE Last-Event-ID, WebSocket `?since=`); undefined: start with a snapshot. */
  readonly after: number | undefined
  /** When the credential that opened the feed expires, ms since the epoch: the feed ends then. */
  readonly credentialExpiresAt: number | undefined
  /** The client's address, for FEED_MAX_PER_IP. */
  readonly clientAddress: string
}

export type FeedOpening =
  /** Resumed after the upload's end: nothing more will come (SSE answers 204, the WebSocket closes 1000). */
  | { readonly _tag: "Ended" }
  /** The messages, in order; the feed's slot is given back when they end, or by `release` (idempotent) if they never run. */
  | { readonly _tag: "Open"; readonly messages: Stream.Stream<FeedMessage, EventStoreError, FeedServices>; readonly release: () => void }

export interface UploadFeedsShape {
  open(request: FeedRequest): Effect.Effect<FeedOpening, FeedNotFound | TooManyFeeds | EventStoreError, FeedServices>
  readonly hub: FeedHub
  readonly limits: FeedLimits
}

export interface UploadFeedsOptions extends FeedSettings {
  /** How an upload document is shown (the query API's view, src/http/queries/UploadView.ts); default: as stored. */
  readonly viewUpload?: ((doc: UploadDoc) => unknown) | undefined
}

export const makeUploadFeeds = (options: UploadFeedsOptions = {}): UploadFeedsShape => {
  const hub = options.hub ?? makeFeedHub()
  const limits = makeFeedLimits({
    maxPerUser: options.maxPerUser ?? DEFAULT_FEED_LIMITS.maxPerUser,
    maxPerIp: options.maxPerIp ?? DEFAULT_FEED_LIMITS.maxPerIp
  })
  const maxLifetimeMillis = (options.maxLifetimeSeconds ?? DEFAULT_FEED_LIMITS.maxLifetimeSeconds) * 1000
  const viewUpload = options.viewUpload ?? ((doc: UploadDoc) => doc)

  const open = (request: FeedRequest) =>
    Effect.gen(function*() {
      const { kind, uploadId, actor, after } = request
      const spec: FeedSpec = { kind, viewUpload }
      const stream = `upload-${uploadId}`
      const history = yield* (yield* EventStore).readStream(stream)
      let state = emptyFeed
      const backlog: Array<FeedMessage> = []
      for (const event of history) {
        const before = state
        state = foldFeed(state, event)
        if (after !== undefined && event.position > after) backlog.push(messageFor(spec, before, state, event))
      }
      const upload = state.upload
      // others see a video's feed only when its Video lets them (public or unlisted, published, not taken down)
      const visible = upload !== undefined &&
        (upload.ownerId === actor.userId || actor.roles.includes("admin") ||
          (kind === "video" && state.video?.status === "ready" && (yield* videoVisibleToOthers(uploadId))))
      if (!visible) return yield* new FeedNotFound({ message: `there is no ${kind} "${uploadId}"` })
      const finished = isFinished(state)
      if (after !== undefined && backlog.length === 0 && finished) return { _tag: "Ended" } as const
      const last = history[history.length - 1]!
      const first = Stream.fromIterable(after === undefined ? [snapshotMessage(spec, state, last.position)] : backlog)
      if (finished) {
        // only a live feed holds a slot: a finished one ends right away
        return { _tag: "Open", messages: Stream.concat(first, Stream.make(endMessage(state))), release: () => {} } as const
      }
      const slot = limits.acquire(actor.userId, request.clientAddress)
      if (typeof slot !== "function") return yield* slot
      const now = Date.now()
      const live = liveMessages(spec, hub, stream, uploadId, last.revision, state).pipe(
        Stream.catchTag("FeedLagging", () => Stream.make(reconnectMessage("lagging")))
      )
      const messages = Stream.concat(first, untilDeadline(live, feedDeadline(now, maxLifetimeMillis, request.credentialExpiresAt), now)).pipe(
        Stream.ensuring(Effect.sync(slot))
      )
      return { _tag: "Open", messages, release: slot } as const
    })

  return { open, hub, limits }
}

/** The process's live feeds: built once (Main.ts) and handed to the SSE routes and the realtime listener alike. */
export class UploadFeeds extends Context.Service<UploadFeeds, UploadFeedsShape>()("keyframe/UploadFeeds") {
  static readonly layer = (options: UploadFeedsOptions = {}): Layer.Layer<UploadFeeds> => Layer.sync(UploadFeeds, () => makeUploadFeeds(options))
}
