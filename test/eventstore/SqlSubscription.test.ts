/** Filtered catch-up subscriptions of the SQL adapters read the log in windows: sparse matches across many windows, history then live. */
import { Effect, Fiber, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { EventStoreShape } from "../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { events, type OpenStore, openPglite, postgresSuite, run, uniqueStream } from "./SqlStores.ts"

const targets = [
  ["embedded (PGlite)", async () => {
    const store = await openPglite()
    return { store: store.store, close: store.close }
  }],
  ["PostgreSQL", async () => {
    const suite = await postgresSuite()
    const opened: OpenStore = await suite.open()
    return { store: opened.store, close: suite.close }
  }]
] as const

/** 1,300 events of other streams (more than two read windows), in 100-event appends. */
const noise = (store: EventStoreShape) =>
  Effect.runPromise(Effect.forEach(Array.from({ length: 13 }), () => store.append(uniqueStream("noise"), events("Noise", 100))))

for (const [label, open] of targets) {
  describe(`SQL adapter subscriptions: ${label}`, () => {
    let store: EventStoreShape
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ store, close } = await open())
    }, 60_000)
    afterAll(async () => {
      await close?.()
    })

    it("delivers sparse matches across many windows, then live ones, in order and once", async () => {
      const wanted = uniqueStream("wanted")
      const expected: Array<RecordedEvent> = []
      const start = await run(store.headPosition)
      for (let i = 0; i < 3; i++) {
        await noise(store)
        expected.push(...(await run(store.append(wanted, events("Wanted", 1, i)))).events)
      }
      const received: Array<RecordedEvent> = []
      const fiber = Effect.runFork(
        store.subscribeToAll({ after: start, filter: { streamPrefixes: ["wanted-"], eventTypes: ["Wanted"] } }).pipe(
          Stream.take(5),
          Stream.runForEach((e) => Effect.sync(() => received.push(e)))
        )
      )
      while (received.length < 3) await new Promise((r) => setTimeout(r, 10))
      await noise(store) // live: matches far apart again
      expected.push(...(await run(store.append(wanted, events("Wanted", 1, 3)))).events)
      await noise(store)
      expected.push(...(await run(store.append(wanted, events("Wanted", 1, 4)))).events)
      await run(Fiber.join(fiber).pipe(Effect.timeout("20 seconds")))
      expect(received).toEqual(expected)
    }, 60_000)
  })
}
