/**
 * Benchmark: commands/s through actors on a hot aggregate (state cached) versus the naive
 * path (load the whole stream, decide, append — every command) on rooms with 1,000 events,
 * and the actor runtime's overhead over raw appends of the same events. Same store, same run.
 * Prints one JSON line. Usage: npm run bench -- actors [--commands 300] [--history 1000]
 */
import { Effect, Layer, ManagedRuntime, Result } from "effect"
import { parseArgs } from "node:util"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { RoomAggregate } from "../../src/domain/room/RoomAggregate.ts"
import type { RoomCommand } from "../../src/domain/room/RoomCommands.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { nodeSha256Hex } from "../../src/runtime/NodeDigests.ts"

const { values } = parseArgs({
  options: { commands: { type: "string", default: "300" }, history: { type: "string", default: "1000" } }
})
const commands = Number(values.commands)
const history = Number(values.history)
const host = { userId: "host", roles: ["user"] as const }
const settings = defaultDomainSettings

const runtime = ManagedRuntime.make(
  ActorSystem.layer({ mailboxSize: 10_000, idleMillis: 600_000, maxLive: 1_000, maxConflictRetries: 5, settings }).pipe(
    Layer.provideMerge(PgliteEventStore.layer({ sha256Hex: nodeSha256Hex }))
  )
)

const chat = (roomId: string, n: number): RoomCommand => ({
  _tag: "PostChat",
  roomId,
  messageId: `m-${n}`,
  text: `message number ${n} in a busy room`
})

/** A room with `history` events, written through the actors. */
const seedRoom = (roomId: string) =>
  Effect.gen(function*() {
    const actors = yield* ActorSystem
    yield* actors.send(RoomAggregate, roomId, {
      command: { _tag: "OpenRoom", roomId, sponsored: false },
      actor: host
    })
    for (let n = 1; n < history; n++) yield* actors.send(RoomAggregate, roomId, { command: chat(roomId, n), actor: host })
  })

/** What a system without actors does per command: read every event, fold, decide, append. */
const naiveCommand = (roomId: string, command: RoomCommand) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const recorded = yield* store.readStream(`room-${roomId}`)
    let state = RoomAggregate.decider.initialState
    for (const r of recorded) {
      const event = RoomAggregate.events.decode({ type: r.type, data: r.data, schemaVersion: r.metadata.schemaVersion })
      if (Result.isFailure(event)) return yield* Effect.die(event.failure)
      state = RoomAggregate.decider.evolve(state, event.success)
    }
    const decision = RoomAggregate.decider.decide(command, state, { now: Date.now(), actor: host, settings })
    if (Result.isFailure(decision)) return yield* Effect.die(decision.failure)
    const events = decision.success.map((e) => {
      const encoded = RoomAggregate.events.encode(e)
      return { type: encoded.type, data: encoded.data, metadata: { schemaVersion: encoded.schemaVersion, userId: host.userId } }
    })
    return yield* store.append(`room-${roomId}`, events, { expectedRevision: recorded.length - 1 })
  })

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    yield* effect
    return (performance.now() - start) / 1000
  })

const program = Effect.gen(function*() {
  const actors = yield* ActorSystem
  const store = yield* EventStore
  const hotRoom = `hot-${crypto.randomUUID().slice(0, 8)}`
  const naiveRoom = `naive-${crypto.randomUUID().slice(0, 8)}`
  yield* seedRoom(hotRoom)
  yield* seedRoom(naiveRoom)

  // Interleave short rounds of each variant so machine noise hits both alike.
  const rounds = 5
  const perRound = Math.ceil(commands / rounds)
  let hotSeconds = 0
  let naiveSeconds = 0
  let n = history
  for (let round = 0; round < rounds; round++) {
    hotSeconds += yield* timed(Effect.gen(function*() {
      for (let i = 0; i < perRound; i++) yield* actors.send(RoomAggregate, hotRoom, { command: chat(hotRoom, n++), actor: host })
    }))
    naiveSeconds += yield* timed(Effect.gen(function*() {
      for (let i = 0; i < perRound; i++) yield* naiveCommand(naiveRoom, chat(naiveRoom, n++))
    }))
  }

  // Overhead: the same single-event commands through actors vs plain appends of pre-encoded events.
  const overheadRoom = `ovh-${crypto.randomUUID().slice(0, 8)}`
  const rawStream = `room-raw${crypto.randomUUID().slice(0, 8)}`
  yield* actors.send(RoomAggregate, overheadRoom, { command: { _tag: "OpenRoom", roomId: overheadRoom, sponsored: false }, actor: host })
  let actorSeconds = 0
  let rawSeconds = 0
  let rawRevision = -1
  for (let round = 0; round < rounds; round++) {
    actorSeconds += yield* timed(Effect.gen(function*() {
      for (let i = 0; i < perRound; i++) yield* actors.send(RoomAggregate, overheadRoom, { command: chat(overheadRoom, n++), actor: host })
    }))
    rawSeconds += yield* timed(Effect.gen(function*() {
      for (let i = 0; i < perRound; i++) {
        const data = { roomId: "raw", messageId: `m-${n++}`, userId: host.userId, text: "message in a busy room", at: Date.now() }
        const r = yield* store.append(rawStream, [{ type: "ChatPosted", data, metadata: { userId: host.userId } }], {
          expectedRevision: rawRevision < 0 ? "no_stream" : rawRevision
        })
        rawRevision = r.nextRevision
      }
    }))
  }
  const total = perRound * rounds
  const hot = total / hotSeconds
  const naive = total / naiveSeconds
  return {
    bench: "actors",
    store: store.kind,
    historyEvents: history,
    commands: total,
    hotCommandsPerSec: Math.round(hot),
    naiveCommandsPerSec: Math.round(naive),
    hotVsNaive: Number((hot / naive).toFixed(2)),
    actorCommandsPerSec: Math.round(total / actorSeconds),
    rawAppendsPerSec: Math.round(total / rawSeconds),
    actorOverheadPct: Number(((actorSeconds / rawSeconds - 1) * 100).toFixed(1)),
    targets: { hotVsNaive: ">= 10", actorOverheadPct: "<= 25" }
  }
})

const result = await runtime.runPromise(program)
await runtime.dispose()
console.log(JSON.stringify(result))
