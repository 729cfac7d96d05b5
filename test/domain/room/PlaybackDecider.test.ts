/** Given/when/then specifications of synchronized playback: waiting, the end of a wait, scheduled effect times. */
import { describe, expect, it } from "vitest"
import { playbackAt, playbackPosition } from "../../../src/domain/room/PlaybackTimeline.ts"
import { RoomAggregate } from "../../../src/domain/room/RoomAggregate.ts"
import type { RoomEvent } from "../../../src/domain/room/RoomEvents.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { T0, testActors } from "../../../src/testing/TestContext.ts"

const { alice, system } = testActors
const { given } = specFor(RoomAggregate, { actor: alice, now: T0 })

const opened: RoomEvent = { _tag: "RoomOpened", roomId: "r-1", hostId: "alice", sponsored: false, capacity: 3, at: T0 }
const play: RoomEvent = { _tag: "PlaybackChanged", roomId: "r-1", action: "play", positionMs: 10_000, by: "alice", at: T0 + 100, effectiveAt: T0 + 400 }
const ready: RoomEvent = { _tag: "PlaybackReady", roomId: "r-1", positionMs: 10_000, playing: true, startsAt: T0 + 2_300, reason: "ready", at: T0 + 2_000 }

describe("room: synchronized playback", () => {
  it("schedules a play lead ms ahead and waits; the system ends the wait and the room plays from now + lead", () => {
    given([opened]).when({ _tag: "ControlPlayback", roomId: "r-1", action: "play", positionMs: 10_000, leadMs: 300 }, { now: T0 + 100 }).then([play])
    const { state } = given([opened, play]).when({ _tag: "EndPlaybackWait", roomId: "r-1", waitingSince: T0 + 100, reason: "ready", leadMs: 300 }, {
      actor: system,
      now: T0 + 2_000
    }).then([ready])
    expect(state.status === "Open" && state.playback).toEqual({ status: "playing", playing: true, positionMs: 10_000, updatedAt: T0 + 2_300, waitingSince: null })
  })

  it("ignores the end of a wait that is over or was replaced, and takes it only from the system", () => {
    const wait = { _tag: "EndPlaybackWait", roomId: "r-1", waitingSince: T0 + 100, reason: "timeout" } as const
    given([opened, play, ready]).when(wait, { actor: system, now: T0 + 9_000 }).then([])
    given([opened, play]).when({ ...wait, waitingSince: T0 + 99 }, { actor: system }).then([])
    given([opened, play]).when(wait).then("FORBIDDEN")
  })

  it("pauses where the room's clock stands at the effective time, whatever position the command says", () => {
    given([opened, play, ready]).when({ _tag: "ControlPlayback", roomId: "r-1", action: "pause", positionMs: 0, leadMs: 500 }, { now: T0 + 5_000 })
      .then([{ _tag: "PlaybackChanged", roomId: "r-1", action: "pause", positionMs: 13_200, by: "alice", at: T0 + 5_000, effectiveAt: T0 + 5_500 }])
  })

  it("keeps a seek while paused paused once ready, and never schedules before the previous effective time", () => {
    const paused: RoomEvent = { _tag: "PlaybackChanged", roomId: "r-1", action: "pause", positionMs: 0, by: "alice", at: T0, effectiveAt: T0 + 1_000 }
    const seek: RoomEvent = { _tag: "PlaybackChanged", roomId: "r-1", action: "seek", positionMs: 60_000, by: "alice", at: T0 + 10, effectiveAt: T0 + 1_000 }
    given([opened, paused]).when({ _tag: "ControlPlayback", roomId: "r-1", action: "seek", positionMs: 60_000 }, { now: T0 + 10 }).then([seek])
    const { state } = given([opened, paused, seek]).when({ _tag: "EndPlaybackWait", roomId: "r-1", waitingSince: T0 + 10, reason: "timeout" }, { actor: system, now: T0 + 20 })
      .then([{ _tag: "PlaybackReady", roomId: "r-1", positionMs: 60_000, playing: false, startsAt: T0 + 1_000, reason: "timeout", at: T0 + 20 }])
    expect(state.status === "Open" && state.playback.status).toBe("paused")
  })

  it("derives the position at any instant from the events alone", () => {
    const events = [opened, play, ready]
    expect(playbackAt(events, T0 + 50).status).toBe("idle")
    expect(playbackPosition(events, T0 + 399)).toBe(0)
    expect(playbackAt(events, T0 + 400).status).toBe("waiting")
    expect(playbackPosition(events, T0 + 2_000)).toBe(10_000)
    expect(playbackPosition(events, T0 + 2_300)).toBe(10_000)
    expect(playbackPosition(events, T0 + 3_300)).toBe(11_000)
  })
})
