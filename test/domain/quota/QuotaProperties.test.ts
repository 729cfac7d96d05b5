/** Property tests of the quota aggregate: its laws and invariants over random command sequences. */
import { describe, expect, it } from "vitest"
import { QuotaAggregate } from "../../../src/domain/quota/QuotaAggregate.ts"
import { quotaPeriodAt } from "../../../src/domain/quota/QuotaPeriod.ts"
import { effectiveLimit, usageOf } from "../../../src/domain/quota/QuotaState.ts"
import { checkDeciderLaws } from "../../../src/testing/DeciderLaws.ts"
import { checkInvariant } from "../../../src/testing/CheckInvariant.ts"
import { anyTestActor } from "../../../src/testing/Pools.ts"
import { quotaArbitraries } from "../../../src/testing/QuotaArbitraries.ts"
import { smallDomainSettings } from "../../../src/testing/TestContext.ts"

const sequences = {
  aggregate: QuotaAggregate,
  commands: quotaArbitraries.interacting,
  fit: quotaArbitraries.fit,
  actorFor: quotaArbitraries.actorFor,
  context: { actor: anyTestActor, settings: smallDomainSettings },
  maxCommands: 30,
  numRuns: 500
}

describe("quota properties", () => {
  it("obeys the decider laws (never throws, coded rejections, deterministic, replayable)", () => {
    checkDeciderLaws(sequences)
  })

  it("never throws and rejects with coded errors on any schema-valid command, ids unconstrained", () => {
    checkDeciderLaws({ ...sequences, commands: quotaArbitraries.command })
  })

  it("reserved + committed never exceed the limit in any period", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, _events, { context }) =>
        state.status !== "Tracked" ||
        state.periods.every((p) => usageOf(state, p.start) <= effectiveLimit(state, context.settings))
    })
  })

  it("a reservation counts in the period of its reservation, never an earlier one", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { context, previous }) => {
        for (const event of events) {
          if (event._tag !== "UploadReserved") continue
          const now = quotaPeriodAt(context.now, context.settings)
          const latest = previous.status === "Tracked" ? previous.periods.at(-1)?.start ?? now.start : now.start
          expect(event.periodStart).toBe(Math.max(now.start, latest))
          expect(event.periodEnd - event.periodStart).toBe(7 * 86_400_000)
        }
      }
    })
  })

  it("releasing twice, or releasing an unknown reservation, is a no-op", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { command, previous, error }) => {
        if (command._tag !== "ReleaseUpload" || error !== undefined) return
        const open = previous.status === "Tracked" && previous.reservations.some((r) => r.uploadId === command.uploadId)
        expect(events.length).toBe(open ? 1 : 0)
      }
    })
  })

  it("only the system reconciles, once per open upload reservation (never a stream's growing one), giving back exactly what it held", () => {
    let accepted = 0
    checkInvariant({
      ...sequences,
      invariant: (state, events, { command, context, previous, error }) => {
        if (command._tag !== "ReconcileReservation" || error?.code === "AGGREGATE_ID_MISMATCH") return
        if (!context.actor.roles.includes("system")) return expect(error?.code).toBe("FORBIDDEN")
        const held = previous.status === "Tracked" ? previous.reservations.find((r) => r.uploadId === command.uploadId) : undefined
        const open = held?.growing === true ? undefined : held
        expect(error).toBeUndefined()
        expect(events).toEqual(open === undefined ? [] : [{
          _tag: "ReservationReconciled",
          userId: command.userId,
          uploadId: command.uploadId,
          periodStart: open.periodStart,
          bytes: open.bytes,
          reservedAt: open.reservedAt,
          at: context.now
        }])
        expect(state.status === "Tracked" && state.reservations.some((r) => r.uploadId === command.uploadId)).toBe(held?.growing === true)
        if (open !== undefined) accepted++
      }
    })
    expect(accepted).toBeGreaterThan(0) // the sequences do reach open reservations
  })

  it("a commit records exactly the bytes received and settles its reservation", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events, { command }) => {
        for (const event of events) {
          if (event._tag !== "UploadCommitted" || command._tag !== "CommitUpload") continue
          expect(event.committedBytes).toBe(command.receivedBytes)
          expect(state.status === "Tracked" && state.reservations.some((r) => r.uploadId === event.uploadId)).toBe(false)
        }
      }
    })
  })

  it("a growing reservation only grows, by what was asked, and stays one reservation", () => {
    let grown = 0
    checkInvariant({
      ...sequences,
      invariant: (state, events, { command, previous, error }) => {
        if (command._tag !== "GrowReservation" || error !== undefined) return
        const before = previous.status === "Tracked" ? previous.reservations.find((r) => r.uploadId === command.uploadId) : undefined
        const after = state.status === "Tracked" ? state.reservations.filter((r) => r.uploadId === command.uploadId) : []
        expect(after.length).toBe(1)
        expect(after[0]?.growing).toBe(true)
        expect(after[0]?.bytes).toBe(Math.max(before?.bytes ?? 0, command.bytes))
        for (const event of events) {
          if (event._tag !== "ReservationGrown") continue
          grown++
          expect(event.addedBytes).toBe(command.bytes - (before?.bytes ?? 0))
          expect(event.periodStart).toBe(before?.periodStart)
        }
      }
    })
    expect(grown).toBeGreaterThan(0)
  })

  it("a raise that would pass the limit is refused with QUOTA_EXCEEDED and changes nothing", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, _events, { command, context, previous, error }) => {
        if (command._tag !== "GrowReservation" || previous.status !== "Tracked") return
        const before = previous.reservations.find((r) => r.uploadId === command.uploadId)
        if (before === undefined || !before.growing || command.bytes <= before.bytes) return
        const fits = usageOf(previous, before.periodStart) + command.bytes - before.bytes <= effectiveLimit(previous, context.settings)
        if (error?.code === "AGGREGATE_ID_MISMATCH" || error?.code === "FORBIDDEN") return
        expect(error?.code).toBe(fits ? undefined : "QUOTA_EXCEEDED")
        if (!fits) expect(state).toBe(previous)
      }
    })
  })
})
