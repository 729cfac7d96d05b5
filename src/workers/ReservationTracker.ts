/**
 * The quota reconciler's view of every reservation still open: folded from the quota events, it says which
 * reservations are old enough to be checked against their upload, and which position is safe as the durable
 * checkpoint. Pure: no I/O, no clock.
 */
import type { QuotaEvent } from "../domain/quota/QuotaEvents.ts"

export interface OpenReservation {
  readonly userId: string
  readonly uploadId: string
  readonly reservedAt: number
  /** Position of its `UploadReserved`: replaying from just before it finds it again. */
  readonly position: number
  /** Not checked before this instant (after a failed check). */
  readonly notBefore: number
}

export interface DueCheck {
  readonly userId: string
  readonly uploadId: string
  readonly at: number
}

// One quota stream per user: an upload id is only unique within its owner's stream.
const keyOf = (userId: string, uploadId: string) => `${userId}\u0000${uploadId}`

export class ReservationTracker {
  private readonly open = new Map<string, OpenReservation>()
  /** Position of the last quota event folded in (0: none yet). */
  lastPosition = 0

  get size(): number {
    return this.open.size
  }

  apply(position: number, event: QuotaEvent): void {
    this.lastPosition = Math.max(this.lastPosition, position)
    switch (event._tag) {
      case "UploadReserved": {
        const key = keyOf(event.userId, event.uploadId)
        if (!this.open.has(key)) {
          this.open.set(key, { userId: event.userId, uploadId: event.uploadId, reservedAt: event.at, position, notBefore: 0 })
        }
        return
      }
      case "UploadCommitted":
      case "ReservationReleased":
      case "ReservationReconciled":
        this.open.delete(keyOf(event.userId, event.uploadId))
        return
      case "QuotaLimitSet":
        return
    }
  }

  /** Nothing more to do for it (reconciled, or its upload exists and settles it): stop tracking it. */
  forget(userId: string, uploadId: string): void {
    this.open.delete(keyOf(userId, uploadId))
  }

  /** Not checked again before `at`. */
  postpone(userId: string, uploadId: string, at: number): void {
    const key = keyOf(userId, uploadId)
    const current = this.open.get(key)
    if (current !== undefined) this.open.set(key, { ...current, notBefore: at })
  }

  /** Just before the oldest reservation still tracked, so a restart replays each of them; the last position seen when none is. */
  checkpoint(): number {
    let oldest = Number.POSITIVE_INFINITY
    for (const r of this.open.values()) oldest = Math.min(oldest, r.position)
    return oldest === Number.POSITIVE_INFINITY ? this.lastPosition : Math.max(0, oldest - 1)
  }

  /** Every reservation with the instant it becomes old enough to check (`graceMs` after it was made), soonest first. */
  due(graceMs: number): ReadonlyArray<DueCheck> {
    return [...this.open.values()]
      .map((r) => ({ userId: r.userId, uploadId: r.uploadId, at: Math.max(r.reservedAt + graceMs, r.notBefore) }))
      .sort((a, b) => a.at - b.at)
  }
}
