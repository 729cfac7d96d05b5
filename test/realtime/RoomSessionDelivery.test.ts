/**
 * A room session's delivery on real actors and the embedded event store, the live feed driven by the
 * test (a hub whose events it hands over itself, out of order, with gaps and repeats, as a resubscribed
 * store subscription can): welcome first, then every event once and in revision order, the gap filled
 * from the store; one frame object per event for every socket; a socket over the backpressure cap closed with 1013.
 * With native topics (as uWebSockets.js has): one publish per event for all caught-up sockets, the same
 * guarantees through gaps, repeats and the room's close.
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { Rooms } from "../../src/rooms/Rooms.ts"
import type { RoomHub, RoomListener } from "../../src/realtime/RoomHub.ts"
import { openSession, type SessionDeps } from "../../src/realtime/RoomSession.ts"
import type { RoomSocket, TopicPublisher } from "../../src/realtime/RoomSocket.ts"
import { makeRoomTopics, type RoomTopics } from "../../src/realtime/RoomTopics.ts"
import type { WireFrame } from "../../src/realtime/WireFrame.ts"

const runtime = ManagedRuntime.make(
  Rooms.layer.pipe(
    Layer.provideMerge(ActorSystem.layer({ mailboxSize: 100, idleMillis: 60_000, maxLive: 100, maxConflictRetries: 3, settings: defaultDomainSettings })),
    Layer.provideMerge(PgliteEventStore.layer({}))
  )
)
afterAll(() => runtime.dispose())
const context = await runtime.runPromise(Effect.context<Rooms | EventStore>())

const host = { actor: { userId: "host", roles: ["user"] as const } }
const settings = { replayMaxEvents: 100, maxFrameBytes: 4096, messagesPerSecond: 100, maxBackpressureBytes: 10_000, memberGraceSeconds: 30, readyTimeoutMs: 1000 }

/** The live feed, in the test's hands (first listeners first, as the real hub). */
const testHub = () => {
  const first = new Set<RoomListener>()
  const rest = new Set<RoomListener>()
  const hub: RoomHub = {
    subscribe: (_roomId, listener, isFirst = false) => {
      const set = isFirst ? first : rest
      set.add(listener)
      return () => set.delete(listener)
    },
    topics: () => (first.size + rest.size > 0 ? 1 : 0)
  }
  return { hub, publish: (event: RecordedEvent) => [...first, ...rest].forEach((l) => l(event)) }
}

/** A transport with native topics, as uWebSockets.js: a publish reaches every subscribed socket; counted. */
const topicTransport = () => {
  const subscribers = new Map<string, Set<(frame: WireFrame) => void>>()
  let publishes = 0
  const publisher: TopicPublisher = {
    publish: (topic, frame) => {
      publishes++
      for (const deliver of subscribers.get(topic) ?? []) deliver(frame)
    }
  }
  const socket = () => {
    const frames: Array<WireFrame> = []
    let closedWith: number | undefined
    const deliver = (frame: WireFrame) => frames.push(frame)
    const s: RoomSocket = {
      send: deliver,
      bufferedAmount: () => 0,
      close: (code) => (closedWith = code),
      subscribe: (topic) => void (subscribers.get(topic) ?? subscribers.set(topic, new Set()).get(topic)!).add(deliver),
      unsubscribe: (topic) => void subscribers.get(topic)?.delete(deliver),
      publisher
    }
    return { socket: s, frames, parsed: () => frames.map((f) => JSON.parse(f.text)), closedWith: () => closedWith }
  }
  return { socket, publishes: () => publishes, subscribed: (topic: string) => subscribers.get(topic)?.size ?? 0 }
}

const recordingSocket = (buffered: () => number = () => 0) => {
  const frames: Array<WireFrame> = []
  let closedWith: number | undefined
  const socket: RoomSocket = { send: (f) => frames.push(f), bufferedAmount: buffered, close: (code) => (closedWith = code) }
  return { socket, frames, parsed: () => frames.map((f) => JSON.parse(f.text)), closedWith: () => closedWith }
}

const eventually = async (check: () => boolean, ms = 10_000) => {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out")
    await new Promise((r) => setTimeout(r, 10))
  }
}

const session = (roomId: string, socket: RoomSocket, hub: RoomHub, topics?: RoomTopics) => {
  const deps: SessionDeps = {
    run: (effect) => Effect.runPromiseExitWith(context)(effect),
    hub,
    topics,
    settings,
    now: Date.now,
    welcomed: () => {},
    reportState: () => {},
    reportRtt: () => {},
    playbackLead: () => 300,
    ended: () => {}
  }
  return openSession({ id: crypto.randomUUID(), roomId, actor: host.actor, since: undefined }, socket, deps)
}

