/** The client module's clock sync and drift policy, and the server's lead: pure, no sockets. */
import { describe, expect, it } from "vitest"
import { ClockSync, correctionFor, PlaybackClient } from "../../../src/realtime/client/PlaybackClient.ts"
import { p95, playbackLead } from "../../../src/realtime/PlaybackLead.ts"

describe("playback client", () => {
  it("estimates the offset from the lowest-delay sample of the last 8", () => {
    const clock = new ClockSync()
    clock.add(1_000, 6_020, 1_040) // delay 40, offset 5000
    for (let i = 0; i < 7; i++) clock.add(2_000, 7_300, 2_200) // delay 200, offset 5200
    expect(clock.best()).toEqual({ offsetMs: 5_000, delayMs: 40 })
    expect(clock.serverNow(10_000)).toBe(15_000)
    clock.add(3_000, 8_250, 3_100) // the good sample falls out of the window
    expect(clock.best()).toEqual({ offsetMs: 5_200, delayMs: 100 })
  })

  it("corrects drift like SyncPlay: nothing under 60 ms, the rate up to 3 s, a seek above; seeks while not playing", () => {
    expect(correctionFor(10_000, 9_950, true)).toEqual({ kind: "none" })
    expect(correctionFor(10_000, 9_800, true)).toEqual({ kind: "rate", rate: 1.2, forMs: 1_000 })
    expect(correctionFor(10_000, 10_300, true)).toEqual({ kind: "rate", rate: 0.7, forMs: 1_000 })
    expect(correctionFor(10_000, 8_000, true)).toEqual({ kind: "rate", rate: 2, forMs: 1_000 })
    expect(correctionFor(10_000, 6_000, true)).toEqual({ kind: "seek", positionMs: 10_000 })
    expect(correctionFor(10_000, 9_800, false)).toEqual({ kind: "seek", positionMs: 10_000 })
  })

  it("follows the welcome and the playback events on the server's clock, and reports its round trip in pings", () => {
    let local = 1_000
    const client = new PlaybackClient(() => local)
    expect(client.ping("a")).toEqual({ type: "ping", id: "a", clientTime: 1_000 })
    local = 1_060
    client.receive({ type: "pong", clientTime: 1_000, serverTime: 50_030 }) // offset 49,000
    expect(client.ping("b")).toMatchObject({ rttMs: 60 })
    client.receive({ type: "welcome", room: { playback: { status: "paused", playing: false, positionMs: 2_000, updatedAt: 40_000, waitingSince: null } } })
    expect(client.expectedPositionMs()).toBe(2_000)
    client.receive({ type: "event", event: "PlaybackChanged", data: { roomId: "r", action: "play", positionMs: 3_000, by: "h", at: 50_100, effectiveAt: 50_400 } })
    client.receive({ type: "event", event: "PlaybackReady", data: { roomId: "r", positionMs: 3_000, playing: true, startsAt: 51_000, reason: "ready", at: 50_700 } })
    local = 1_300 // server 50,300: the play is not in effect yet
    expect(client.state().status).toBe("paused")
    local = 1_500
    expect(client.state().status).toBe("waiting")
    local = 4_000 // server 53,000
    expect(client.state().status).toBe("playing")
    expect(client.expectedPositionMs()).toBe(5_000)
  })

  it("schedules commands max(2 × p95 RTT, 300 ms) ahead", () => {
    expect(p95([])).toBe(0)
    expect(playbackLead([])).toBe(300)
    expect(playbackLead([20, 40, 100])).toBe(300)
    const rtts = Array.from({ length: 20 }, (_, i) => (i + 1) * 10) // p95 = 190
    expect(playbackLead(rtts)).toBe(380)
    expect(playbackLead([60_000])).toBe(10_000)
  })
})
