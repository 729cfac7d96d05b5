/**
 * One room connection: the welcome (fresh, replay after `since`, or a snapshot past the replay limit),
 * then every room event exactly once and in revision order (a gap in the live feed is filled from the
 * store), and the client's messages turned into Rooms calls answered with ack or error.
 */
import { Cause, Effect, Exit } from "effect"
import type { Principal } from "../domain/shared/Decider.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"
import { roomCommandIds } from "../rooms/RoomCommandIds.ts"
import { type RoomCaller, type RoomResult, Rooms } from "../rooms/Rooms.ts"
import { FrameRate } from "./FrameRate.ts"
import type { RoomHub } from "./RoomHub.ts"
import type { RoomTopics } from "./RoomTopics.ts"
import { type ClientMessage, decodeClientFrame, type ServerFrame } from "./RoomProtocol.ts"
import type { ReadyState } from "./LocalPresence.ts"
import { roomSnapshot } from "./RoomSnapshot.ts"
import { CloseCode, type RoomConnection, type RoomSocket } from "./RoomSocket.ts"
import { eventFrame, WireFrame } from "./WireFrame.ts"

export interface RoomChannelSettings {
  readonly replayMaxEvents: number
  readonly maxFrameBytes: number
  readonly messagesPerSecond: number
  readonly maxBackpressureBytes: number
  readonly memberGraceSeconds: number
  /** Longest wait for every connected member's ready after a play or seek. */
  readonly readyTimeoutMs: number
}

export type RoomRun = <A, E>(effect: Effect.Effect<A, E, Rooms | EventStore>) => Promise<Exit.Exit<A, E>>

export interface SessionDeps {
  readonly run: RoomRun
  readonly hub: RoomHub
  /** The room's native topic, where the transport has one: a caught-up session lets it deliver the events. */
  readonly topics?: RoomTopics | undefined
  readonly settings: RoomChannelSettings
  readonly now: () => number
  /** The welcome went out: the channel sends presence (never before the welcome). */
  readonly welcomed: () => void
  /** A ready/buffering report: the channel updates presence (and the playback wait). */
  readonly reportState: (state: ReadyState) => void
  /** The client's round trip from its ping (ephemeral). */
  readonly reportRtt: (rttMs: number) => void
  /** How far ahead a playback command takes effect now, ms. */
  readonly playbackLead: () => number
  /** The socket is gone: the channel updates presence and starts the grace timer. */
  readonly ended: () => void
}

export interface SessionInit {
  readonly id: string
  readonly roomId: string
  readonly actor: Principal
  readonly since: number | undefined
}

/** What a failed command becomes on the wire; domain rejections carry their own code. */
const errorFrame = (id: string, error: unknown): ServerFrame => {
  const tagged = typeof error === "object" && error !== null ? error as { code?: unknown; _tag?: unknown; message?: unknown } : {}
  if (typeof tagged.code === "string" && typeof tagged.message === "string") {
    return { type: "error", id, code: tagged.code, message: tagged.message, recoverable: true }
  }
  const busy = tagged._tag === "ActorBusy" || tagged._tag === "ConcurrencyConflict"
  return { type: "error", id, code: busy ? "BUSY" : "UNAVAILABLE", message: busy ? "the room is busy; send again" : "the room is unavailable; send again", recoverable: true }
}

