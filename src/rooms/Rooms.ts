/**
 * The rooms use cases (DESIGN.md §3): every transport (HTTP routes in src/http/rooms/, the WebSocket
 * channel in src/realtime/) goes through this service, which sends the Room aggregate's commands
 * through the actors with the command ids of RoomCommandIds.ts.
 */
import { Context, Effect, Layer } from "effect"
import { ActorSystem, type SendError } from "../actors/ActorSystem.ts"
import type { CommandResult } from "../actors/CommandEnvelope.ts"
import { RoomAggregate } from "../domain/room/RoomAggregate.ts"
import type { RoomCommand } from "../domain/room/RoomCommands.ts"
import type { RoomError } from "../domain/room/RoomErrors.ts"
import type { RoomEvent } from "../domain/room/RoomEvents.ts"
import type { RoomState } from "../domain/room/RoomState.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { roomCommandIds } from "./RoomCommandIds.ts"
import { ROOMS_SYSTEM_ACTOR } from "./RoomsSystemActor.ts"

export type RoomResult = CommandResult<RoomEvent>
export type RoomSendError = SendError<RoomError>

/** Who asks, and what ties their request together in the events' metadata. */
export interface RoomCaller {
  readonly actor: Principal
  /** Request id or WebSocket connection id: the events' correlationId. */
  readonly correlationId?: string | undefined
  /** Idempotency-Key or a client message id: a repeat is answered with the first result. */
  readonly key?: string | undefined
}

export interface OpenRoomInput {
  readonly title?: string | undefined
  readonly videoId?: string | undefined
  readonly sponsored: boolean
}

export interface RoomsShape {
  /** Opens a room with a fresh id; the caller becomes its host. */
  open(caller: RoomCaller, input: OpenRoomInput): Effect.Effect<RoomResult & { readonly roomId: string }, RoomSendError>
  close(caller: RoomCaller, roomId: string): Effect.Effect<RoomResult, RoomSendError>
  join(caller: RoomCaller, roomId: string): Effect.Effect<RoomResult, RoomSendError>
  leave(caller: RoomCaller, roomId: string): Effect.Effect<RoomResult, RoomSendError>
  /** `messageId` names the message (one event per id); a WebSocket client's ids go through `roomCommandIds.clientMessageId`. */
  chat(caller: RoomCaller, roomId: string, messageId: string, text: string): Effect.Effect<RoomResult, RoomSendError>
  /** `leadMs`: how far ahead it takes effect (the realtime channel's max(2 × p95 RTT, 300 ms)); absent = now. */
  playback(
    caller: RoomCaller,
    roomId: string,
    action: "play" | "pause" | "seek",
    positionMs: number,
    leadMs?: number
  ): Effect.Effect<RoomResult, RoomSendError>
  /** As the system: the wait started at `waitingSince` is over (every connected member ready, or the timeout). */
  endPlaybackWait(roomId: string, waitingSince: number, reason: "ready" | "timeout", leadMs?: number): Effect.Effect<RoomResult, RoomSendError>
  /** Host settings: let a member drive playback, or take it back. */
  allowPlayback(caller: RoomCaller, roomId: string, userId: string, allowed: boolean): Effect.Effect<RoomResult, RoomSendError>
  /** Host settings: hand the room to another present member. */
  handOverHost(caller: RoomCaller, roomId: string, userId: string): Effect.Effect<RoomResult, RoomSendError>
  /** As the system: the member's last connection dropped at `disconnectedAt` and the grace period has passed. */
  markLeft(roomId: string, userId: string, disconnectedAt: number): Effect.Effect<RoomResult, RoomSendError>
  /** As the system (the janitor): closes the room if it has been idle for INACTIVE_ROOM_RETENTION_HOURS. */
  closeInactive(roomId: string): Effect.Effect<RoomResult, RoomSendError>
  /** The room as the aggregate holds it now, with its revision (-1 = no such stream). */
  current(roomId: string): Effect.Effect<{ readonly state: RoomState; readonly revision: number; readonly position: number }, RoomSendError>
}

