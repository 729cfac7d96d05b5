/** Catch-up subscriptions on KurrentDB as Effect streams: the server replays history, then goes live. */
import { END, type KurrentDBClient, START } from "@kurrent/kurrentdb-client"
import { Effect, Stream } from "effect"
import type { EventStoreUnavailable } from "../EventStoreError.ts"
import type { EventFilter, ReadCursor, RecordedEvent } from "../EventStoreTypes.ts"
import { numberToPosition, planFilter, toRecordedEvent, unavailable } from "./KurrentMapping.ts"

interface Subscription extends AsyncIterable<unknown> {
  unsubscribe(): Promise<void>
  destroy(): void
}

/** Opens the subscription for the stream's lifetime and cancels it (server side too) when the stream ends. */
const fromSubscription = (
  operation: string,
  open: () => Subscription,
  keep: (event: RecordedEvent) => boolean
): Stream.Stream<RecordedEvent, EventStoreUnavailable> =>
  Stream.unwrap(
    Effect.gen(function*() {
      const subscription = yield* Effect.acquireRelease(
        Effect.try({ try: open, catch: unavailable(operation) }),
        (s) =>
          Effect.tryPromise(() => s.unsubscribe()).pipe(
            Effect.ignore,
            Effect.andThen(Effect.sync(() => s.destroy()))
          )
      )
      return Stream.fromAsyncIterable(subscription, unavailable(operation)).pipe(
        Stream.mapEffect((resolved) =>
          Effect.try({ try: () => toRecordedEvent(resolved as Parameters<typeof toRecordedEvent>[0]), catch: unavailable(operation) })
        ),
        Stream.filter((event): event is RecordedEvent => event !== undefined && keep(event))
      )
    })
  )

/**
 * KurrentDB starts a catch-up subscription strictly after the given position, like the port; the
 * position check here only guards against a server that would not. "end" is live only.
 */
export const subscribeAll = (
  client: KurrentDBClient,
  after: ReadCursor,
  filter: EventFilter | undefined
): Stream.Stream<RecordedEvent, EventStoreUnavailable> => {
  const plan = planFilter(filter)
  const fromPosition = after === "start" || after === 0 ? START : after === "end" ? END : numberToPosition(after)
  return fromSubscription(
    "subscribeToAll",
    () => client.subscribeToAll({ fromPosition, filter: plan.server }),
    (e) => plan.keep(e) && (typeof after !== "number" || e.position > after)
  )
}

/** Same for one stream, by revision; a stream that does not exist yet is waited for. */
export const subscribeStream = (
  client: KurrentDBClient,
  stream: string,
  after: ReadCursor
): Stream.Stream<RecordedEvent, EventStoreUnavailable> => {
  const fromRevision = after === "start" ? START : after === "end" ? END : BigInt(after)
  return fromSubscription(
    "subscribeToStream",
    () => client.subscribeToStream(stream, { fromRevision }),
    (e) => e.stream === stream && (typeof after !== "number" || e.revision > after)
  )
}
