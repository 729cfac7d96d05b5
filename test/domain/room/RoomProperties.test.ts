/** Property tests of the room aggregate: its laws and invariants over random command sequences. */
import { describe, expect, it } from "vitest"
import { RoomAggregate } from "../../../src/domain/room/RoomAggregate.ts"
import { MAX_CHAT_LENGTH } from "../../../src/domain/room/RoomCommands.ts"
import { isMember, mayControlPlayback } from "../../../src/domain/room/RoomState.ts"
import { checkInvariant } from "../../../src/testing/CheckInvariant.ts"
import { checkDeciderLaws } from "../../../src/testing/DeciderLaws.ts"
import { anyTestActor } from "../../../src/testing/Pools.ts"
import { roomArbitraries } from "../../../src/testing/RoomArbitraries.ts"
import { smallDomainSettings } from "../../../src/testing/TestContext.ts"

const sequences = {
  aggregate: RoomAggregate,
  commands: roomArbitraries.interacting,
  given: roomArbitraries.given(smallDomainSettings),
  fit: roomArbitraries.fit,
  context: { actor: anyTestActor, settings: smallDomainSettings },
  maxCommands: 30,
  numRuns: 500
}

describe("room properties", () => {
  it("obeys the decider laws (never throws, coded rejections, deterministic, replayable)", () => {
    checkDeciderLaws(sequences)
  })

  it("never throws and rejects with coded errors on any schema-valid command, ids unconstrained", () => {
    checkDeciderLaws({ ...sequences, commands: roomArbitraries.command })
  })

  it("never holds more members than its capacity, each once, and only members control playback", () => {
    checkInvariant({
      ...sequences,
      invariant: (state) => {
        if (state.status !== "Open") return
        const ids = state.members.map((m) => m.userId)
        expect(new Set(ids).size).toBe(ids.length)
        if (state.capacity >= 0) expect(ids.length).toBeLessThanOrEqual(state.capacity)
        for (const controller of state.controllers) expect(ids).toContain(controller)
      }
    })
  })

  it("makes joining twice a no-op", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { command, previous, context }) => {
        if (command._tag === "JoinRoom" && previous.status === "Open" && isMember(previous, context.actor.userId)) {
          expect(events).toEqual([])
        }
      }
    })
  })

  it("takes chat only from members, trimmed, 1 to 2,000 characters", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous }) => {
        for (const event of events) {
          if (event._tag !== "ChatPosted") continue
          expect(previous.status === "Open" && isMember(previous, event.userId)).toBe(true)
          expect(event.text).toBe(event.text.trim())
          expect(Array.from(event.text).length).toBeGreaterThan(0)
          expect(Array.from(event.text).length).toBeLessThanOrEqual(MAX_CHAT_LENGTH)
        }
      }
    })
  })

  it("takes playback only from the host or allowed members, stamped with the server time", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous, context }) => {
        for (const event of events) {
          if (event._tag !== "PlaybackChanged") continue
          expect(previous.status === "Open" && mayControlPlayback(previous, event.by)).toBe(true)
          expect(event.at).toBe(context.now)
          expect(event.positionMs).toBeGreaterThanOrEqual(0)
        }
      }
    })
  })

  it("accepts nothing once closed, and closes for inactivity only after the retention time", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous, error, context }) => {
        if (previous.status === "Closed") expect({ events, rejected: error !== undefined }).toEqual({ events: [], rejected: true })
        for (const event of events) {
          if (event._tag === "RoomClosed" && event.reason === "inactive" && previous.status === "Open") {
            expect(context.now - previous.lastActivityAt).toBeGreaterThanOrEqual(context.settings.inactiveRoomRetentionHours * 3_600_000)
          }
        }
      }
    })
  })
})
