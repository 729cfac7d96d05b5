/**
 * The live feed of one live stream (`GET /streams/:id/events`, `ws://…/streams/:id`): a kind of the
 * process's LiveFeeds, folding the stream's events with the streams read model's own evolve, so each
 * message carries the document `GET /streams/:id` serves (state, bytesReceived, bytesUploaded,
 * partsUploaded, lagBytes, lastGrowthAt, and how it ended). The stored document is sent as is: the
 * query's `idleSeconds` depends on when it is read, and a client has `lastGrowthAt` to count from.
 * Owner and admins only; it ends when the stream is finalized or failed.
 */
import { Context, Effect, Layer } from "effect"
import {
  decodeStreamEvent,
  evolveStreamDoc,
  FINISHED_STREAM_STATES,
  STREAM_EVENT_TYPES,
  type StreamDoc
} from "../../../projections/StreamsProjection.ts"
import type { EventStore } from "../../eventstore/EventStore.ts"
import type { RecordedEvent } from "../../eventstore/EventStoreTypes.ts"
import type { FeedMessage } from "../../feeds/FeedMessage.ts"
import { type FeedClient, type FeedOpenError, type FeedOpening, type FeedSource, LiveFeeds, type LiveFeedsShape } from "../../feeds/LiveFeeds.ts"

type State = StreamDoc | undefined

const STREAM_EVENTS: ReadonlySet<string> = new Set(STREAM_EVENT_TYPES)

const fold = (doc: State, event: RecordedEvent): State =>
  STREAM_EVENTS.has(event.type) ? evolveStreamDoc(doc, decodeStreamEvent(event), event) : doc

/** "state" when the stream's state changed (live → ended → finalized | failed), "progress" otherwise. */
const message = (before: State, after: State, event: RecordedEvent): FeedMessage => ({
  id: String(event.position),
  event: before?.state !== after?.state ? "state" : "progress",
  data: { type: event.type, position: event.position, revision: event.revision, recordedAt: event.recordedAt, stream: after ?? null }
})

/** Finalized or failed: nothing more will come (a resume answers 204 / closes 1000). */
const end = (doc: State): FeedMessage => ({
  event: "end",
  data: {
    state: doc?.state ?? null,
    reason: "finished",
    reconnect: false,
    failureReason: doc?.failureReason ?? null,
    failureDetail: doc?.failureDetail ?? null
  }
})

export const streamFeedSource = (streamId: string): FeedSource<State> => ({
  stream: `stream-${streamId}`,
  notFound: `there is no stream "${streamId}"`,
  initial: undefined,
  fold,
  visible: (doc, actor) => Effect.succeed(doc !== undefined && (doc.ownerId === actor.userId || actor.roles.includes("admin"))),
  message,
  snapshot: (doc, position) => ({ id: String(position), event: "snapshot", data: { position, stream: doc ?? null } }),
  finished: (doc) => doc !== undefined && FINISHED_STREAM_STATES.includes(doc.state),
  end
})

export interface StreamFeedRequest extends FeedClient {
  readonly streamId: string
}

export interface StreamFeedsShape {
  open(request: StreamFeedRequest): Effect.Effect<FeedOpening<EventStore>, FeedOpenError, EventStore>
}

export const makeStreamFeeds = (live: LiveFeedsShape): StreamFeedsShape => ({
  open: ({ streamId, ...client }) => live.open(streamFeedSource(streamId), client)
})

/** The process's live stream feeds (Main.ts), over its LiveFeeds: the SSE routes and the realtime listener share them. */
export class StreamFeeds extends Context.Service<StreamFeeds, StreamFeedsShape>()("keyframe/StreamFeeds") {
  static readonly layer: Layer.Layer<StreamFeeds, never, LiveFeeds> = Layer.effect(StreamFeeds, Effect.map(LiveFeeds, makeStreamFeeds))
}
