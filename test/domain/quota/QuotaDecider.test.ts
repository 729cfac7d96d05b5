/** Given/when/then specifications of the quota aggregate. */
import { describe, expect, it } from "vitest"
import { QuotaAggregate } from "../../../src/domain/quota/QuotaAggregate.ts"
import type { QuotaEvent } from "../../../src/domain/quota/QuotaEvents.ts"
import { QuotaExceeded } from "../../../src/domain/quota/QuotaErrors.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { T0, testActors } from "../../../src/testing/TestContext.ts"

const GiB = 1024 ** 3
const WEEK = 7 * 86_400_000
const { alice, carol, system } = testActors
const { given } = specFor(QuotaAggregate, { actor: alice, now: T0 + 3_600_000 })
const at = T0 + 3_600_000

const reserved = (uploadId: string, bytes: number, periodStart = T0): QuotaEvent => ({
  _tag: "UploadReserved",
  userId: "alice",
  uploadId,
  bytes,
  periodStart,
  periodEnd: periodStart + WEEK,
  at: periodStart
})

describe("quota: reserving", () => {
  it("reserves the declared size in the current week", () => {
    given([]).when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-1", bytes: GiB }).then([
      { ...reserved("up-1", GiB), at }
    ])
  })

  it("refuses what would pass the weekly limit, saying what is left and when it resets", () => {
    const outcome = given([reserved("up-1", 3 * GiB)])
      .when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-2", bytes: 2 * GiB })
      .then("QUOTA_EXCEEDED")
    const error = outcome.error as QuotaExceeded
    expect(error).toBeInstanceOf(QuotaExceeded)
    expect(error.remainingBytes).toBe(GiB)
    expect(error.resetsAt).toBe(T0 + WEEK)
    expect(error.message).toBe("Weekly upload quota exceeded: 2 GiB requested, 1 GiB of 4 GiB left until 2026-01-11T00:00:00.000Z.")
  })

  it("allows exactly the limit", () => {
    given([reserved("up-1", 3 * GiB)])
      .when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-2", bytes: GiB })
      .then([{ ...reserved("up-2", GiB), at }])
  })

  it("starts afresh when the week rolls over", () => {
    given([reserved("up-1", 4 * GiB)])
      .when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-2", bytes: 2 * GiB }, { now: T0 + WEEK })
      .then([{ ...reserved("up-2", 2 * GiB, T0 + WEEK), at: T0 + WEEK }])
  })

  it("treats the same reservation again as a no-op, and another size as a conflict", () => {
    given([reserved("up-1", GiB)]).when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-1", bytes: GiB }).then([])
    given([reserved("up-1", GiB)]).when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-1", bytes: 2 }).then("RESERVATION_CONFLICT")
  })

  it("is only for the user themselves (or an admin, or the system)", () => {
    given([]).when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-1", bytes: 1 }, { actor: testActors.bob }).then("FORBIDDEN")
    given([]).when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-1", bytes: 1 }, { actor: system }).then([
      { ...reserved("up-1", 1), at }
    ])
  })

  it("rejects a command for another user's quota stream", () => {
    given([reserved("up-1", 1)]).when({ _tag: "ReserveUpload", userId: "bob", uploadId: "up-2", bytes: 1 }, { actor: system })
      .then("AGGREGATE_ID_MISMATCH")
  })
})

