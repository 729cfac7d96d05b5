/**
 * One event-store subscription per watched stream, shared by every live feed on it. Without it
 * each feed held its own catch-up subscription, and a commit woke one store read per feed; now it
 * wakes one per watched stream. The subscription opens with the first feed of a stream, fans each
 * event out to that stream's feeds, and closes when the last one leaves.
 */
import { Cause, Data, Effect, type Exit, Fiber, Queue, Stream } from "effect"
import { EventStore, type EventStoreShape } from "../eventstore/EventStore.ts"
import type { EventStoreError } from "../eventstore/EventStoreError.ts"
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"

/** A feed did not take its events as fast as they came: it is ended (the client resumes from its last id). */
export class FeedLagging extends Data.TaggedError("FeedLagging")<{ readonly backlog: number }> {}

export interface FeedHubStats {
  /** Store subscriptions opened so far: one each time a stream goes from no feed to one. */
  readonly subscriptionsOpened: number
  /** Streams with an open subscription now. */
  readonly streamsWatched: number
  /** Feeds attached now. */
  readonly feeds: number
  /** Events the subscriptions read from the store: each once, however many feeds got it. */
  readonly eventsRead: number
}

export interface FeedHub {
  /**
   * The events of `stream` after revision `after`, in order, no gap, no duplicate, then live: what
   * `subscribeToStream(stream, { after })` gives, from the stream's one shared subscription. The
   * feed attaches first, then reads what was committed before it attached once; the rest comes
   * from the shared subscription (a new one starts at `after`).
   */
  watch(stream: string, after: number): Stream.Stream<RecordedEvent, EventStoreError | FeedLagging, EventStore>
  readonly stats: () => FeedHubStats
}

type Inbox = Queue.Queue<RecordedEvent, EventStoreError | FeedLagging | Cause.Done>

interface Topic {
  readonly inboxes: Set<Inbox>
  fiber: Fiber.Fiber<void, unknown> | undefined
}

/** Events a feed may fall behind by before it is ended. */
const DEFAULT_BACKLOG = 1_000

export const makeFeedHub = (options: { readonly maxBacklog?: number } = {}): FeedHub => {
  const backlog = options.maxBacklog ?? DEFAULT_BACKLOG
  const topics = new Map<string, Topic>()
  let subscriptionsOpened = 0
  let eventsRead = 0

  const fanOut = (topic: Topic, event: RecordedEvent) => {
    eventsRead++
    for (const inbox of topic.inboxes) {
      if (!Queue.offerUnsafe(inbox, event)) Queue.failCauseUnsafe(inbox, Cause.fail(new FeedLagging({ backlog })))
    }
  }

  // a failed subscription fails its feeds (they end with an error message) and is forgotten: the next feed opens a new one
  const closeTopic = (stream: string, topic: Topic, exit: Exit.Exit<void, EventStoreError>) =>
    Effect.sync(() => {
      if (topics.get(stream) === topic) topics.delete(stream)
      for (const inbox of topic.inboxes) {
        if (exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause)) Queue.failCauseUnsafe(inbox, exit.cause)
        else Queue.endUnsafe(inbox)
      }
    })

  const open = (store: EventStoreShape, stream: string, after: number, topic: Topic) =>
    store.subscribeToStream(stream, { after: after < 0 ? "start" : after }).pipe(
      Stream.runForEach((event) => Effect.sync(() => fanOut(topic, event))),
      Effect.onExit((exit) => closeTopic(stream, topic, exit)),
      Effect.forkDetach
    )

  const leave = (stream: string, topic: Topic, inbox: Inbox) =>
    Effect.suspend(() => {
      topic.inboxes.delete(inbox)
      if (topic.inboxes.size > 0 || topics.get(stream) !== topic) return Effect.void
      topics.delete(stream)
      return topic.fiber === undefined ? Effect.void : Fiber.interrupt(topic.fiber)
    })

  /** Attaches an inbox to the stream's topic until the scope closes, opening the subscription for the first one. */
  const attach = (stream: string, after: number) =>
    Effect.gen(function*() {
      const store = yield* EventStore
      const inbox: Inbox = yield* Queue.dropping<RecordedEvent, EventStoreError | FeedLagging | Cause.Done>(backlog)
      let topic = topics.get(stream)
      const fresh = topic === undefined
      if (topic === undefined) {
        topic = { inboxes: new Set(), fiber: undefined }
        topics.set(stream, topic)
        subscriptionsOpened++
      }
      topic.inboxes.add(inbox)
      const joined = topic
      yield* Effect.addFinalizer(() => leave(stream, joined, inbox))
      if (fresh) joined.fiber = yield* open(store, stream, after, joined)
      return { store, inbox }
    })

  return {
    watch: (stream, after) =>
      Stream.unwrap(Effect.gen(function*() {
        const { store, inbox } = yield* attach(stream, after)
        // attached first: whatever commits from now on reaches the inbox; what came before is read here
        const missed = yield* store.readStream(stream, { fromRevision: Math.max(0, after + 1) })
        let cursor = after
        return Stream.concat(Stream.fromIterable(missed), Stream.fromQueue(inbox)).pipe(
          Stream.filter((event) => {
            if (event.revision <= cursor) return false
            cursor = event.revision
            return true
          })
        )
      })),
    stats: () => ({
      subscriptionsOpened,
      streamsWatched: topics.size,
      feeds: [...topics.values()].reduce((n, t) => n + t.inboxes.size, 0),
      eventsRead
    })
  }
}
