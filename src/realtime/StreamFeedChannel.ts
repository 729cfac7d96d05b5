/** `ws://host:WS_PORT/streams/:id[?since=<position>]`: a live stream's feed over WebSocket (FeedChannel.ts), the messages of `GET /streams/:id/events`. */
import { Effect, type Scope } from "effect"
import type { EventStore } from "../eventstore/EventStore.ts"
import { StreamFeeds } from "../streams/feed/StreamFeeds.ts"
import { type FeedAdmitted, feedChannel, type FeedChannelOptions } from "./FeedChannel.ts"
import type { RealtimeChannel } from "./RealtimeChannel.ts"

/** The subprotocol the server answers with when the client offers it. */
export const STREAM_FEED_SUBPROTOCOL = "keyframe.streams"

export const streamFeedChannel = (options: FeedChannelOptions): Effect.Effect<RealtimeChannel<FeedAdmitted<EventStore>>, never, StreamFeeds | EventStore | Scope.Scope> =>
  Effect.flatMap(StreamFeeds, (feeds) =>
    feedChannel({
      segment: "streams",
      noun: "stream",
      subprotocol: STREAM_FEED_SUBPROTOCOL,
      open: (streamId, client) => feeds.open({ streamId, ...client })
    }, options))
