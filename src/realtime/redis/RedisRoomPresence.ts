/**
 * Presence shared by every node through Redis (PresenceScripts.ts). Each node keeps its own presence in
 * memory (the truth about its sockets), writes a room's entries after every change and refreshes them
 * every heartbeat (which also restores them after a Redis restart), and reads the other nodes' entries
 * when it sends a room its presence. A change is announced on one pub/sub channel; the other nodes send
 * their sockets the room's presence again. While Redis is away, a node sees only its own sockets (logged).
 */
import { Effect, Layer, Schedule, Schema } from "effect"
import { Redis } from "../../redis/Redis.ts"
import { LocalPresence, type PresenceEntry, everyoneReady, mergeEntries } from "../LocalPresence.ts"
import { type PresenceListener, RoomPresence } from "../RoomPresence.ts"
import { PUT, READ } from "./PresenceScripts.ts"

export interface RedisPresenceOptions {
  /** Prefix of the keys and of the channel (READ_STORE_KEY_PREFIX). */
  readonly keyPrefix: string
  /** How often a node refreshes its entries (ROOM_PRESENCE_HEARTBEAT_MS). */
  readonly heartbeatMs: number
  /** How long an entry outlives its node's last refresh (ROOM_PRESENCE_TTL_MS). */
  readonly ttlMs: number
}

/** How long a read or write may take before this node answers from its own presence. */
const REDIS_WAIT_MS = 2_000

const StoredEntry = Schema.Struct({
  c: Schema.Int.check(Schema.isGreaterThan(0)),
  s: Schema.Literals(["ready", "buffering", "unknown"]),
  w: Schema.NullOr(Schema.Number)
})
const decodeEntry = Schema.decodeUnknownOption(Schema.fromJsonString(StoredEntry))

const encodeEntry = (e: PresenceEntry) => JSON.stringify({ c: e.connections, s: e.state, w: e.wait })