describe("quota: committing and releasing", () => {
  it("commits the bytes really received, freeing the rest of the reservation", () => {
    const { state } = given([reserved("up-1", 3 * GiB)])
      .when({ _tag: "CommitUpload", userId: "alice", uploadId: "up-1", receivedBytes: GiB })
      .then([{ _tag: "UploadCommitted", userId: "alice", uploadId: "up-1", periodStart: T0, reservedBytes: 3 * GiB, committedBytes: GiB, at }])
    given([reserved("up-1", 3 * GiB)]).when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-2", bytes: 2 * GiB }).then("QUOTA_EXCEEDED")
    expect(state.status === "Tracked" && state.periods).toEqual([{ start: T0, end: T0 + WEEK, committedBytes: GiB }])
  })

  it("counts a commit in the week of its reservation, even when it lands in the next week", () => {
    given([reserved("up-1", GiB)])
      .when({ _tag: "CommitUpload", userId: "alice", uploadId: "up-1", receivedBytes: GiB }, { now: T0 + WEEK + 5 })
      .then([{ _tag: "UploadCommitted", userId: "alice", uploadId: "up-1", periodStart: T0, reservedBytes: GiB, committedBytes: GiB, at: T0 + WEEK + 5 }])
  })

  it("commits more than reserved only if the week has room for the difference", () => {
    given([reserved("up-1", GiB)]).when({ _tag: "CommitUpload", userId: "alice", uploadId: "up-1", receivedBytes: GiB + 10 })
      .then([{ _tag: "UploadCommitted", userId: "alice", uploadId: "up-1", periodStart: T0, reservedBytes: GiB, committedBytes: GiB + 10, at }])
    given([reserved("up-1", GiB), reserved("up-2", 3 * GiB)])
      .when({ _tag: "CommitUpload", userId: "alice", uploadId: "up-1", receivedBytes: GiB + 10 })
      .then("QUOTA_EXCEEDED")
  })

  it("refuses to commit an unknown reservation; a repeated commit is a no-op", () => {
    given([]).when({ _tag: "CommitUpload", userId: "alice", uploadId: "up-9", receivedBytes: 1 }).then("RESERVATION_NOT_FOUND")
    const committed: QuotaEvent = { _tag: "UploadCommitted", userId: "alice", uploadId: "up-1", periodStart: T0, reservedBytes: 5, committedBytes: 4, at }
    given([reserved("up-1", 5), committed]).when({ _tag: "CommitUpload", userId: "alice", uploadId: "up-1", receivedBytes: 4 }).then([])
    given([reserved("up-1", 5), committed]).when({ _tag: "CommitUpload", userId: "alice", uploadId: "up-1", receivedBytes: 5 }).then("RESERVATION_CONFLICT")
  })

  it("releases a reservation once; releasing again or releasing an unknown one changes nothing", () => {
    const released: QuotaEvent = { _tag: "ReservationReleased", userId: "alice", uploadId: "up-1", periodStart: T0, bytes: GiB, reason: "cancelled", at }
    given([reserved("up-1", GiB)]).when({ _tag: "ReleaseUpload", userId: "alice", uploadId: "up-1", reason: "cancelled" }).then([released])
    given([reserved("up-1", GiB), released]).when({ _tag: "ReleaseUpload", userId: "alice", uploadId: "up-1", reason: "expired" }).then([])
    given([]).when({ _tag: "ReleaseUpload", userId: "alice", uploadId: "up-7", reason: "failed" }).then([])
  })
})

describe("quota: limit overrides", () => {
  const limitSet = (limitBytes: number | null): QuotaEvent => ({
    _tag: "QuotaLimitSet", userId: "alice", limitBytes, setBy: "carol", reason: "sponsor deal", at
  })

  it("lets an admin raise a user's limit, recorded as an event", () => {
    given([]).when({ _tag: "SetQuotaLimit", userId: "alice", limitBytes: 10 * GiB, reason: "sponsor deal" }, { actor: carol })
      .then([limitSet(10 * GiB)])
    given([limitSet(10 * GiB)]).when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-1", bytes: 8 * GiB })
      .then([{ ...reserved("up-1", 8 * GiB), at }])
  })

  it("makes -1 unlimited and null the default again", () => {
    given([limitSet(-1), reserved("up-1", 100 * GiB)])
      .when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-2", bytes: 100 * GiB })
      .then([{ ...reserved("up-2", 100 * GiB), at }])
    given([limitSet(-1), limitSet(null)]).when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-2", bytes: 5 * GiB })
      .then("QUOTA_EXCEEDED")
  })

  it("is refused to anyone but admins", () => {
    given([]).when({ _tag: "SetQuotaLimit", userId: "alice", limitBytes: -1, reason: "please" }, { actor: alice }).then("FORBIDDEN")
    given([]).when({ _tag: "SetQuotaLimit", userId: "alice", limitBytes: -1, reason: "please" }, { actor: testActors.bob }).then("FORBIDDEN")
  })

  it("cannot go below what is already reserved or used", () => {
    given([reserved("up-1", 2 * GiB)])
      .when({ _tag: "SetQuotaLimit", userId: "alice", limitBytes: GiB, reason: "abuse" }, { actor: carol })
      .then("LIMIT_BELOW_USAGE")
  })
})

