// The README's "Writing a property test" example, verbatim: keep the two in step.
import { describe, it } from "vitest"
import { RoomAggregate } from "../../src/domain/room/RoomAggregate.ts"
import {
  anyTestActor,
  checkInvariant,
  roomArbitraries,
  smallDomainSettings,
  specFor,
  T0,
  testActors
} from "../../src/testing/index.ts"

describe("a room never holds more members than its capacity", () => {
  it("holds over 500 random command sequences", () => {
    checkInvariant({
      aggregate: RoomAggregate,
      // Commands generated from the RoomCommand schema, their ids mapped into a few rooms and users.
      commands: roomArbitraries.interacting,
      // Start each run from nothing or from an open room; act as random users (host, sponsor, admin, system).
      given: roomArbitraries.given(smallDomainSettings),
      context: { actor: anyTestActor, settings: smallDomainSettings },
      // Checked after every command; return false or throw to fail. fast-check shrinks the sequence.
      invariant: (state) => state.status !== "Open" || state.capacity < 0 || state.members.length <= state.capacity,
      numRuns: 500
    })
  })

  it("turns the member one too many away with ROOM_FULL", () => {
    const { given } = specFor(RoomAggregate, { now: T0 })
    given([
      { _tag: "RoomOpened", roomId: "r-1", hostId: "alice", sponsored: false, capacity: 2, at: T0 },
      { _tag: "MemberJoined", roomId: "r-1", userId: "bob", at: T0 }
    ])
      .when({ _tag: "JoinRoom", roomId: "r-1" }, { actor: testActors.carol })
      .then("ROOM_FULL")
  })
})
