/**
 * The runtime-neutral room channel (`roomChannel`): what every transport calls. It admits upgrades
 * (RoomUpgrade.ts), runs one session per socket (RoomSession.ts), keeps this node's presence and sends
 * it to the room's local sockets, marks a member left once their last connection has been gone for the
 * grace period, runs the playback waits (RoomPlaybackSync.ts), and drains on shutdown (1012: clients
 * reconnect with `since`).
 */
import { Effect, Exit, type Scope } from "effect"
import type { EventStore } from "../eventstore/EventStore.ts"
import type { AuthOptions } from "../http/auth/Auth.ts"
import { Rooms } from "../rooms/Rooms.ts"
import { keyedThrottle } from "./KeyedThrottle.ts"
import { makeRoomHub } from "./RoomHub.ts"
import { makeRoomPlaybackSync } from "./RoomPlaybackSync.ts"
import { RoomPresence } from "./RoomPresence.ts"
import { openSession, type RoomChannelSettings } from "./RoomSession.ts"
import { CloseCode, type RoomConnection, type RoomSocket } from "./RoomSocket.ts"
import { type Admitted, admitUpgrade, type Refused, type UpgradeRequest } from "./RoomUpgrade.ts"
import { WireFrame } from "./WireFrame.ts"

/** A room's presence frame goes out at most this often (the last change always does). */
const PRESENCE_INTERVAL_MS = 100

export type { RoomChannelSettings } from "./RoomSession.ts"

export interface RoomChannel {
  /** The upgrade check; call it before the socket exists. */
  admit(request: UpgradeRequest): Promise<Admitted | Refused>
  /** Starts the session of an admitted connection. */
  open(admitted: Admitted, socket: RoomSocket): RoomConnection
  /** Closes every socket with 1012 (service restart): the shutdown path. */
  drain(): void
  readonly connections: () => number
  readonly settings: RoomChannelSettings
}

export const roomChannel = (auth: AuthOptions, settings: RoomChannelSettings): Effect.Effect<RoomChannel, never, Rooms | EventStore | Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<Rooms | EventStore>()
    const run = <A, E>(effect: Effect.Effect<A, E, Rooms | EventStore>) => Effect.runPromiseExitWith(context)(effect)
    const hub = yield* makeRoomHub
    const presence = new RoomPresence()
    // every open socket, and each room's welcomed ones (its local topic room/<id>)
    const all = new Set<RoomSocket>()
    const sockets = new Map<string, Set<RoomSocket>>()
    const timers = new Set<ReturnType<typeof setTimeout>>()
    let draining = false

    const presenceFrames = keyedThrottle(PRESENCE_INTERVAL_MS, (roomId) => {
      const frame = WireFrame.of({ type: "presence", connected: presence.of(roomId) })
      for (const socket of sockets.get(roomId) ?? []) socket.send(frame)
    })
    const broadcastPresence = presenceFrames.request
    const playback = makeRoomPlaybackSync({ run, hub, presence, readyTimeoutMs: settings.readyTimeoutMs, now: Date.now, presenceChanged: broadcastPresence })

    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        presenceFrames.stop()
        playback.stop()
      })
    )

    /** After the grace period, if the user has not come back to this room on this node: MarkMemberLeft. */
    const scheduleLeave = (roomId: string, userId: string, disconnectedAt: number) => {
      const timer = setTimeout(async () => {
        timers.delete(timer)
        if (presence.connections(roomId, userId) > 0) return
        const exit = await run(Rooms.use((r) => r.markLeft(roomId, userId, disconnectedAt)))
        if (Exit.isFailure(exit)) await run(Effect.logDebug(`room ${roomId}: ${userId} not marked left`, exit.cause))
      }, settings.memberGraceSeconds * 1000 + 50)
      timers.add(timer)
    }

    const channel: RoomChannel = {
      settings,
      admit: (request) => run(admitUpgrade(auth, request)).then((exit) =>
        Exit.isSuccess(exit) ? exit.value : { ok: false, status: 503, code: "UNAVAILABLE", message: "try again" }
      ),
      open: (admitted, socket) => {
        if (draining) {
          socket.close(CloseCode.restart, "server restarting: reconnect")
          return { message: () => {}, closed: () => {} }
        }
        const { roomId, actor } = admitted
        all.add(socket)
        presence.connect(roomId, actor.userId)
        playback.attach(roomId, socket)
        const connection = openSession({ id: crypto.randomUUID(), roomId, actor, since: admitted.since }, socket, {
          run,
          hub,
          settings,
          now: Date.now,
          // in the room's local topic only after its welcome, so the welcome is always the first frame
          welcomed: () => {
            let set = sockets.get(roomId)
            if (set === undefined) sockets.set(roomId, set = new Set())
            set.add(socket)
            broadcastPresence(roomId)
          },
          reportState: (state) => {
            if (!presence.setState(roomId, actor.userId, state)) return
            broadcastPresence(roomId)
            playback.readinessChanged(roomId)
          },
          reportRtt: (rttMs) => playback.reportRtt(roomId, socket, rttMs),
          playbackLead: () => playback.lead(roomId),
          ended: () => {
            all.delete(socket)
            const set = sockets.get(roomId)
            set?.delete(socket)
            if (set?.size === 0) sockets.delete(roomId)
            const left = presence.disconnect(roomId, actor.userId)
            broadcastPresence(roomId)
            playback.detach(roomId, socket)
            if (left === 0 && !draining) scheduleLeave(roomId, actor.userId, Date.now())
          }
        })
        return connection
      },
      drain: () => {
        draining = true
        for (const socket of all) socket.close(CloseCode.restart, "server restarting: reconnect with since")
      },
      connections: () => all.size
    }
    return channel
  })