export class Rooms extends Context.Service<Rooms, RoomsShape>()("keyframe/Rooms") {
  /** Needs only the actors: the room settings (capacities, grace, retention) reach the decider through them. */
  static readonly layer: Layer.Layer<Rooms, never, ActorSystem> = Layer.effect(
    Rooms,
    Effect.gen(function*() {
      const actors = yield* ActorSystem
      const send = (roomId: string, command: RoomCommand, actor: Principal, commandId: string | undefined, correlationId?: string) =>
        actors.send(RoomAggregate, roomId, { command, actor, commandId, correlationId })
      /**
       * The system's commands answer what a node observed (a socket gone, everyone ready), often about
       * changes another node's actor made: this node's cached room may be behind, and a decision that
       * changes nothing on a stale state appends nothing, so no conflict would ever correct it. Catch up first.
       */
      const caughtUp = (roomId: string) => Effect.asVoid(actors.current(RoomAggregate, roomId))
      const asMember = (verb: string, caller: RoomCaller, roomId: string, command: RoomCommand) =>
        send(roomId, command, caller.actor, roomCommandIds.byMember(verb, roomId, caller.actor.userId, caller.key), caller.correlationId)

      return Rooms.of({
        open: Effect.fn("Rooms.open")(function*(caller, input) {
          const roomId = crypto.randomUUID()
          const command: RoomCommand = {
            _tag: "OpenRoom",
            roomId,
            sponsored: input.sponsored,
            ...(input.title === undefined ? {} : { title: input.title }),
            ...(input.videoId === undefined ? {} : { videoId: input.videoId })
          }
          const result = yield* send(roomId, command, caller.actor, roomCommandIds.open(roomId), caller.correlationId)
          return { ...result, roomId }
        }),
        close: (caller, roomId) => asMember("close", caller, roomId, { _tag: "CloseRoom", roomId }),
        join: (caller, roomId) => asMember("join", caller, roomId, { _tag: "JoinRoom", roomId }),
        leave: (caller, roomId) => asMember("leave", caller, roomId, { _tag: "LeaveRoom", roomId }),
        chat: (caller, roomId, messageId, text) =>
          send(roomId, { _tag: "PostChat", roomId, messageId, text }, caller.actor, roomCommandIds.chat(roomId, messageId), caller.correlationId),
        playback: (caller, roomId, action, positionMs, leadMs) =>
          asMember("playback", caller, roomId, { _tag: "ControlPlayback", roomId, action, positionMs, ...(leadMs === undefined ? {} : { leadMs }) }),
        endPlaybackWait: Effect.fn("Rooms.endPlaybackWait")(function*(roomId, waitingSince, reason, leadMs) {
          yield* caughtUp(roomId)
          return yield* send(
            roomId,
            { _tag: "EndPlaybackWait", roomId, waitingSince, reason, ...(leadMs === undefined ? {} : { leadMs }) },
            ROOMS_SYSTEM_ACTOR,
            roomCommandIds.endPlaybackWait(roomId, waitingSince)
          )
        }),
        allowPlayback: (caller, roomId, userId, allowed) =>
          asMember("allow", caller, roomId, { _tag: "AllowPlaybackControl", roomId, userId, allowed }),
        handOverHost: (caller, roomId, userId) => asMember("host", caller, roomId, { _tag: "HandOverHost", roomId, userId }),
        markLeft: Effect.fn("Rooms.markLeft")(function*(roomId, userId, disconnectedAt) {
          yield* caughtUp(roomId)
          return yield* send(
            roomId,
            { _tag: "MarkMemberLeft", roomId, userId, disconnectedAt },
            ROOMS_SYSTEM_ACTOR,
            roomCommandIds.markLeft(roomId, userId, disconnectedAt)
          )
        }),
        closeInactive: Effect.fn("Rooms.closeInactive")(function*(roomId) {
          const { state } = yield* actors.current(RoomAggregate, roomId)
          const since = state.status === "Open" ? state.lastActivityAt : 0
          return yield* send(roomId, { _tag: "CloseInactiveRoom", roomId }, ROOMS_SYSTEM_ACTOR, roomCommandIds.closeInactive(roomId, since))
        }),
        current: (roomId) => actors.current(RoomAggregate, roomId)
      })
    })
  )
}
