/**
 * `/readyz` under load and when a store fails: one check serves every probe of the same second (the
 * stores are pinged about once per second however many probes come), and a 503 names the failing
 * store with a generic message and the request id; the driver's text goes to the log only.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { EventStoreUnavailable } from "../../src/eventstore/EventStoreError.ts"
import { type AppServices, makeApp } from "../../src/http/App.ts"
import { ReadSide } from "../../src/http/queries/ReadSide.ts"
import type { AppRuntime } from "../../src/http/AppRuntime.ts"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"

const dataDir = mkdtempSync(join(tmpdir(), "keyframe-readyz-"))
const DRIVER_TEXT = "connect ECONNREFUSED 127.0.0.1:1 (postgres://root@127.0.0.1:1/x)"

const pings = { eventStore: 0, objectStore: 0 }
let eventStoreDown = false
const logs: Array<Record<string, any>> = []

/** The real embedded stores, with their pings counted (and the event store's failing on demand). */
const counted = Layer.mergeAll(
  Layer.effect(
    EventStore,
    Effect.map(EventStore, (store) => ({
      ...store,
      ping: Effect.suspend(() => {
        pings.eventStore++
        return eventStoreDown ? Effect.fail(new EventStoreUnavailable({ reason: DRIVER_TEXT })) : store.ping
      })
    }))
  ).pipe(Layer.provide(PgliteEventStore.layer({ dataDir: join(dataDir, "eventstore") }))),
  Layer.effect(
    ObjectStore,
    Effect.map(ObjectStore, (store) => ({
      ...store,
      ping: Effect.suspend(() => {
        pings.objectStore++
        return store.ping
      })
    }))
  ).pipe(Layer.provide(FsObjectStore.layer({ root: join(dataDir, "objects") })))
)
const runtime = ManagedRuntime.make(
  // no projections here: the read side reports healthy and empty
  Layer.provideMerge(Layer.mergeAll(counted, ReadSide.streamsOnly), Logger.layer([Logger.make((o) => logs.push(JSON.parse(Logger.formatJson.log(o))))]))
)

afterAll(async () => {
  await runtime.dispose()
  rmSync(dataDir, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe("/readyz", () => {
  it("a flood of probes pings each store about once per second", async () => {
    await runtime.runPromise(EventStore.use((s) => s.ping)) // opens PGlite (initdb takes seconds)
    const app = makeApp({ runtime: runtime as unknown as AppRuntime<AppServices> })
    pings.eventStore = pings.objectStore = 0
    const answers = await Promise.all(Array.from({ length: 100 }, () => app.request("/readyz")))
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200))
    expect(pings.eventStore).toBeGreaterThanOrEqual(1)
    expect(pings.eventStore).toBeLessThanOrEqual(2)
    expect(pings.objectStore).toBeLessThanOrEqual(2)
    for (let i = 0; i < 20; i++) expect((await app.request("/readyz")).status).toBe(200)
    expect(pings.eventStore).toBeLessThanOrEqual(2)
    // a second later the next probe checks again
    await sleep(1_100)
    const before = pings.eventStore
    expect((await app.request("/readyz")).status).toBe(200)
    expect(pings.eventStore).toBe(before + 1)
  })

  it("a failing store is a 503 with a generic message, the request id and checks without driver text", async () => {
    const app = makeApp({ runtime: runtime as unknown as AppRuntime<AppServices> })
    eventStoreDown = true
    try {
      const res = await app.request("/readyz", { headers: { "X-Request-Id": "readyz-down-1" } })
      expect(res.status).toBe(503)
      const text = await res.text()
      for (const secret of ["127.0.0.1", "postgres://", "ECONNREFUSED", dataDir]) expect(text).not.toContain(secret)
      const body = JSON.parse(text)
      expect(body.error.code).toBe("EVENT_STORE_UNAVAILABLE")
      expect(body.error.message).toBe("the event store is unavailable; try again (request id readyz-down-1)")
      expect(body.checks).toEqual({ eventStore: { ok: false, kind: "embedded" }, objectStore: { ok: true, kind: "fs" } })
      await sleep(50)
      const logged = logs.find((l) => l.annotations?.requestId === "readyz-down-1" && JSON.stringify(l).includes("ECONNREFUSED"))
      expect(logged, "the driver's text is logged with the request id").toBeDefined()
    } finally {
      eventStoreDown = false
    }
  })
})
