/** Given/when/then specifications of the room aggregate. */
import { describe, expect, it } from "vitest"
import { RoomAggregate } from "../../../src/domain/room/RoomAggregate.ts"
import type { RoomEvent } from "../../../src/domain/room/RoomEvents.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { T0, testActors } from "../../../src/testing/TestContext.ts"

const { alice, bob, carol, system } = testActors
const dave = { userId: "dave", roles: ["user"] } as const
const { given } = specFor(RoomAggregate, { actor: alice, now: T0 })
const HOUR = 3_600_000

const opened: RoomEvent = { _tag: "RoomOpened", roomId: "r-1", hostId: "alice", title: "Movie night", sponsored: false, capacity: 3, at: T0 }
const joined = (userId: string, at = T0): RoomEvent => ({ _tag: "MemberJoined", roomId: "r-1", userId, at })
const closed: RoomEvent = { _tag: "RoomClosed", roomId: "r-1", closedBy: "alice", reason: "host", at: T0 }

describe("room: opening and membership", () => {
  it("opens with the acting user as host and the default capacity", () => {
    const { state } = given([]).when({ _tag: "OpenRoom", roomId: "r-1", title: "Movie night", sponsored: false }, { settings: { defaultMaxParticipants: 3 } })
      .then([opened])
    expect(state.status === "Open" && state.members.map((m) => m.userId)).toEqual(["alice"])
  })

  it("opens sponsored rooms, unlimited by default, for sponsors only", () => {
    given([]).when({ _tag: "OpenRoom", roomId: "r-1", sponsored: true }, { actor: bob })
      .then([{ _tag: "RoomOpened", roomId: "r-1", hostId: "bob", sponsored: true, capacity: -1, at: T0 }])
    given([]).when({ _tag: "OpenRoom", roomId: "r-1", sponsored: true }).then("FORBIDDEN")
  })

  it("lets members join up to the capacity, the host included", () => {
    given([opened]).when({ _tag: "JoinRoom", roomId: "r-1" }, { actor: bob }).then([joined("bob")])
    const { error } = given([opened, joined("bob"), joined("carol")]).when({ _tag: "JoinRoom", roomId: "r-1" }, { actor: dave }).then("ROOM_FULL")
    expect(error?.message).toBe("The room is full (3 participants).")
  })

  it("has no limit in an unlimited room", () => {
    const unlimited: RoomEvent = { ...opened, sponsored: true, capacity: -1 } as RoomEvent
    given([unlimited, joined("bob"), joined("carol")]).when({ _tag: "JoinRoom", roomId: "r-1" }, { actor: dave }).then([joined("dave")])
  })

  it("treats joining twice and leaving twice as no-ops", () => {
    given([opened, joined("bob")]).when({ _tag: "JoinRoom", roomId: "r-1" }, { actor: bob }).then([])
    given([opened, joined("bob")]).when({ _tag: "LeaveRoom", roomId: "r-1" }, { actor: bob })
      .then([{ _tag: "MemberLeft", roomId: "r-1", userId: "bob", reason: "left", at: T0 }])
    given([opened]).when({ _tag: "LeaveRoom", roomId: "r-1" }, { actor: bob }).then([])
  })

  it("marks a disconnected member left only after the grace period, and only by the system", () => {
    const history = [opened, joined("bob")]
    const command = { _tag: "MarkMemberLeft", roomId: "r-1", userId: "bob", disconnectedAt: T0 + 1_000 } as const
    given(history).when(command, { actor: system, now: T0 + 30_999 }).then("GRACE_NOT_ELAPSED")
    given(history).when(command, { actor: system, now: T0 + 31_000 })
      .then([{ _tag: "MemberLeft", roomId: "r-1", userId: "bob", reason: "disconnected", at: T0 + 31_000 }])
    given(history).when(command, { actor: bob, now: T0 + 31_000 }).then("FORBIDDEN")
    // bob came back after that disconnect: the notice is stale.
    given([opened, joined("bob"), { _tag: "MemberLeft", roomId: "r-1", userId: "bob", reason: "left", at: T0 }, joined("bob", T0 + 5_000)])
      .when(command, { actor: system, now: T0 + HOUR }).then([])
  })
})

describe("room: chat", () => {
  it("takes trimmed messages from members", () => {
    given([opened, joined("bob")]).when({ _tag: "PostChat", roomId: "r-1", messageId: "m-1", text: "  hello  " }, { actor: bob })
      .then([{ _tag: "ChatPosted", roomId: "r-1", messageId: "m-1", userId: "bob", text: "hello", at: T0 }])
  })

  it("refuses non-members, blank text and text over 2,000 characters", () => {
    given([opened]).when({ _tag: "PostChat", roomId: "r-1", messageId: "m-1", text: "hi" }, { actor: bob }).then("NOT_A_MEMBER")
    given([opened]).when({ _tag: "PostChat", roomId: "r-1", messageId: "m-1", text: " \n " }).then("CHAT_TEXT_INVALID")
    given([opened]).when({ _tag: "PostChat", roomId: "r-1", messageId: "m-1", text: "😀".repeat(2000) }).then([
      { _tag: "ChatPosted", roomId: "r-1", messageId: "m-1", userId: "alice", text: "😀".repeat(2000), at: T0 }
    ])
    const { error } = given([opened]).when({ _tag: "PostChat", roomId: "r-1", messageId: "m-1", text: "a".repeat(2001) }).then("CHAT_TEXT_INVALID")
    expect(error?.message).toBe("Chat message rejected: the text has 2001 characters, more than 2000.")
  })
})

