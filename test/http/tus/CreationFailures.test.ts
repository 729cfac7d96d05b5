/**
 * POST /files when the Upload's creation fails after the quota was reserved: a definite refusal gives the
 * reservation back at once; a failure of unknown outcome (the store down, a lost reply) keeps it for the
 * reconciling janitor, since the Upload may exist (QuotaReconciler.test.ts follows it up).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../../src/domain/quota/QuotaAggregate.ts"
import { PgliteEventStore } from "../../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import { type AppendFault, appendFaults, faultyEventStore } from "./FaultyAppends.ts"
import { metadata, startTusServer, tusHeaders, type TusServer } from "./TusServer.ts"

const faults = appendFaults("upload-")
let server: TusServer

beforeAll(async () => {
  server = await startTusServer({ eventStore: faultyEventStore(PgliteEventStore.layer({}), faults) })
})
afterAll(() => server?.stop())

const createFailing = async (user: string, fault: AppendFault, length = 1000) => {
  faults.fault = fault
  try {
    const res = await fetch(server.endpoint, {
      method: "POST",
      headers: await tusHeaders(user, { "Upload-Length": String(length), "Upload-Metadata": metadata() })
    })
    return { status: res.status, error: ((await res.json()) as { error: { code: string } }).error }
  } finally {
    faults.fault = undefined
  }
}

const quotaOf = (userId: string) =>
  server.runtime.runPromise(ActorSystem.use((a) => a.current(QuotaAggregate, userId))).then((r) => r.state)

const uploadStreamExists = (uploadId: string) =>
  server.runtime.runPromise(EventStore.use((s) => s.readStream(`upload-${uploadId}`))).then((events) => events.length > 0)

describe("creation that fails after the reservation", () => {
  it("store unavailable before the Upload was written: 503, and the reservation is kept (the outcome is unknown to the route)", async () => {
    const { status, error } = await createFailing("ivy", "before", 1000)
    expect(status).toBe(503)
    expect(error.code).toBe("EVENT_STORE_UNAVAILABLE")
    const quota = await quotaOf("ivy")
    expect(quota.status === "Tracked" && quota.reservations.map((r) => r.bytes)).toEqual([1000])
    expect(quota.status === "Tracked" && quota.settled).toEqual([])
    expect(await uploadStreamExists(quota.status === "Tracked" ? quota.reservations[0]!.uploadId : "none")).toBe(false)
  })

  it("the reply lost after the Upload was written: 503, and the reservation is kept for the upload that exists", async () => {
    const { status } = await createFailing("jay", "after", 2000)
    expect(status).toBe(503)
    const quota = await quotaOf("jay")
    expect(quota.status === "Tracked" && quota.reservations.map((r) => r.bytes)).toEqual([2000])
    expect(await uploadStreamExists(quota.status === "Tracked" ? quota.reservations[0]!.uploadId : "none")).toBe(true)
  })

  it("a definite refusal (another writer wins every try): 409, and the reservation is released at once", async () => {
    const { status, error } = await createFailing("kim", "conflict", 3000)
    expect(status).toBe(409)
    expect(error.code).toBe("CONCURRENCY_CONFLICT")
    expect(faults.failed).toBeGreaterThan(1) // the actor retried before giving up
    const quota = await quotaOf("kim")
    expect(quota.status === "Tracked" && quota.reservations).toEqual([])
    expect(quota.status === "Tracked" && quota.settled.map((s) => [s.outcome, s.bytes])).toEqual([["released", 3000]])
  })
})