export const openSession = (init: SessionInit, socket: RoomSocket, deps: SessionDeps): RoomConnection => {
  const { roomId, actor } = init
  const stream = `room-${roomId}`
  const rate = new FrameRate(deps.settings.messagesPerSecond, deps.now())
  let lastSent = -1
  let closed = false
  let commands: Promise<void> = Promise.resolve()

  const close = (code: number, reason: string) => {
    if (closed) return
    closed = true
    socket.close(code, reason)
  }

  // a slow consumer is dropped instead of growing this process's memory
  const checkBackpressure = () => {
    if (closed) return
    const queued = socket.bufferedAmount()
    if (queued > deps.settings.maxBackpressureBytes) {
      close(CloseCode.tryAgainLater, "too slow: reconnect with since")
      void deps.run(Effect.logWarning(`room ${roomId}: closed a slow consumer (${actor.userId}, ${queued} bytes queued) with 1013`))
    }
  }
  const write = (frame: WireFrame) => {
    if (closed) return
    socket.send(frame)
    checkBackpressure()
  }
  const send = (frame: ServerFrame) => write(WireFrame.of(frame))

  const sendEvent = (event: RecordedEvent) => {
    if (event.revision <= lastSent) return
    lastSent = event.revision
    write(eventFrame(event))
    if (event.type === "RoomClosed") close(CloseCode.normal, "room closed")
  }

  const readAfter = async (revision: number, count: number): Promise<ReadonlyArray<RecordedEvent>> => {
    // a reconnect that missed nothing (since = the current revision): the store refuses a read of 0 events
    if (count <= 0) return []
    const exit = await deps.run(EventStore.use((s) => s.readStream(stream, { fromRevision: revision + 1, maxCount: count })))
    if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
    return exit.value
  }

  const deliver = async (event: RecordedEvent) => {
    if (closed || event.revision <= lastSent) return
    // the live feed skipped something (a resubscription, a late subscriber): the store has it
    if (event.revision > lastSent + 1) for (const missed of await readAfter(lastSent, event.revision - lastSent - 1)) sendEvent(missed)
    sendEvent(event)
  }

  // Events wait here while the welcome or a gap's read is in flight; otherwise the next event goes out
  // at once (no promise or closure per socket per event: this runs for every member of the room).
  const waiting: Array<RecordedEvent> = []
  let busy = true
  // on the room's native topic: it delivers the events (RoomTopics.ts) until it sends this session back
  let leaveTopic: (() => void) | undefined
  const goLive = () => {
    if (leaveTopic !== undefined || deps.topics === undefined || socket.subscribe === undefined || closed || busy || waiting.length > 0) return
    if (deps.topics.published(roomId) !== lastSent) return
    leaveTopic = deps.topics.join(roomId, socket, {
      demoted: (revision) => {
        leaveTopic = undefined
        lastSent = Math.max(lastSent, revision)
      },
      published: checkBackpressure
    })
  }
  const drain = async () => {
    busy = true
    try {
      while (waiting.length > 0 && !closed) await deliver(waiting.shift()!)
    } catch {
      close(CloseCode.tryAgainLater, "the room feed failed: reconnect with since")
    }
    waiting.length = 0
    busy = false
    goLive()
  }

  const unsubscribe = deps.hub.subscribe(roomId, (event) => {
    if (leaveTopic !== undefined || closed || event.revision <= lastSent && !busy) return
    if (busy) waiting.push(event)
    else if (event.revision === lastSent + 1) {
      sendEvent(event)
      goLive()
    } else {
      waiting.push(event)
      void drain()
    }
  })

  const start = async () => {
    const exit = await deps.run(Rooms.use((r) => r.current(roomId)))
    if (Exit.isFailure(exit)) return close(CloseCode.tryAgainLater, "the room is unavailable: reconnect")
    const { state, revision } = exit.value
    const since = init.since
    const resumed = since === undefined ? "fresh" : since > revision || revision - since > deps.settings.replayMaxEvents ? "snapshot" : "replay"
    send({ type: "welcome", room: roomSnapshot(state, roomId), revision, serverTime: deps.now(), userId: actor.userId, resumed })
    deps.welcomed()
    if (resumed === "replay") {
      lastSent = since!
      for (const event of await readAfter(since!, revision - since!)) sendEvent(event)
    }
    lastSent = Math.max(lastSent, revision)
    if (state.status === "Closed") close(CloseCode.normal, "room closed")
  }
  void start().then(drain, () => {
    close(CloseCode.tryAgainLater, "the room is unavailable: reconnect")
    waiting.length = 0
  })

  const caller = (id: string): RoomCaller => ({ actor, correlationId: init.id, key: id })

  const command = (id: string, call: (rooms: Rooms["Service"]) => Effect.Effect<RoomResult, unknown>) => {
    commands = commands.then(async () => {
      const exit = await deps.run(Rooms.use(call))
      if (Exit.isSuccess(exit)) return send({ type: "ack", id, revision: exit.value.revision })
      const failure = Cause.findErrorOption(exit.cause)
      send(errorFrame(id, failure._tag === "Some" ? failure.value : undefined))
    })
  }

  const handle = (message: ClientMessage) => {
    switch (message.type) {
      case "ping":
        if (message.rttMs !== undefined) deps.reportRtt(message.rttMs)
        return send({ type: "pong", id: message.id, ...(message.clientTime === undefined ? {} : { clientTime: message.clientTime }), serverTime: deps.now() })
      case "ready":
      case "buffering":
        return deps.reportState(message.type)
      case "join":
        return command(message.id, (r) => r.join(caller(message.id), roomId))
      case "leave":
        return command(message.id, (r) => r.leave(caller(message.id), roomId))
      case "chat":
        return command(message.id, (r) => r.chat(caller(message.id), roomId, roomCommandIds.clientMessageId(actor.userId, message.id), message.text))
      case "playback":
        return command(message.id, (r) => r.playback(caller(message.id), roomId, message.action, message.positionMs, deps.playbackLead()))
    }
  }

  return {
    message: (data) => {
      if (closed) return
      if (typeof data !== "string") {
        return send({ type: "error", code: "BINARY_NOT_SUPPORTED", message: "frames are JSON text", recoverable: true })
      }
      if (data.length > deps.settings.maxFrameBytes) return close(CloseCode.tooBig, "frame too large")
      const allowance = rate.take(deps.now())
      if (allowance === "abuse") return close(CloseCode.policy, "too many messages")
      if (allowance === "excess") {
        return send({ type: "error", code: "RATE_LIMITED", message: `at most ${deps.settings.messagesPerSecond} messages per second`, recoverable: true })
      }
      const decoded = decodeClientFrame(data)
      if (decoded.type === "error") return send(decoded)
      handle(decoded)
    },
    closed: () => {
      closed = true
      leaveTopic?.()
      leaveTopic = undefined
      unsubscribe()
      deps.ended()
    }
  }
}
