/**
 * Bench part (b), a hot room: accepted chat commands/s in one room through the Rooms service and the
 * actors, with mailbox batching (ACTOR_MAX_BATCH) against one append per command (batch size 1), on
 * one store, same run. `inFlight` members each keep one chat waiting for its answer, as WebSocket
 * clients waiting for their acks do.
 */
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { ActorSystem } from "../../../src/actors/ActorSystem.ts"
import { defaultDomainSettings } from "../../../src/domain/shared/DomainSettings.ts"
import type { Principal } from "../../../src/domain/shared/Decider.ts"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import { Rooms } from "../../../src/rooms/Rooms.ts"

export interface HotRoomOptions {
  readonly seconds: number
  /** Chats waiting at any time (one per member). */
  readonly inFlight: number
  readonly maxBatch: number
}

export interface HotRoomFigures {
  readonly commandsPerSec: number
  readonly accepted: number
  readonly rejected: number
  readonly appends: number
  readonly meanBatch: number
}

const member = (n: number): Principal => ({ userId: `member-${n}`, roles: ["user"] })
const host: Principal = { userId: "host", roles: ["user", "sponsor"] }

/** Runs the hot room once on `store` (shared by every run, as one deployment's store is). */
export const hotRoom = async (store: EventStore["Service"], options: HotRoomOptions): Promise<HotRoomFigures> => {
  let appends = 0
  const counted = EventStore.of({ ...store, append: (...args) => (appends++, store.append(...args)) })
  const runtime = ManagedRuntime.make(
    Rooms.layer.pipe(
      Layer.provideMerge(
        ActorSystem.layer({
          mailboxSize: 100_000,
          idleMillis: 600_000,
          maxLive: 1_000,
          maxConflictRetries: 5,
          maxBatch: options.maxBatch,
          settings: defaultDomainSettings
        })
      ),
      Layer.provide(Layer.succeed(EventStore, counted))
    )
  )
  try {
    return await runtime.runPromise(Effect.gen(function*() {
      const rooms = yield* Rooms
      const { roomId } = yield* rooms.open({ actor: host }, { title: "hot", sponsored: true })
      yield* Effect.forEach(Array.from({ length: options.inFlight }, (_, n) => n), (n) => rooms.join({ actor: member(n) }, roomId), {
        concurrency: 50
      })
      let accepted = 0
      let rejected = 0
      let seq = 0
      const chatter = (n: number, until: number) =>
        Effect.gen(function*() {
          while (performance.now() < until) {
            const exit = yield* Effect.exit(rooms.chat({ actor: member(n) }, roomId, `m-${seq++}`, `message ${seq} from member ${n}`))
            if (Exit.isSuccess(exit)) accepted++
            else rejected++
          }
        })
      const round = (ms: number) =>
        Effect.forEach(Array.from({ length: options.inFlight }, (_, n) => n), (n) => chatter(n, performance.now() + ms), {
          concurrency: "unbounded",
          discard: true
        })
      yield* round(500) // warm-up: JIT, connections, the actor's cache
      ;[accepted, rejected] = [0, 0]
      const appendsBefore = appends
      const start = performance.now()
      yield* round(options.seconds * 1000)
      const elapsed = (performance.now() - start) / 1000
      const written = appends - appendsBefore
      return {
        commandsPerSec: Math.round(accepted / elapsed),
        accepted,
        rejected,
        appends: written,
        meanBatch: Math.round((accepted / Math.max(1, written)) * 10) / 10
      }
    }))
  } finally {
    await runtime.dispose()
  }
}

/** Both modes on one store: batching, then one append per command. */
export const hotRoomPair = async (store: EventStore["Service"], options: Omit<HotRoomOptions, "maxBatch"> & { readonly maxBatch: number }) => {
  const batched = await hotRoom(store, options)
  const single = await hotRoom(store, { ...options, maxBatch: 1 })
  return { batched, single, ratio: Math.round((batched.commandsPerSec / Math.max(1, single.commandsPerSec)) * 10) / 10 }
}
