/** Catch-up subscriptions over SQL: read pages after a cursor; once caught up, wait for a wake-up or a slow poll. */
import { Deferred, Duration, Effect, Option, Schedule, Stream } from "effect"
import type { EventStoreError } from "../EventStoreError.ts"
import type { RecordedEvent } from "../EventStoreTypes.ts"
import type { Signal } from "./Signal.ts"

export interface CatchUpOptions {
  /** Rung after each commit of this process and on a remote commit notification. */
  readonly signal: Signal
  /** Safety net when a wake-up is lost (a listener reconnecting, another process without NOTIFY). */
  readonly pollInterval: Duration.Input
  readonly pageSize: number
  /** The cursor to start after. */
  readonly start: Effect.Effect<number, EventStoreError>
  /** Events strictly after the cursor, in order (a page). */
  readonly readAfter: (cursor: number, pageSize: number) => Effect.Effect<Page, EventStoreError>
  /** The cursor an event moves to (its position, or its revision). */
  readonly cursorOf: (event: RecordedEvent) => number
}

export interface Page {
  readonly events: ReadonlyArray<RecordedEvent>
  /**
   * How far the read looked, when it looked past the events it returned (a filtered read):
   * the cursor moves there. Safe because a read sees a prefix of the log.
   */
  readonly scannedTo?: number | undefined
  /** There may be more right away (the read stopped at its page size); default: a full page. */
  readonly more?: boolean | undefined
}

/** A subscription outlives a dropped connection (the pool reconnects): it retries a read for about 1.5 s, then fails. */
const TRANSIENT = { times: 4, schedule: Schedule.exponential("100 millis") }

interface State {
  readonly cursor: number
  /** The last read returned less than a page: wait before reading again. */
  readonly caughtUp: boolean
  /** Taken before the last read, so a commit after it is never missed. */
  readonly generation: Deferred.Deferred<void>
}

/**
 * No gap, no duplicate: each read starts strictly after the last delivered event, and the
 * writers guarantee that what a read sees is a prefix (see SqlEventStore.ts).
 */
export const catchUp = (options: CatchUpOptions): Stream.Stream<RecordedEvent, EventStoreError> =>
  Stream.unwrap(
    Effect.map(options.start, (cursor) =>
      Stream.paginate<State, RecordedEvent, EventStoreError>(
        { cursor, caughtUp: false, generation: options.signal.generation },
        (state) =>
          Effect.gen(function*() {
            if (state.caughtUp) yield* Effect.timeoutOption(Deferred.await(state.generation), options.pollInterval)
            const generation = options.signal.generation
            const page = yield* options.readAfter(state.cursor, options.pageSize).pipe(Effect.retry(TRANSIENT))
            const events = page.events
            const last = events.length > 0 ? options.cursorOf(events[events.length - 1]!) : state.cursor
            const next: State = {
              cursor: Math.max(last, page.scannedTo ?? last),
              caughtUp: !(page.more ?? events.length >= options.pageSize),
              generation
            }
            return [events, Option.some(next)] as const
          })
      )
    )
  )

export const DEFAULT_POLL_INTERVAL = Duration.seconds(1)