describe("room session delivery", () => {
  it("sends the welcome first, then each event once in revision order, filling a gap in the live feed from the store", async () => {
    const { roomId } = await runtime.runPromise(Rooms.use((r) => r.open(host, { sponsored: false })))
    const { hub, publish } = testHub()
    const a = recordingSocket()
    const b = recordingSocket()
    session(roomId, a.socket, hub)
    session(roomId, b.socket, hub)
    await eventually(() => a.frames.length > 0 && b.frames.length > 0)
    const welcome = a.parsed()[0]
    expect(welcome).toMatchObject({ type: "welcome", revision: 0 })
    for (let i = 1; i <= 4; i++) await runtime.runPromise(Rooms.use((r) => r.chat(host, roomId, `m${i}`, `chat ${i}`)))
    const events = await runtime.runPromise(EventStore.use((s) => s.readStream(`room-${roomId}`, { fromRevision: 1 })))
    expect(events.map((e) => e.revision)).toEqual([1, 2, 3, 4])
    const [e1, e2, e3, e4] = events as [RecordedEvent, RecordedEvent, RecordedEvent, RecordedEvent]
    publish(e1)
    publish(e3) // 2 skipped: read from the store
    publish(e2) // already sent by then
    publish(e4)
    publish(e4)
    for (const s of [a, b]) {
      await eventually(() => s.frames.length >= 5)
      await new Promise((r) => setTimeout(r, 100))
      expect(s.parsed().map((f) => f.type === "event" ? f.revision : f.type)).toEqual(["welcome", 1, 2, 3, 4])
      expect(s.parsed()[4]).toMatchObject({ event: "ChatPosted", data: { text: "chat 4" } })
    }
    // live events: the same frame (serialized once) for every socket
    expect(a.frames[1]).toBe(b.frames[1])
    expect(a.frames[4]).toBe(b.frames[4])
  })

  it("closes a socket whose queued bytes pass the backpressure cap with 1013, the others keep receiving", async () => {
    const { roomId } = await runtime.runPromise(Rooms.use((r) => r.open(host, { sponsored: false })))
    const { hub, publish } = testHub()
    let queued = 0
    const slow = recordingSocket(() => queued)
    const fine = recordingSocket()
    session(roomId, slow.socket, hub)
    session(roomId, fine.socket, hub)
    await eventually(() => slow.frames.length > 0 && fine.frames.length > 0)
    await runtime.runPromise(Rooms.use((r) => r.chat(host, roomId, "m1", "first")))
    await runtime.runPromise(Rooms.use((r) => r.chat(host, roomId, "m2", "second")))
    const [e1, e2] = await runtime.runPromise(EventStore.use((s) => s.readStream(`room-${roomId}`, { fromRevision: 1 }))) as unknown as [RecordedEvent, RecordedEvent]
    publish(e1)
    expect(slow.closedWith()).toBeUndefined()
    queued = settings.maxBackpressureBytes + 1
    publish(e2)
    expect(slow.closedWith()).toBe(1013)
    expect(fine.parsed().map((f) => f.type === "event" ? f.revision : f.type)).toEqual(["welcome", 1, 2])
    const after = slow.frames.length
    publish(e2)
    expect(slow.frames.length).toBe(after)
  })

  it("with native topics: one publish per event for the caught-up sockets, and every event once in order through a gap, repeats and the close", async () => {
    const { roomId } = await runtime.runPromise(Rooms.use((r) => r.open(host, { sponsored: false })))
    const { hub, publish } = testHub()
    const topics = makeRoomTopics(hub)
    topics.track(roomId)
    const transport = topicTransport()
    const a = transport.socket()
    const b = transport.socket()
    session(roomId, a.socket, hub, topics)
    session(roomId, b.socket, hub, topics)
    await eventually(() => a.frames.length > 0 && b.frames.length > 0)
    for (let i = 1; i <= 6; i++) await runtime.runPromise(Rooms.use((r) => r.chat(host, roomId, `t${i}`, `chat ${i}`)))
    const events = await runtime.runPromise(EventStore.use((s) => s.readStream(`room-${roomId}`, { fromRevision: 1 })))
    const [e1, e2, e3, e4, e5, e6] = events as unknown as [RecordedEvent, RecordedEvent, RecordedEvent, RecordedEvent, RecordedEvent, RecordedEvent]
    // the first event goes to each session (the topic had published nothing), after it both are on the topic
    publish(e1)
    expect(transport.subscribed(`room/${roomId}`)).toBe(2)
    publish(e2)
    publish(e2)
    expect(transport.publishes()).toBe(1) // e2 once, for both sockets
    // a gap: both sessions go on alone, fill e4's predecessor from the store, send e4, then rejoin
    publish(e4)
    expect(transport.subscribed(`room/${roomId}`)).toBe(0)
    await eventually(() => a.frames.length >= 5 && b.frames.length >= 5 && transport.subscribed(`room/${roomId}`) === 2)
    publish(e3) // a late repeat: dropped
    publish(e5)
    publish(e6)
    expect(transport.publishes()).toBe(3)
    for (const s of [a, b]) {
      expect(s.parsed().map((f) => f.type === "event" ? f.revision : f.type)).toEqual(["welcome", 1, 2, 3, 4, 5, 6])
    }
    // the close goes out through each session, which then closes its socket
    await runtime.runPromise(Rooms.use((r) => r.close(host, roomId)))
    const [closed] = await runtime.runPromise(EventStore.use((s) => s.readStream(`room-${roomId}`, { fromRevision: 7 }))) as unknown as [RecordedEvent]
    expect(closed.type).toBe("RoomClosed")
    publish(closed)
    for (const s of [a, b]) {
      expect(s.parsed().at(-1)).toMatchObject({ type: "event", event: "RoomClosed" })
      expect(s.closedWith()).toBe(1000)
    }
    expect(transport.publishes()).toBe(3)
  })
})
