/**
 * What the media workers and the quota reconciler share: a catch-up subscription to one category's
 * events, folded into a tracker, and a durable checkpoint that the tracker places (just before the
 * oldest thing it still follows). The checkpoint is stored only once the history that existed at start
 * has been read, so a restart never skips what a half-replayed tracker had not seen yet.
 */
import { Effect, Option, type Result, Schedule, type Scope, Stream } from "effect"
import { EventStore } from "../eventstore/EventStore.ts"

/** Folds events in position order; `checkpoint()` is where a restart must replay from. */
export interface FollowedTracker<E> {
  lastPosition: number
  apply(position: number, event: E): void
  checkpoint(): number
}

export interface FollowOptions<E> {
  /** Names the follower in log lines ("media workers"). */
  readonly label: string
  readonly checkpointName: string
  readonly streamPrefixes: ReadonlyArray<string>
  readonly codec: {
    decode(input: { readonly type: string; readonly data: unknown; readonly schemaVersion: number }): Result.Result<E, unknown>
  }
  readonly tracker: FollowedTracker<E>
  /** Called after each event is folded in (wakes the caller's scheduler). */
  readonly onEvent: () => void
}

export interface Following {
  /** The tracker has seen everything that existed when the follow started. */
  readonly caughtUp: () => boolean
  /** The checkpoint found at start. */
  readonly stored: Option.Option<number>
}

/** Starts following in the current scope; the checkpoint is saved every second and when the scope closes. */
export const followWithCheckpoint = <E>(options: FollowOptions<E>): Effect.Effect<Following, never, EventStore | Scope.Scope> =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const scope = yield* Effect.scope
    const { tracker, label, checkpointName } = options
    const filter = { streamPrefixes: options.streamPrefixes }
    let storedCheckpoint = -1

    const newest = yield* store.readAll({ direction: "backwards", maxCount: 1, filter }).pipe(
      Effect.map((events) => events[0]?.position ?? 0),
      Effect.orElseSucceed(() => 0)
    )
    const caughtUp = () => tracker.lastPosition >= newest

    const stored = yield* store.readCheckpoint(checkpointName).pipe(Effect.orElseSucceed(() => Option.none<number>()))
    const follow = Effect.suspend(() => {
      const after = tracker.lastPosition > 0 ? tracker.lastPosition : Option.getOrElse(stored, () => "start" as const)
      return store.subscribeToAll({ after, filter }).pipe(
        Stream.runForEach((recorded) =>
          Effect.sync(() => {
            const decoded = options.codec.decode({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion })
            // an event this version cannot read still moves the position on: it is not ours to act on
            if (decoded._tag === "Success") tracker.apply(recorded.position, decoded.success)
            else tracker.lastPosition = Math.max(tracker.lastPosition, recorded.position)
            options.onEvent()
          })
        )
      )
    }).pipe(
      Effect.tapError((e) => Effect.logWarning(`${label}: the event subscription failed, resubscribing: ${e.message}`)),
      Effect.retry(Schedule.min([Schedule.exponential("250 millis"), Schedule.spaced("10 seconds")]))
    )

    const saveCheckpoint = Effect.suspend(() => {
      const position = tracker.checkpoint()
      if (position <= 0 || position === storedCheckpoint || !caughtUp()) return Effect.void
      return store.storeCheckpoint(checkpointName, position).pipe(
        Effect.tap(() => Effect.sync(() => void (storedCheckpoint = position))),
        Effect.catch((e) => Effect.logWarning(`${label}: checkpoint not stored: ${e.message}`))
      )
    })

    yield* Effect.forkIn(follow, scope)
    yield* Effect.forkIn(Effect.repeat(saveCheckpoint, Schedule.spaced("1 second")), scope)
    yield* Effect.addFinalizer(() => saveCheckpoint)
    return { caughtUp, stored }
  })
