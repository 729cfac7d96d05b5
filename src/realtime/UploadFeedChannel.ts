/** `ws://host:WS_PORT/uploads/:id[?since=<position>]`: an upload's live feed over WebSocket (FeedChannel.ts), the messages of `GET /uploads/:id/events`. */
import { Effect, type Scope } from "effect"
import { type FeedServices, UploadFeeds } from "../uploads/feed/UploadFeeds.ts"
import { type FeedAdmitted, feedChannel, type FeedChannelOptions } from "./FeedChannel.ts"
import type { RealtimeChannel } from "./RealtimeChannel.ts"

/** The subprotocol the server answers with when the client offers it. */
export const UPLOAD_FEED_SUBPROTOCOL = "keyframe.uploads"

export const uploadFeedChannel = (options: FeedChannelOptions): Effect.Effect<RealtimeChannel<FeedAdmitted<FeedServices>>, never, UploadFeeds | FeedServices | Scope.Scope> =>
  Effect.flatMap(UploadFeeds, (feeds) =>
    feedChannel({
      segment: "uploads",
      noun: "upload",
      subprotocol: UPLOAD_FEED_SUBPROTOCOL,
      open: (uploadId, client) => feeds.open({ kind: "upload", uploadId, ...client })
    }, options))