describe("quota: reconciling a reservation whose upload was never created", () => {
  const reconcile = { _tag: "ReconcileReservation", userId: "alice", uploadId: "up-1" } as const
  const reconciled: QuotaEvent = {
    _tag: "ReservationReconciled", userId: "alice", uploadId: "up-1", periodStart: T0, bytes: GiB, reservedAt: T0, at
  }

  it("gives the reservation back with its own event, saying when it was made", () => {
    const { state } = given([reserved("up-1", GiB)]).when(reconcile, { actor: system }).then([reconciled])
    expect(state.status === "Tracked" && state.reservations).toEqual([])
    expect(state.status === "Tracked" && state.settled).toEqual([{ uploadId: "up-1", outcome: "reconciled", bytes: GiB }])
    given([reserved("up-1", 4 * GiB), reconciled]).when({ _tag: "ReserveUpload", userId: "alice", uploadId: "up-2", bytes: 4 * GiB })
      .then([{ ...reserved("up-2", 4 * GiB), at }])
  })

  it("changes nothing when repeated, or when the reservation was released, committed or never made", () => {
    const released: QuotaEvent = { _tag: "ReservationReleased", userId: "alice", uploadId: "up-1", periodStart: T0, bytes: GiB, reason: "failed", at }
    const committed: QuotaEvent = { _tag: "UploadCommitted", userId: "alice", uploadId: "up-1", periodStart: T0, reservedBytes: GiB, committedBytes: GiB, at }
    for (const history of [[reserved("up-1", GiB), reconciled], [reserved("up-1", GiB), released], [reserved("up-1", GiB), committed], []]) {
      given(history).when(reconcile, { actor: system }).then([])
    }
    given([reserved("up-1", GiB), reconciled]).when({ _tag: "ReleaseUpload", userId: "alice", uploadId: "up-1", reason: "failed" }).then([])
  })

  it("a commit after the janitor gave the reservation back is a conflict, not free bytes", () => {
    given([reserved("up-1", GiB), reconciled]).when({ _tag: "CommitUpload", userId: "alice", uploadId: "up-1", receivedBytes: GiB })
      .then("RESERVATION_CONFLICT")
  })

  it("is the system's only: not the user's, not an admin's", () => {
    given([reserved("up-1", GiB)]).when(reconcile, { actor: alice }).then("FORBIDDEN")
    given([reserved("up-1", GiB)]).when(reconcile, { actor: carol }).then("FORBIDDEN")
  })
})

describe("quota: a live stream's growing reservation", () => {
  const grow = (bytes: number, uploadId = "live-1") => ({ _tag: "GrowReservation" as const, userId: "alice", uploadId, bytes })
  const opened: QuotaEvent = { ...(reserved("live-1", GiB) as Extract<QuotaEvent, { _tag: "UploadReserved" }>), growing: true, at }
  const grown = (bytes: number, addedBytes: number): QuotaEvent => ({
    _tag: "ReservationGrown", userId: "alice", uploadId: "live-1", periodStart: T0, bytes, addedBytes, at
  })

  it("opens on the first chunk and grows chunk by chunk; asking for no more than is held is a no-op", () => {
    given([]).when(grow(GiB)).then([opened])
    given([opened]).when(grow(2 * GiB)).then([grown(2 * GiB, GiB)])
    given([opened, grown(2 * GiB, GiB)]).when(grow(2 * GiB)).then([])
    given([opened, grown(2 * GiB, GiB)]).when(grow(GiB)).then([])
  })

  it("stops at the chunk that crosses the weekly limit, saying how much is left", () => {
    const { error } = given([reserved("up-1", GiB), opened]).when(grow(3 * GiB + 1)).then("QUOTA_EXCEEDED")
    expect(error).toMatchObject({ requestedBytes: 2 * GiB + 1, remainingBytes: 2 * GiB })
    given([reserved("up-1", GiB), opened]).when(grow(3 * GiB)).then([grown(3 * GiB, 2 * GiB)])
    given([reserved("up-1", 4 * GiB)]).when(grow(1)).then("QUOTA_EXCEEDED")
  })

  it("is settled like an upload's (the adopted upload commits it) and never reconciled by the janitor", () => {
    given([opened, grown(2 * GiB, GiB)]).when({ _tag: "CommitUpload", userId: "alice", uploadId: "live-1", receivedBytes: 2 * GiB }).then([{
      _tag: "UploadCommitted", userId: "alice", uploadId: "live-1", periodStart: T0, reservedBytes: 2 * GiB, committedBytes: 2 * GiB, at
    }])
    given([opened]).when({ _tag: "ReconcileReservation", userId: "alice", uploadId: "live-1" }, { actor: system }).then([])
  })

  it("does not grow an upload's fixed reservation, nor one already settled", () => {
    given([reserved("live-1", GiB)]).when(grow(2 * GiB)).then("RESERVATION_CONFLICT")
    const released: QuotaEvent = { _tag: "ReservationReleased", userId: "alice", uploadId: "live-1", periodStart: T0, bytes: GiB, reason: "failed", at }
    given([opened, released]).when(grow(2 * GiB)).then("RESERVATION_CONFLICT")
  })
})
