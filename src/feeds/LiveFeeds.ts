/**
 * What every live feed shares (an upload's, a video's, a live stream's), transport-neutral. A feed
 * reads its aggregate's stream and folds it with its read model's pure evolve, so each message carries
 * the document as it is after that event. `open` checks who may watch, takes a slot of the caps and
 * gives the messages: a snapshot (or, resuming after a global position, every stored change after it),
 * then the live ones from the hub's shared subscription until the document is finished, the lifetime
 * ends or the credential expires. One per process (`LiveFeeds.layer`): SSE and WebSocket feeds of
 * every kind share one FeedHub (one store subscription per watched stream) and one set of caps.
 */
import { Context, Data, Effect, Layer, Stream } from "effect"
import type { Principal } from "../domain/shared/Decider.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import type { EventStoreError } from "../eventstore/EventStoreError.ts"
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"
import { feedDeadline, reconnectMessage, untilDeadline } from "./FeedEnd.ts"
import { type FeedHub, makeFeedHub } from "./FeedHub.ts"
import { type FeedLimits, makeFeedLimits, type TooManyFeeds } from "./FeedLimits.ts"
import type { FeedMessage } from "./FeedMessage.ts"
import { DEFAULT_FEED_LIMITS, type FeedSettings } from "./FeedOptions.ts"

/** No such thing, or not one this actor may watch (the same answer, so a stranger learns nothing): 404. */
export class FeedNotFound extends Data.TaggedError("FeedNotFound")<{ readonly message: string }> {}

/** One kind of feed over one aggregate's stream: its fold, who may watch it, and its messages. */
export interface FeedSource<S, R = never> {
  /** The aggregate's stream, e.g. `upload-<id>`. */
  readonly stream: string
  /** The 404 text for no such feed, or one this actor may not watch. */
  readonly notFound: string
  readonly initial: S
  readonly fold: (state: S, event: RecordedEvent) => S
  /** Whether `actor` may watch, once the history is folded. */
  readonly visible: (state: S, actor: Principal) => Effect.Effect<boolean, EventStoreError, R>
  /** The message for one stored event; its `id` is the event's global position. */
  readonly message: (before: S, after: S, event: RecordedEvent) => FeedMessage
  /** The first message of a feed that does not resume, as of global position `position`. */
  readonly snapshot: (state: S, position: number) => FeedMessage
  /** Nothing more will come: the feed ends with `end(state)` (`reconnect: false`). */
  readonly finished: (state: S) => boolean
  readonly end: (state: S) => FeedMessage
  /** Ephemeral messages (no id) merged into the live part, e.g. transcode percentages. */
  readonly ephemeral?: Stream.Stream<FeedMessage, never, R> | undefined
}

/** Who opens a feed, from where, and from which point. */
export interface FeedClient {
  readonly actor: Principal
  /** Resume after this global position (SSE Last-Event-ID, WebSocket `?since=`); undefined: start with a snapshot. */
  readonly after: number | undefined
  /** When the credential that opened the feed expires, ms since the epoch: the feed ends then. */
  readonly credentialExpiresAt: number | undefined
  /** The client's address, for FEED_MAX_PER_IP. */
  readonly clientAddress: string
}

export type FeedOpening<R = EventStore> =
  /** Resumed after the end: nothing more will come (SSE answers 204, the WebSocket closes 1000). */
  | { readonly _tag: "Ended" }
  /** The messages, in order; the feed's slot is given back when they end, or by `release` (idempotent) if they never run. */
  | { readonly _tag: "Open"; readonly messages: Stream.Stream<FeedMessage, EventStoreError, R>; readonly release: () => void }

export type FeedOpenError = FeedNotFound | TooManyFeeds | EventStoreError

export interface LiveFeedsShape {
  open<S, R>(source: FeedSource<S, R>, client: FeedClient): Effect.Effect<FeedOpening<R | EventStore>, FeedOpenError, R | EventStore>
  readonly hub: FeedHub
  readonly limits: FeedLimits
}

/**
 * Live messages after the stream's revision `after`, folded on from `start`, until the source is
 * finished (its end message is the last), merged with the source's ephemeral messages.
 */
const liveMessages = <S, R>(source: FeedSource<S, R>, hub: FeedHub, after: number, start: S) =>
  Stream.unwrap(Effect.sync(() => {
    let state = start
    const stored = hub.watch(source.stream, after).pipe(
      Stream.map((event) => {
        const before = state
        state = source.fold(state, event)
        return { message: source.message(before, state, event), finished: source.finished(state) }
      }),
      Stream.takeUntil((m) => m.finished),
      Stream.flatMap((m) => Stream.fromIterable(m.finished ? [m.message, source.end(state)] : [m.message]))
    )
    return source.ephemeral === undefined ? stored : Stream.merge(stored, source.ephemeral, { haltStrategy: "left" })
  }))

export const makeLiveFeeds = (settings: FeedSettings = {}): LiveFeedsShape => {
  const hub = settings.hub ?? makeFeedHub()
  const limits = makeFeedLimits({
    maxPerUser: settings.maxPerUser ?? DEFAULT_FEED_LIMITS.maxPerUser,
    maxPerIp: settings.maxPerIp ?? DEFAULT_FEED_LIMITS.maxPerIp
  })
  const maxLifetimeMillis = (settings.maxLifetimeSeconds ?? DEFAULT_FEED_LIMITS.maxLifetimeSeconds) * 1000

  const open = <S, R>(source: FeedSource<S, R>, client: FeedClient) =>
    Effect.gen(function*() {
      const { after } = client
      const history = yield* (yield* EventStore).readStream(source.stream)
      let state = source.initial
      const backlog: Array<FeedMessage> = []
      for (const event of history) {
        const before = state
        state = source.fold(state, event)
        if (after !== undefined && event.position > after) backlog.push(source.message(before, state, event))
      }
      const last = history[history.length - 1]
      if (last === undefined || !(yield* source.visible(state, client.actor))) return yield* new FeedNotFound({ message: source.notFound })
      const finished = source.finished(state)
      if (after !== undefined && backlog.length === 0 && finished) return { _tag: "Ended" } as const
      const first = Stream.fromIterable(after === undefined ? [source.snapshot(state, last.position)] : backlog)
      if (finished) {
        // only a live feed holds a slot: a finished one ends right away
        return { _tag: "Open", messages: Stream.concat(first, Stream.make(source.end(state))), release: () => {} } as const
      }
      const slot = limits.acquire(client.actor.userId, client.clientAddress)
      if (typeof slot !== "function") return yield* slot
      const now = Date.now()
      const live = liveMessages(source, hub, last.revision, state).pipe(
        Stream.catchTag("FeedLagging", () => Stream.make(reconnectMessage("lagging")))
      )
      const messages = Stream.concat(first, untilDeadline(live, feedDeadline(now, maxLifetimeMillis, client.credentialExpiresAt), now)).pipe(
        Stream.ensuring(Effect.sync(slot))
      )
      return { _tag: "Open", messages, release: slot } as const
    })

  return { open, hub, limits }
}

/** The process's live feeds: built once (Main.ts); the upload and stream feeds are kinds of it. */
export class LiveFeeds extends Context.Service<LiveFeeds, LiveFeedsShape>()("keyframe/LiveFeeds") {
  static readonly layer = (settings: FeedSettings = {}): Layer.Layer<LiveFeeds> => Layer.sync(LiveFeeds, () => makeLiveFeeds(settings))
}
