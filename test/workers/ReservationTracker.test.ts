/** The quota reconciler's tracker: which open reservations are due for a check when, and which checkpoint is safe. */
import { describe, expect, it } from "vitest"
import type { QuotaEvent } from "../../src/domain/quota/QuotaEvents.ts"
import { T0 } from "../../src/testing/TestContext.ts"
import { ReservationTracker } from "../../src/workers/ReservationTracker.ts"

const GRACE = 900_000
const WEEK = 7 * 86_400_000
const reserved = (userId: string, uploadId: string, at = T0): QuotaEvent => ({
  _tag: "UploadReserved", userId, uploadId, bytes: 10, periodStart: T0, periodEnd: T0 + WEEK, at
})

describe("ReservationTracker", () => {
  it("makes an open reservation due QUOTA_RECONCILE_GRACE_SECONDS after it was made, soonest first", () => {
    const t = new ReservationTracker()
    t.apply(1, reserved("alice", "b", T0 + 50))
    t.apply(2, reserved("bob", "a", T0 + 10))
    expect(t.due(GRACE)).toEqual([
      { userId: "bob", uploadId: "a", at: T0 + 10 + GRACE },
      { userId: "alice", uploadId: "b", at: T0 + 50 + GRACE }
    ])
  })

  it("stops following a reservation once it is committed, released or reconciled (or forgotten)", () => {
    const t = new ReservationTracker()
    for (const [i, id] of ["a", "b", "c", "d", "e"].entries()) t.apply(i + 1, reserved("alice", id))
    t.apply(6, { _tag: "UploadCommitted", userId: "alice", uploadId: "a", periodStart: T0, reservedBytes: 10, committedBytes: 10, at: T0 })
    t.apply(7, { _tag: "ReservationReleased", userId: "alice", uploadId: "b", periodStart: T0, bytes: 10, reason: "expired", at: T0 })
    t.apply(8, { _tag: "ReservationReconciled", userId: "alice", uploadId: "c", periodStart: T0, bytes: 10, reservedAt: T0, at: T0 })
    t.apply(9, { _tag: "QuotaLimitSet", userId: "alice", limitBytes: -1, setBy: "carol", reason: "x", at: T0 })
    t.forget("alice", "d")
    expect(t.due(GRACE).map((d) => d.uploadId)).toEqual(["e"])
    expect(t.lastPosition).toBe(9)
  })

  it("keeps the same upload id of two users apart", () => {
    const t = new ReservationTracker()
    t.apply(1, reserved("alice", "x"))
    t.apply(2, reserved("bob", "x"))
    t.apply(3, { _tag: "ReservationReleased", userId: "alice", uploadId: "x", periodStart: T0, bytes: 10, reason: "failed", at: T0 })
    expect(t.due(GRACE).map((d) => d.userId)).toEqual(["bob"])
  })

  it("postponing delays a check", () => {
    const t = new ReservationTracker()
    t.apply(1, reserved("alice", "a"))
    t.postpone("alice", "a", T0 + 2 * GRACE)
    expect(t.due(GRACE)[0]!.at).toBe(T0 + 2 * GRACE)
  })

  it("keeps the checkpoint just before the oldest open reservation, or at the last event when none is open", () => {
    const t = new ReservationTracker()
    expect(t.checkpoint()).toBe(0)
    t.apply(10, reserved("alice", "a"))
    t.apply(20, reserved("alice", "b"))
    expect(t.checkpoint()).toBe(9)
    t.forget("alice", "a")
    expect(t.checkpoint()).toBe(19)
    t.forget("alice", "b")
    expect(t.checkpoint()).toBe(20)
  })
})
