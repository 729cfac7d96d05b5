/**
 * The janitor for idle rooms: it follows the room events, keeps each open room's state (the decider's
 * own evolve, so "activity" means what the Room aggregate says), and once a room has been idle for
 * INACTIVE_ROOM_RETENTION_HOURS sends CloseInactiveRoom as the system (Rooms.closeInactive; its command id
 * carries the last activity, so janitors on several nodes and retries close it once). The room ends with
 * `RoomClosed` reason "inactive", visible in the audit. A room that became active meanwhile answers
 * RoomActive with its new closing time, and is looked at again then.
 */
import { Clock, Context, Effect, Layer } from "effect"
import { RoomEventCodec } from "../domain/room/RoomAggregate.ts"
import type { RoomEvent } from "../domain/room/RoomEvents.ts"
import { evolveRoom, initialRoomState, type RoomState } from "../domain/room/RoomState.ts"
import { isDomainError } from "../domain/shared/DomainError.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import { Rooms } from "../rooms/Rooms.ts"
import { followWithCheckpoint, type FollowedTracker } from "./CheckpointedFollow.ts"

export interface RoomJanitorOptions {
  /** INACTIVE_ROOM_RETENTION_HOURS in ms. */
  readonly retentionMs: number
  /** Longest sleep between looks; default 60 s (rooms idle for hours need no finer grain). */
  readonly pollMs?: number | undefined
  /** Back-off after a failed close; default 60 s. */
  readonly retryMs?: number | undefined
  readonly checkpointName?: string | undefined
}

/** Open rooms by id with the position of their first event: the checkpoint stays before the oldest. */
class OpenRooms implements FollowedTracker<RoomEvent> {
  lastPosition = 0
  readonly rooms = new Map<string, { state: RoomState; openedAt: number; retryAt: number }>()

  apply(position: number, event: RoomEvent) {
    this.lastPosition = Math.max(this.lastPosition, position)
    const known = this.rooms.get(event.roomId)
    const state = evolveRoom(known?.state ?? initialRoomState, event)
    if (state.status === "Open") this.rooms.set(event.roomId, { state, openedAt: known?.openedAt ?? position, retryAt: 0 })
    else this.rooms.delete(event.roomId)
  }

  checkpoint() {
    let oldest = this.lastPosition
    for (const room of this.rooms.values()) oldest = Math.min(oldest, room.openedAt - 1)
    return oldest
  }
}

export interface RoomJanitorShape {
  readonly status: Effect.Effect<{ readonly openRooms: number; readonly closed: number; readonly caughtUp: boolean }>
}

export class RoomJanitor extends Context.Service<RoomJanitor, RoomJanitorShape>()("keyframe/RoomJanitor") {
  /** Runs in the layer's scope. */
  static layer(options: RoomJanitorOptions): Layer.Layer<RoomJanitor, never, EventStore | Rooms> {
    return Layer.effect(RoomJanitor, makeJanitor(options))
  }
}

const makeJanitor = (options: RoomJanitorOptions) =>
  Effect.gen(function*() {
    const rooms = yield* Rooms
    const scope = yield* Effect.scope
    const pollMs = options.pollMs ?? 60_000
    const retryMs = options.retryMs ?? 60_000
    const tracker = new OpenRooms()
    let closed = 0
    const { caughtUp } = yield* followWithCheckpoint({
      label: "room janitor",
      checkpointName: options.checkpointName ?? "room-janitor",
      streamPrefixes: ["room-"],
      codec: RoomEventCodec,
      tracker,
      // activity only moves a closing time later: no need to look at the rooms on every event
      onEvent: () => {}
    })

    const closeIdle = (roomId: string, now: number) =>
      rooms.closeInactive(roomId).pipe(
        Effect.tap(() => Effect.sync(() => void closed++)),
        Effect.tap(() => Effect.logInfo(`room janitor: room ${roomId} was idle past INACTIVE_ROOM_RETENTION_HOURS and is closed`)),
        Effect.catchIf(isDomainError, (e) =>
          Effect.sync(() => {
            const room = tracker.rooms.get(roomId)
            // RoomActive: used meanwhile; its state here catches up from the subscription
            if (room !== undefined) room.retryAt = "closesAt" in e && typeof e.closesAt === "number" ? e.closesAt : now + retryMs
          })),
        Effect.catchCause((cause) =>
          Effect.andThen(
            Effect.sync(() => {
              const room = tracker.rooms.get(roomId)
              if (room !== undefined) room.retryAt = now + retryMs
            }),
            Effect.logWarning(`room janitor: closing room ${roomId} failed; again in ${retryMs} ms`, cause)
          )
        )
      )

    const schedule = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        let next = now + pollMs
        if (caughtUp()) {
          for (const [roomId, room] of [...tracker.rooms]) {
            if (room.state.status !== "Open") continue
            const due = Math.max(room.state.lastActivityAt + options.retentionMs, room.retryAt)
            if (due <= now) yield* closeIdle(roomId, now)
            else next = Math.min(next, due)
          }
        }
        yield* Effect.sleep(Math.max(5, next - now))
      }
    })
    yield* Effect.forkIn(schedule, scope)
    yield* Effect.logInfo(`room janitor started (retention ${Math.round(options.retentionMs / 3_600_000 * 10) / 10} h)`)

    return RoomJanitor.of({
      status: Effect.sync(() => ({ openRooms: tracker.rooms.size, closed, caughtUp: caughtUp() }))
    })
  })
