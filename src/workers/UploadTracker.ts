/**
 * The workers' view of every upload that still needs something: folded from the upload events with the
 * decider's own `evolve`, it says what is due when (claim a step, give up on a dead one, expire an idle
 * upload, settle an ended one) and which position is safe as the durable checkpoint. Pure: no I/O, no clock.
 */
import type { ProcessingStep } from "../domain/upload/UploadCommands.ts"
import type { UploadEvent } from "../domain/upload/UploadEvents.ts"
import { evolveUpload, type ExistingUpload, initialUploadState, isTerminal, type UploadState } from "../domain/upload/UploadState.ts"

export interface TrackedUpload {
  readonly state: ExistingUpload
  /** Position of its `UploadCreated` (or `UploadAdoptedFromStream`): replaying from just before it rebuilds this entry. */
  readonly firstPosition: number
  /** The last multipart upload of its original (aborted if the upload ends without being ready). */
  readonly multipartUploadId: string | undefined
  /** Nothing is done for it before this instant (after a failed settle or a refused expiry). */
  readonly notBefore: number
}

export type DueWork =
  | { readonly kind: "claim"; readonly uploadId: string; readonly step: ProcessingStep; readonly attempt: number; readonly at: number }
  | { readonly kind: "giveUp"; readonly uploadId: string; readonly step: ProcessingStep; readonly attempts: number; readonly at: number }
  | { readonly kind: "expire"; readonly uploadId: string; readonly at: number }
  | { readonly kind: "settle"; readonly uploadId: string; readonly at: number }

export interface TrackerRules {
  readonly jobMaxAttempts: number
  readonly uploadExpiryMs: number
  /** Wait this long past a lease's expiry before taking over (clocks of two machines differ a little). */
  readonly leaseGraceMs: number
}

const HOUR = 3_600_000

export class UploadTracker {
  private readonly uploads = new Map<string, TrackedUpload>()
  /** Position of the last upload event folded in (0: none yet). */
  lastPosition = 0

  get size(): number {
    return this.uploads.size
  }

  get(uploadId: string): TrackedUpload | undefined {
    return this.uploads.get(uploadId)
  }

  /** Folds one event in. Events of an upload whose creation came before the replay window are ignored (it was settled). */
  apply(position: number, event: UploadEvent): void {
    this.lastPosition = Math.max(this.lastPosition, position)
    const current = this.uploads.get(event.uploadId)
    if (current === undefined && event._tag !== "UploadCreated" && event._tag !== "UploadAdoptedFromStream") return
    const before: UploadState = current?.state ?? initialUploadState
    const after = evolveUpload(before, event)
    if (after.status === "Initial") return
    this.uploads.set(event.uploadId, {
      state: after,
      firstPosition: current?.firstPosition ?? position,
      multipartUploadId: event._tag === "ChunkUploaded" ? event.multipartUploadId : current?.multipartUploadId,
      notBefore: current?.notBefore ?? 0
    })
  }

  /** The upload needs nothing more (settled): forget it. */
  forget(uploadId: string): void {
    this.uploads.delete(uploadId)
  }

  /** Nothing for this upload before `at`. */
  postpone(uploadId: string, at: number): void {
    const current = this.uploads.get(uploadId)
    if (current !== undefined) this.uploads.set(uploadId, { ...current, notBefore: at })
  }

  /**
   * The safe checkpoint: just before the oldest upload still tracked, so that a restart replays every
   * upload that may still need work; the last position seen when none is.
   */
  checkpoint(): number {
    let oldest = Number.POSITIVE_INFINITY
    for (const u of this.uploads.values()) oldest = Math.min(oldest, u.firstPosition)
    return oldest === Number.POSITIVE_INFINITY ? this.lastPosition : Math.max(0, oldest - 1)
  }

  /** Everything due now or later, soonest first. */
  due(rules: TrackerRules): ReadonlyArray<DueWork> {
    const out: Array<DueWork> = []
    for (const [uploadId, tracked] of this.uploads) {
      const work = dueFor(uploadId, tracked.state, rules)
      if (work !== undefined) out.push({ ...work, at: Math.max(work.at, tracked.notBefore) })
    }
    return out.sort((a, b) => a.at - b.at)
  }
}

/** What one upload needs next, and from when. */
export const dueFor = (uploadId: string, state: ExistingUpload, rules: TrackerRules): DueWork | undefined => {
  if (isTerminal(state)) return { kind: "settle", uploadId, at: 0 }
  switch (state.status) {
    case "Created":
    case "Receiving":
      return { kind: "expire", uploadId, at: state.lastProgressAt + rules.uploadExpiryMs }
    case "Received":
      return { kind: "claim", uploadId, step: "chunk", attempt: 1, at: 0 }
    case "Processing": {
      if (state.lease !== null) {
        const takeOver = state.lease.expiresAt + rules.leaseGraceMs
        return state.attempts >= rules.jobMaxAttempts
          ? { kind: "giveUp", uploadId, step: state.step, attempts: state.attempts, at: takeOver }
          : { kind: "claim", uploadId, step: state.step, attempt: state.attempts + 1, at: takeOver }
      }
      return { kind: "claim", uploadId, step: state.step, attempt: state.attempts + 1, at: state.retryAt ?? 0 }
    }
    default:
      return undefined
  }
}

export const expiryMs = (uploadExpiryHours: number): number => uploadExpiryHours * HOUR
