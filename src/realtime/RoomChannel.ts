/**
 * The runtime-neutral room channel (`roomChannel`): what every transport calls. It admits upgrades
 * (RoomUpgrade.ts), runs one session per socket (RoomSession.ts), reports this node's sockets to the
 * presence port and sends the room's presence over every node to its local sockets (again whenever
 * another node's changes), marks a member left once they have had no connection on any node for the
 * grace period, runs the playback waits (RoomPlaybackSync.ts), and drains on shutdown (1012: clients
 * reconnect with `since`).
 */
import { Effect, Exit, type Scope } from "effect"
import type { EventStore } from "../eventstore/EventStore.ts"
import type { FeedTicketStore } from "../auth/FeedTickets.ts"
import type { AuthOptions } from "../auth/TokenAuth.ts"
import { Rooms } from "../rooms/Rooms.ts"
import { keyedThrottle } from "./KeyedThrottle.ts"
import { makeRoomHub } from "./RoomHub.ts"
import { makeRoomPlaybackSync } from "./RoomPlaybackSync.ts"
import { makeRoomTopics } from "./RoomTopics.ts"
import { RoomPresence } from "./RoomPresence.ts"
import { openSession, type RoomChannelSettings } from "./RoomSession.ts"
import { CloseCode, type RoomConnection, type RoomSocket } from "./RoomSocket.ts"
import { type Admitted, admitUpgrade, type Refused, type UpgradeRequest } from "./RoomUpgrade.ts"
import { WireFrame } from "./WireFrame.ts"

/**
 * A room's presence frame goes out at most this often (the last change always does), and less often in a big
 * room: a frame lists every member and goes to every socket, so its bytes grow with the square of the room
 * (at 2,000 members a frame to all is ~100 MB); one per ms per socket keeps that linear.
 */
const PRESENCE_INTERVAL_MS = 100
const PRESENCE_MS_PER_SOCKET = 1

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

/** `tickets`: the process's ticket store (a ticket for `/rooms/<id>` opens one connection to that room). */
export const roomChannel = (
  auth: AuthOptions,
  settings: RoomChannelSettings,
  tickets?: FeedTicketStore
): Effect.Effect<RoomChannel, never, Rooms | EventStore | RoomPresence | Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<Rooms | EventStore>()
    const run = <A, E>(effect: Effect.Effect<A, E, Rooms | EventStore>) => Effect.runPromiseExitWith(context)(effect)
    const hub = yield* makeRoomHub
    const topics = makeRoomTopics(hub)
    const presence = yield* RoomPresence
    // presence reads never fail: a shared adapter answers from this node alone while its store is away
    const ask = <A>(effect: Effect.Effect<A>) => Effect.runPromiseWith(context)(effect)
    // every open socket, and each room's welcomed ones (its local topic room/<id>)
    const all = new Set<RoomSocket>()
    const sockets = new Map<string, Set<RoomSocket>>()
    const timers = new Set<ReturnType<typeof setTimeout>>()
    let draining = false

    // at most one presence frame per room per PRESENCE_INTERVAL_MS (a burst of joins would send n² frames
    // of growing size); one presence read per room at a time, and one more if something changed meanwhile
    const refreshing = new Map<string, boolean>()
    const sendPresence = (roomId: string) => {
      if (refreshing.has(roomId)) return void refreshing.set(roomId, true)
      refreshing.set(roomId, false)
      void (async () => {
        do {
          refreshing.set(roomId, false)
          const frame = WireFrame.of({ type: "presence", connected: await ask(presence.view(roomId)) })
          for (const socket of sockets.get(roomId) ?? []) socket.send(frame)
        } while (refreshing.get(roomId) === true)
      })().catch(() => {}).finally(() => refreshing.delete(roomId))
    }
    const presenceFrames = keyedThrottle(
      (roomId) => Math.max(PRESENCE_INTERVAL_MS, (sockets.get(roomId)?.size ?? 0) * PRESENCE_MS_PER_SOCKET),
      sendPresence
    )
    const broadcastPresence = presenceFrames.request
    const playback = makeRoomPlaybackSync({
      run,
      hub,
      presence,
      ask,
      readyTimeoutMs: settings.readyTimeoutMs,
      now: Date.now,
      presenceChanged: broadcastPresence
    })

    /**
     * After the grace period, if the user has no connection to the room on any node: MarkMemberLeft.
     * Every node whose socket dropped may send it; the aggregate applies the first (a member no more).
     */
    const scheduleLeave = (roomId: string, userId: string, disconnectedAt: number) => {
      const timer = setTimeout(async () => {
        timers.delete(timer)
        if (draining || (await ask(presence.connections(roomId, userId))) > 0) return
        const exit = await run(Rooms.use((r) => r.markLeft(roomId, userId, disconnectedAt)))
        if (Exit.isFailure(exit)) await run(Effect.logDebug(`room ${roomId}: ${userId} not marked left`, exit.cause))
      }, settings.memberGraceSeconds * 1000 + 50)
      timers.add(timer)
    }

    const unlisten = presence.listen({
      changed: (roomId) => {
        if (sockets.has(roomId)) broadcastPresence(roomId)
        playback.readinessChanged(roomId)
      },
      expired: (roomId, userId) => {
        if (!draining) scheduleLeave(roomId, userId, Date.now())
      }
    })

    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        unlisten()
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        presenceFrames.stop()
        playback.stop()
      })
    )

    const channel: RoomChannel = {
      settings,
      admit: (request) => run(admitUpgrade(auth, request, tickets)).then((exit) =>
        Exit.isSuccess(exit) ? exit.value : { ok: false, status: 503, code: "UNAVAILABLE", message: "try again" }
      ),
      open: (admitted, socket) => {
        if (draining) {
          socket.close(CloseCode.restart, "server restarting: reconnect")
          return { message: () => {}, closed: () => {} }
        }
        const { roomId, actor } = admitted
        all.add(socket)
        // followed before the session subscribes, so the topic hears each event first
        const untrack = topics.track(roomId)
        presence.connect(roomId, actor.userId)
        playback.attach(roomId, socket)
        const connection = openSession({ id: crypto.randomUUID(), roomId, actor, since: admitted.since }, socket, {
          run,
          hub,
          topics,
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
            if (!presence.setState(roomId, actor.userId, state, playback.waitingSince(roomId))) return
            broadcastPresence(roomId)
            playback.readinessChanged(roomId)
          },
          reportRtt: (rttMs) => playback.reportRtt(roomId, socket, rttMs),
          playbackLead: () => playback.lead(roomId),
          ended: () => {
            all.delete(socket)
            untrack()
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
