/**
 * Creating an upload when the Upload's append fails after the reservation: only a definite refusal gives the
 * reservation back at once; after a failure of unknown outcome it stays (the quota reconciler follows it up).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { type AppendFault, appendFaults, faultyEventStore } from "../http/tus/FaultyAppends.ts"
import { freshId, outcome, startUploads, type UploadsHarness } from "./UploadsHarness.ts"

const faults = appendFaults("upload-")
let t: UploadsHarness
beforeAll(async () => {
  t = await startUploads(faultyEventStore(PgliteEventStore.layer({}), faults))
}, 60_000)
afterAll(() => t?.stop())

/** Given the Upload's append fails with `fault`, when `userId` creates an upload: the outcome and the quota's events. */
const createWhile = async (fault: AppendFault) => {
  const userId = freshId("user")
  const uploadId = freshId("up")
  faults.fault = fault
  try {
    const exit = await t.when((u) =>
      u.create({
        uploadId,
        actor: { userId, roles: ["user"] },
        filename: "clip.mp4",
        declaredSize: 1000,
        contentType: "video/mp4",
        requestId: "r",
        settings: defaultDomainSettings
      })
    )
    return { outcome: outcome(exit), quota: (await t.quotaEvents(userId)).map((e) => [e.type, e.causationId]), uploadId }
  } finally {
    faults.fault = undefined
  }
}

describe("create: the reservation after a failed creation", () => {
  it("given the store down before the write, then EventStoreUnavailable and the reservation is kept", async () => {
    const { outcome, quota, uploadId } = await createWhile("before")
    expect(outcome).toBe("EventStoreUnavailable")
    expect(quota).toEqual([["UploadReserved", `reserve:${uploadId}`]])
    expect(await t.uploadEvents(uploadId)).toEqual([])
  })

  it("given the reply lost after the write, then the reservation is kept for the upload that exists", async () => {
    const { outcome, quota, uploadId } = await createWhile("after")
    expect(outcome).toBe("EventStoreUnavailable")
    expect(quota).toEqual([["UploadReserved", `reserve:${uploadId}`]])
    expect((await t.uploadEvents(uploadId)).map((e) => e.type)).toEqual(["UploadCreated"])
  })

  it("given other writers win every try (a definite refusal), then the reservation is released at once", async () => {
    const { outcome, quota, uploadId } = await createWhile("conflict")
    expect(outcome).toBe("ConcurrencyConflict")
    expect(quota).toEqual([["UploadReserved", `reserve:${uploadId}`], ["ReservationReleased", `release:${uploadId}`]])
  })
})