const withTimeout = <A>(promise: Promise<A>): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${REDIS_WAIT_MS} ms`)), REDIS_WAIT_MS)
    promise.then((a) => (clearTimeout(timer), resolve(a)), (e) => (clearTimeout(timer), reject(e)))
  })

export class RedisRoomPresence {
  /** Writes on the process's Redis connection; listens with a subscriber connection of its own (src/redis/Redis.ts). */
  static layer(options: RedisPresenceOptions): Layer.Layer<RoomPresence, never, Redis> {
    return Layer.effect(
      RoomPresence,
      Effect.gen(function*() {
        const redis = yield* Redis
        const context = yield* Effect.context<never>()
        const log = (effect: Effect.Effect<void>) => void Effect.runForkWith(context)(effect)
        const node = crypto.randomUUID()
        const channel = `${options.keyPrefix}keyframe:presence`
        const keys = (roomId: string) => [`${channel}:${roomId}`, `${channel}:${roomId}:nodes`]
        const local = new LocalPresence()
        const listeners = new Set<PresenceListener>()

        let away = false
        const failed = (what: string, e: unknown) => {
          if (!away) log(Effect.logWarning(`room presence: Redis does not answer (${what}: ${e instanceof Error ? e.message : String(e)}); each node sees only its own sockets until it is back`))
          away = true
        }
        const answered = () => {
          if (away) log(Effect.logInfo("room presence: Redis answers again; presence is shared"))
          away = false
        }
        /** A command on the shared connection, or a fast failure while it is not connected. */
        const command = <A>(send: () => Promise<A>): Promise<A> =>
          redis.isReady() ? withTimeout(send()) : Promise.reject(new Error("not connected"))

        // one room's writes and reads run in order, so a read sees this node's latest write
        const chains = new Map<string, Promise<unknown>>()
        const inOrder = <A>(roomId: string, task: () => Promise<A>): Promise<A> => {
          const next = (chains.get(roomId) ?? Promise.resolve()).then(task, task)
          const tail = next.catch(() => {})
          chains.set(roomId, tail)
          void tail.then(() => { if (chains.get(roomId) === tail) chains.delete(roomId) })
          return next
        }

        // rooms whose last write failed: the write that succeeds again announces them
        const unannounced = new Set<string>()
        const put = (roomId: string, announce: boolean) =>
          command(() => {
            const args = [...local.entries(roomId)].flatMap(([userId, e]) => [userId, encodeEntry(e)])
            const message = announce || unannounced.has(roomId) ? `${node} ${roomId}` : ""
            return redis.client.eval(PUT, 2, ...keys(roomId), node, options.ttlMs, channel, message, ...args)
          }).then(() => {
            answered()
            unannounced.delete(roomId)
          }, (e) => {
            failed("write", e)
            unannounced.add(roomId)
          })

        // changes close together become one write of the room's entries as they are then
        const pending = new Set<string>()
        const changed = (roomId: string) => {
          if (pending.has(roomId)) return
          pending.add(roomId)
          void inOrder(roomId, () => {
            pending.delete(roomId)
            return put(roomId, true)
          })
        }

        /** The reply of READ as entries of the other nodes, and the users whose expired entries it dropped. */
        const parse = (reply: unknown) => {
          const [pairs, gone] = Array.isArray(reply) && reply.length === 2 ? reply as [unknown, unknown] : [[], []]
          const others: Array<readonly [string, PresenceEntry]> = []
          const fields = Array.isArray(pairs) ? pairs : []
          for (let i = 0; i + 1 < fields.length; i += 2) {
            const field = String(fields[i])
            const slash = field.indexOf("/")
            if (slash < 0 || field.slice(0, slash) === node) continue
            const entry = decodeEntry(fields[i + 1])
            if (entry._tag === "Some") others.push([field.slice(slash + 1), { connections: entry.value.c, state: entry.value.s, wait: entry.value.w }])
          }
          return { others, gone: Array.isArray(gone) ? gone.map(String) : [] }
        }

        /** Every node's entries for the room, with this node's own from memory (alone while Redis is away). Never rejects. */
        const read = (roomId: string): Promise<Array<readonly [string, PresenceEntry]>> =>
          inOrder(roomId, () => command(() => redis.client.eval(READ, 2, ...keys(roomId), channel, `${node} ${roomId}`)))
            .then((reply) => {
              answered()
              const { others, gone } = parse(reply)
              if (gone.length > 0) {
                for (const listener of listeners) {
                  listener.changed(roomId)
                  for (const userId of gone) listener.expired(roomId, userId)
                }
              }
              return others
            }, (e) => {
              failed("read", e)
              return []
            })
            .then((others) => [...local.entries(roomId), ...others])
        const entriesOf = (roomId: string) => Effect.promise(() => read(roomId))

        yield* redis.subscribe(channel, (message) => {
          const space = message.indexOf(" ")
          if (space <= 0 || message.slice(0, space) === node) return
          const roomId = message.slice(space + 1)
          for (const listener of listeners) listener.changed(roomId)
        }).pipe(
          Effect.catch((e) => Effect.logWarning(`room presence: Redis does not answer (${e.reason}); other nodes' changes arrive with the next heartbeat read`))
        )

        // the heartbeat: every room with a socket here is written again (refreshing its expiry) and read (dropping dead nodes)
        yield* Effect.promise(() =>
          Promise.all(local.roomIds().map((roomId) => inOrder(roomId, () => put(roomId, false)).then(() => read(roomId))))
        ).pipe(Effect.repeat(Schedule.spaced(options.heartbeatMs)), Effect.forkScoped)

        // leaving: this node's entries go at once rather than at their expiry
        yield* Effect.addFinalizer(() =>
          Effect.promise(() => Promise.all(local.roomIds().map((roomId) => {
            for (const [userId, e] of [...local.entries(roomId)]) for (let i = 0; i < e.connections; i++) local.disconnect(roomId, userId)
            return inOrder(roomId, () => put(roomId, true))
          })))
        )

        return RoomPresence.of({
          connect: (roomId, userId) => {
            local.connect(roomId, userId)
            changed(roomId)
          },
          disconnect: (roomId, userId) => {
            const left = local.disconnect(roomId, userId)
            changed(roomId)
            return left
          },
          setState: (roomId, userId, state, wait) => {
            const did = local.setState(roomId, userId, state, wait)
            if (did) changed(roomId)
            return did
          },
          resetStates: (roomId, wait) => {
            const did = local.resetStates(roomId, wait)
            if (did) changed(roomId)
            return did
          },
          view: (roomId) => Effect.map(entriesOf(roomId), mergeEntries),
          connections: (roomId, userId) =>
            Effect.map(entriesOf(roomId), (entries) => entries.reduce((n, [u, e]) => (u === userId ? n + e.connections : n), 0)),
          allReady: (roomId, wait) => Effect.map(entriesOf(roomId), (entries) => everyoneReady(entries, wait)),
          listen: (listener) => {
            listeners.add(listener)
            return () => listeners.delete(listener)
          }
        })
      })
    )
  }
}
