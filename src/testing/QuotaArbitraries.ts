/** Arbitraries for the quota aggregate, derived from its schemas. */
import type * as fc from "fast-check"
import type { Principal } from "../domain/shared/Decider.ts"
import { QuotaCommand } from "../domain/quota/QuotaCommands.ts"
import { QuotaEvent } from "../domain/quota/QuotaEvents.ts"
import type { QuotaState } from "../domain/quota/QuotaState.ts"
import { oneIn, pick, weighted } from "./Pools.ts"
import { byTag, fromSchema } from "./SchemaArbitrary.ts"
import { testActors } from "./TestContext.ts"

const users = ["alice", "alice", "alice", "alice", "alice", "alice", "alice", "bob"] as const
const uploads = ["up-1", "up-2", "up-3", "up-4", "up-5", "up-6", "up-7", "up-8"] as const

/** Ids into small pools, sizes onto the scale of `smallDomainSettings` (100-byte weekly limit). */
const intoPools = (command: QuotaCommand): QuotaCommand => {
  const userId = pick(users, command.userId)
  switch (command._tag) {
    case "ReserveUpload":
    case "GrowReservation":
      return { ...command, userId, uploadId: pick(uploads, command.uploadId), bytes: 1 + (command.bytes % 60) }
    case "CommitUpload":
      return { ...command, userId, uploadId: pick(uploads, command.uploadId), receivedBytes: command.receivedBytes % 70 }
    case "ReleaseUpload":
    case "ReconcileReservation":
      return { ...command, userId, uploadId: pick(uploads, command.uploadId) }
    case "SetQuotaLimit":
      return { ...command, userId, limitBytes: command.limitBytes === null ? null : pick([-1, 0, 50, 100, 150, 200], command.limitBytes) }
  }
}

const commands = byTag(QuotaCommand)

/**
 * Commits, releases and reconciles mostly name an open reservation, and commit about its reserved size
 * (a little less, sometimes more).
 */
const fit = (command: QuotaCommand, state: QuotaState): QuotaCommand => {
  if (state.status !== "Tracked" || state.reservations.length === 0) return command
  if (command._tag === "CommitUpload" && !oneIn(4, command.receivedBytes)) {
    const reservation = pick(state.reservations, command.receivedBytes)
    const delta = oneIn(5, command.uploadId) ? 1 + (command.receivedBytes % 10) : -(command.receivedBytes % 3)
    return { ...command, uploadId: reservation.uploadId, receivedBytes: Math.max(0, reservation.bytes + delta) }
  }
  // a stream raises its own reservation by about a chunk
  if (command._tag === "GrowReservation" && !oneIn(3, command.bytes)) {
    const growing = state.reservations.filter((r) => r.growing)
    if (growing.length > 0) {
      const reservation = pick(growing, command.uploadId)
      return { ...command, uploadId: reservation.uploadId, bytes: reservation.bytes + 1 + (command.bytes % 15) }
    }
  }
  if ((command._tag === "ReleaseUpload" || command._tag === "ReconcileReservation") && !oneIn(4, command.uploadId)) {
    return { ...command, uploadId: pick(state.reservations, command.uploadId).uploadId }
  }
  return command
}

/**
 * Bob acts for the quota's own user, or as the system for the janitor's reconcile; dave, a stranger, stays
 * himself (and is refused).
 */
const actorFor = (command: QuotaCommand, _state: QuotaState, drawn: Principal): Principal => {
  if (drawn.userId !== "bob") return drawn
  return command._tag === "ReconcileReservation" ? testActors.system : { userId: command.userId, roles: ["user"] }
}

export const quotaArbitraries = {
  /** Any valid quota command. */
  command: fromSchema(QuotaCommand) as fc.Arbitrary<QuotaCommand>,
  /** Any valid quota event. */
  event: fromSchema(QuotaEvent) as fc.Arbitrary<QuotaEvent>,
  /** One arbitrary per command type. */
  commands,
  /** One arbitrary per event type. */
  events: byTag(QuotaEvent),
  /** Commands whose ids and sizes fall into small pools, so a sequence's commands meet. */
  interacting: weighted(commands, { ReserveUpload: 4, GrowReservation: 3, CommitUpload: 3, ReleaseUpload: 2, ReconcileReservation: 1, SetQuotaLimit: 1 }).map(intoPools),
  /** Pass as `fit` to `checkInvariant` to make sequences go deep. */
  fit,
  /** Pass as `actorFor` to `checkInvariant`. */
  actorFor
}
