/**
 * The quota reconciler against the real tus app on an embedded store whose Upload appends fail on demand:
 * a reservation whose upload was never created is given back once QUOTA_RECONCILE_GRACE_SECONDS have passed,
 * with a `ReservationReconciled` event the audit shows; one whose upload exists (the reply was lost after the
 * write) is left to the upload. Two janitors (two nodes) record the reconcile once.
 */
import { Effect, Exit, Layer, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { evolvePeriod } from "../../projections/QuotasProjection.ts"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../src/domain/quota/QuotaAggregate.ts"
import type { QuotaState } from "../../src/domain/quota/QuotaState.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import type { RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import type { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { T0 } from "../../src/testing/TestContext.ts"
import { Uploads } from "../../src/uploads/Uploads.ts"
import { QuotaReconciler, type QuotaReconcilerStatus } from "../../src/workers/QuotaReconciler.ts"
import { type AppendFault, appendFaults, faultyEventStore } from "../http/tus/FaultyAppends.ts"
import { createRaw, metadata, startTusServer, token, tusHeaders, type TusServer } from "../http/tus/TusServer.ts"

const faults = appendFaults("upload-")
let server: TusServer

beforeAll(async () => {
  server = await startTusServer({ eventStore: faultyEventStore(PgliteEventStore.layer({}), faults) })
})
afterAll(() => server?.stop())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** POST /files while the Upload's append fails in the given way: the answer's status. */
const createFailing = async (user: string, fault: AppendFault, length: number) => {
  faults.fault = fault
  try {
    const res = await fetch(server.endpoint, {
      method: "POST",
      headers: await tusHeaders(user, { "Upload-Length": String(length), "Upload-Metadata": metadata() })
    })
    return res.status
  } finally {
    faults.fault = undefined
  }
}

const quotaOf = (userId: string): Promise<QuotaState & { status: "Tracked" }> =>
  server.runtime.runPromise(ActorSystem.use((a) => a.current(QuotaAggregate, userId))).then((r) => {
    if (r.state.status !== "Tracked") throw new Error(`${userId} has no quota yet`)
    return r.state
  })

const quotaEvents = (userId: string): Promise<ReadonlyArray<RecordedEvent>> =>
  server.runtime.runPromise(EventStore.use((s) => s.readStream(`quota-${userId}`)))

/** Starts a janitor in its own scope; `ownActors` gives it an actor system of its own, as on another node. */
const startReconciler = async (graceMs: number, ownActors = false) => {
  const scope = await server.runtime.runPromise(Scope.make())
  const reconciler = QuotaReconciler.layer({ graceMs, pollMs: 50, retryMs: 200 })
  const layer: Layer.Layer<QuotaReconciler, never, EventStore | ObjectStore | Uploads> = ownActors
    ? reconciler.pipe(Layer.provide(Uploads.layer.pipe(
      Layer.provide(ActorSystem.layer({ mailboxSize: 100, idleMillis: 60_000, maxLive: 1000, maxConflictRetries: 5, settings: server.settings }))
    )))
    : reconciler
  const context = await server.runtime.runPromise(Layer.buildWithScope(layer, scope))
  return {
    status: (): Promise<QuotaReconcilerStatus> => Effect.runPromise(QuotaReconciler.use((r) => r.status).pipe(Effect.provideContext(context))),
    stop: () => server.runtime.runPromise(Scope.close(scope, Exit.void))
  }
}

const waitUntil = async (what: string, predicate: () => Promise<boolean>, timeoutMs = 15_000) => {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await predicate()) return
    await sleep(50)
  }
  throw new Error(`timed out waiting until ${what}`)
}