describe("room: playback", () => {
  it("is driven by the host, with the position and the server time", () => {
    const { state } = given([opened]).when({ _tag: "ControlPlayback", roomId: "r-1", action: "play", positionMs: 1_500 }, { now: T0 + 42 })
      .then([{ _tag: "PlaybackChanged", roomId: "r-1", action: "play", positionMs: 1_500, by: "alice", at: T0 + 42 }])
    // play puts the room in waiting (until members are ready: PlaybackReady); playing says it is meant to play
    expect(state.status === "Open" && state.playback).toEqual({ status: "waiting", playing: true, positionMs: 1_500, updatedAt: T0 + 42, waitingSince: T0 + 42 })
  })

  it("is refused to members the host did not allow, and granted to those it did", () => {
    given([opened, joined("bob")]).when({ _tag: "ControlPlayback", roomId: "r-1", action: "pause", positionMs: 0 }, { actor: bob }).then("NOT_HOST")
    const allowed: RoomEvent = { _tag: "PlaybackControlChanged", roomId: "r-1", userId: "bob", allowed: true, by: "alice", at: T0 }
    given([opened, joined("bob")]).when({ _tag: "AllowPlaybackControl", roomId: "r-1", userId: "bob", allowed: true }).then([allowed])
    given([opened, joined("bob"), allowed]).when({ _tag: "ControlPlayback", roomId: "r-1", action: "seek", positionMs: 90_000 }, { actor: bob })
      .then([{ _tag: "PlaybackChanged", roomId: "r-1", action: "seek", positionMs: 90_000, by: "bob", at: T0 }])
    given([opened, joined("bob")]).when({ _tag: "AllowPlaybackControl", roomId: "r-1", userId: "bob", allowed: true }, { actor: bob })
      .then("NOT_HOST")
    given([opened]).when({ _tag: "AllowPlaybackControl", roomId: "r-1", userId: "bob", allowed: true }).then("NOT_A_MEMBER")
  })
})

describe("room: closing", () => {
  it("is closed by the host or an admin", () => {
    given([opened]).when({ _tag: "CloseRoom", roomId: "r-1" }).then([closed])
    given([opened]).when({ _tag: "CloseRoom", roomId: "r-1" }, { actor: carol })
      .then([{ _tag: "RoomClosed", roomId: "r-1", closedBy: "carol", reason: "admin", at: T0 }])
    given([opened, joined("bob")]).when({ _tag: "CloseRoom", roomId: "r-1" }, { actor: bob }).then("NOT_HOST")
  })

  it("is closed by the janitor only after inactiveRoomRetentionHours without activity", () => {
    const history = [opened, joined("bob", T0 + HOUR)]
    given(history).when({ _tag: "CloseInactiveRoom", roomId: "r-1" }, { actor: system, now: T0 + 24 * HOUR }).then("ROOM_ACTIVE")
    given(history).when({ _tag: "CloseInactiveRoom", roomId: "r-1" }, { actor: system, now: T0 + 25 * HOUR })
      .then([{ _tag: "RoomClosed", roomId: "r-1", closedBy: "system", reason: "inactive", at: T0 + 25 * HOUR }])
  })

  it("accepts nothing once closed", () => {
    given([opened, closed]).when({ _tag: "JoinRoom", roomId: "r-1" }, { actor: bob }).then("ROOM_CLOSED")
    given([opened, closed]).when({ _tag: "PostChat", roomId: "r-1", messageId: "m", text: "hi" }).then("ROOM_CLOSED")
    given([opened, closed]).when({ _tag: "OpenRoom", roomId: "r-1", sponsored: false }).then("ROOM_CLOSED")
  })

  it("does not exist before it was opened", () => {
    given([]).when({ _tag: "JoinRoom", roomId: "r-1" }).then("NOT_FOUND")
    given([opened]).when({ _tag: "JoinRoom", roomId: "r-2" }).then("AGGREGATE_ID_MISMATCH")
  })
})

describe("room: handing over the host", () => {
  it("lets the host hand the room to a present member, who then drives playback and the old host no longer does", () => {
    const handed: RoomEvent = { _tag: "HostHandedOver", roomId: "r-1", from: "alice", to: "bob", at: T0 }
    const { state } = given([opened, joined("bob")]).when({ _tag: "HandOverHost", roomId: "r-1", userId: "bob" }).then([handed])
    expect(state.status === "Open" && state.hostId).toBe("bob")
    given([opened, joined("bob"), handed]).when({ _tag: "ControlPlayback", roomId: "r-1", action: "play", positionMs: 0 }).then("NOT_HOST")
    given([opened, joined("bob"), handed]).when({ _tag: "ControlPlayback", roomId: "r-1", action: "play", positionMs: 0 }, { actor: bob })
      .then([{ _tag: "PlaybackChanged", roomId: "r-1", action: "play", positionMs: 0, by: "bob", at: T0 }])
  })

  it("refuses others than the host, and members who are not present", () => {
    given([opened, joined("bob")]).when({ _tag: "HandOverHost", roomId: "r-1", userId: "bob" }, { actor: bob }).then("NOT_HOST")
    given([opened]).when({ _tag: "HandOverHost", roomId: "r-1", userId: "carol" }).then("NOT_A_MEMBER")
    given([opened]).when({ _tag: "HandOverHost", roomId: "r-1", userId: "alice" }).then([])
  })
})
