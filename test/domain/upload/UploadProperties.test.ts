/** Property tests of the upload aggregate: its laws and invariants over random command sequences. */
import { describe, expect, it } from "vitest"
import { UploadAggregate } from "../../../src/domain/upload/UploadAggregate.ts"
import { isTerminal, type UploadState } from "../../../src/domain/upload/UploadState.ts"
import { checkInvariant } from "../../../src/testing/CheckInvariant.ts"
import { checkDeciderLaws } from "../../../src/testing/DeciderLaws.ts"
import { anyTestActor } from "../../../src/testing/Pools.ts"
import { smallDomainSettings } from "../../../src/testing/TestContext.ts"
import { uploadArbitraries } from "../../../src/testing/UploadArbitraries.ts"

const sequences = {
  aggregate: UploadAggregate,
  commands: uploadArbitraries.interacting,
  given: uploadArbitraries.given(smallDomainSettings),
  fit: uploadArbitraries.fit,
  actorFor: uploadArbitraries.actorFor,
  context: { actor: anyTestActor, settings: smallDomainSettings },
  maxCommands: 30,
  numRuns: 500
}

const receivedOf = (state: UploadState): number =>
  state.status === "Initial" ? 0 : state.status === "Created" || state.status === "Receiving" ? state.receivedBytes : state.declaredSize

const RANK: Record<UploadState["status"], number> = {
  Initial: 0, Created: 1, Receiving: 2, Received: 3, Processing: 4, Ready: 5, Failed: 5, Cancelled: 5, Expired: 5
}

describe("upload properties", () => {
  it("obeys the decider laws (never throws, coded rejections, deterministic, replayable)", () => {
    checkDeciderLaws(sequences)
  })

  it("never throws and rejects with coded errors on any schema-valid command, ids unconstrained", () => {
    checkDeciderLaws({ ...sequences, commands: uploadArbitraries.command })
  })

  it("receives contiguous bytes and never more than the declared size", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events, { previous }) => {
        let received = receivedOf(previous)
        for (const event of events) {
          if (event._tag !== "BytesReceived") continue
          expect(event.offset).toBe(received)
          expect(event.receivedBytes).toBe(event.offset + event.length)
          received = event.receivedBytes
        }
        if (state.status !== "Initial") expect(receivedOf(state)).toBeLessThanOrEqual(state.declaredSize)
      }
    })
  })

  it("never exceeds jobMaxAttempts, and grants a claim only when no live lease exists", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events, { previous, context }) => {
        if (state.status === "Processing") expect(state.attempts).toBeLessThanOrEqual(context.settings.jobMaxAttempts)
        for (const event of events) {
          if (event._tag !== "StepClaimed") continue
          const before = previous.status === "Processing" && previous.step === event.step ? previous : undefined
          expect(before?.lease == null || before.lease.expiresAt <= context.now).toBe(true)
          expect(event.attempt).toBe((before?.attempts ?? 0) + 1)
          expect(event.leaseExpiresAt).toBeGreaterThan(context.now)
        }
      }
    })
  })

  it("accepts nothing in a terminal state (a repeated adoption of the same stream original is answered unchanged)", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous, error, command }) => {
        if (!isTerminal(previous)) return
        expect(events).toEqual([])
        if (command._tag !== "AdoptStreamOriginal") expect(error).toBeDefined()
      }
    })
  })

  it("lets only the owner send bytes, the owner or an admin cancel, and the system process or expire", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous, context }) => {
        const { actor } = context
        for (const event of events) {
          if (event._tag === "BytesReceived") expect(previous.status !== "Initial" && previous.ownerId).toBe(actor.userId)
          if (event._tag === "UploadCancelled") {
            expect(previous.status !== "Initial" && (previous.ownerId === actor.userId || actor.roles.includes("admin"))).toBe(true)
          }
          if (["StepClaimed", "StepCompleted", "StepFailed", "UploadExpired"].includes(event._tag)) {
            expect(actor.roles).toContain("system")
          }
        }
      }
    })
  })

  it("only moves forward through its lifecycle, and expires only after uploadExpiryHours without progress", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events, { previous, context }) => {
        expect(RANK[state.status]).toBeGreaterThanOrEqual(RANK[previous.status])
        for (const event of events) {
          if (event._tag !== "UploadExpired") continue
          expect(previous.status === "Created" || previous.status === "Receiving").toBe(true)
          expect(context.now - event.idleSince).toBeGreaterThanOrEqual(context.settings.uploadExpiryHours * 3_600_000)
        }
      }
    })
  })
})