describe("quota reconciler", () => {
  it("gives back, after the grace period, a reservation whose upload was never created, and only that one; the audit shows it", async () => {
    expect(await createFailing("alice", "before", 1000)).toBe(503) // never written
    expect(await createFailing("bob", "after", 2000)).toBe(503) // written, reply lost
    await createRaw(server, "carol", 3000) // a normal upload
    const quotas = await Promise.all([quotaOf("alice"), quotaOf("bob"), quotaOf("carol")])
    expect(quotas.map((q) => q.reservations.length)).toEqual([1, 1, 1])
    const missing = quotas[0].reservations[0]!

    const grace = 3000
    const janitor = await startReconciler(grace)
    try {
      await waitUntil("the janitor has read the history", async () => {
        const s = await janitor.status()
        return s.caughtUp && s.tracked === 3
      })
      // Within the grace period nothing is given back, even though alice's upload does not exist.
      expect(Date.now()).toBeLessThan(missing.reservedAt + grace - 200)
      await sleep(150)
      expect((await quotaOf("alice")).reservations).toEqual([missing])

      await waitUntil("alice's reservation is given back", async () => (await quotaOf("alice")).reservations.length === 0)
      expect((await quotaOf("alice")).settled).toEqual([{ uploadId: missing.uploadId, outcome: "reconciled", bytes: 1000 }])
      await waitUntil("the janitor is done with every reservation", async () => (await janitor.status()).tracked === 0)
      expect((await janitor.status()).reconciled).toBe(1)
      // bob's upload exists (its reply was lost) and carol's is normal: their reservations stay with their uploads.
      expect((await quotaOf("bob")).reservations.map((r) => r.bytes)).toEqual([2000])
      expect((await quotaOf("carol")).reservations.map((r) => r.bytes)).toEqual([3000])
    } finally {
      await janitor.stop()
    }

    const res = await fetch(`${server.origin}/audit/streams/quota-alice`, {
      headers: { Authorization: `Bearer ${await token("audra", ["auditor"])}` }
    })
    expect(res.status).toBe(200)
    const page = (await res.json()) as { events: ReadonlyArray<RecordedEvent> }
    expect(page.events.map((e) => e.type)).toEqual(["UploadReserved", "ReservationReconciled"])
    const event = page.events[1]!
    expect(event.metadata).toMatchObject({ userId: "system", causationId: `reconcile:${missing.uploadId}` })
    expect(event.data).toMatchObject({ userId: "alice", uploadId: missing.uploadId, bytes: 1000, reservedAt: missing.reservedAt })
    const data = event.data as { at: number; reservedAt: number }
    expect(data.at - data.reservedAt).toBeGreaterThanOrEqual(grace)
  })

  it("two janitors (two nodes, one actor system each) record the reconcile once", async () => {
    expect(await createFailing("dave", "before", 500)).toBe(503)
    const janitors = await Promise.all([startReconciler(300, true), startReconciler(300, true)])
    try {
      await waitUntil("dave's reservation is given back", async () => (await quotaOf("dave")).reservations.length === 0)
      await waitUntil("both janitors are done", async () => (await Promise.all(janitors.map((j) => j.status()))).every((s) => s.tracked === 0))
      const reconciled = (await quotaEvents("dave")).filter((e) => e.type === "ReservationReconciled")
      expect(reconciled).toHaveLength(1)
      const counts = await Promise.all(janitors.map((j) => j.status().then((s) => s.reconciled)))
      expect(counts[0]! + counts[1]!).toBe(1)
    } finally {
      await Promise.all(janitors.map((j) => j.stop()))
    }
  })
})

describe("the quotas read model", () => {
  it("folds a reconciled reservation like a released one", () => {
    const place = { position: 2, revision: 1 }
    const reserved = evolvePeriod(undefined, {
      _tag: "UploadReserved", userId: "alice", uploadId: "u", bytes: 40, periodStart: T0, periodEnd: T0 + 7 * 86_400_000, at: T0
    }, { position: 1, revision: 0 })
    const after = evolvePeriod(reserved, {
      _tag: "ReservationReconciled", userId: "alice", uploadId: "u", periodStart: T0, bytes: 40, reservedAt: T0, at: T0 + 1
    }, place)
    expect(after).toMatchObject({ reservedBytes: 0, committedBytes: 0, openReservations: 0, uploads: 1, position: 2 })
  })
})
