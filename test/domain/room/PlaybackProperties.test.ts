/** Property test: the playback position derived from the room's events, over random command sequences through the decider. */
import { describe, expect, it } from "vitest"
import { effectiveAt, isPlaybackEvent, playbackAt, playbackPosition, positionAt } from "../../../src/domain/room/PlaybackTimeline.ts"
import { RoomAggregate } from "../../../src/domain/room/RoomAggregate.ts"
import type { RoomEvent } from "../../../src/domain/room/RoomEvents.ts"
import { anyTestActor, checkInvariant, roomArbitraries, smallDomainSettings } from "../../../src/testing/index.ts"

/** Instants around every effective time and between them: where a wrong fold would show. */
const probes = (events: ReadonlyArray<RoomEvent>): Array<number> => {
  const times = events.filter(isPlaybackEvent).map(effectiveAt)
  const around = times.flatMap((t) => [t - 1, t, t + 1, t + 137, t + 5_000])
  const between = times.slice(1).map((t, i) => Math.floor((t + times[i]!) / 2))
  return [...new Set([...around, ...between])].sort((a, b) => a - b)
}

describe("room playback position", () => {
  it("is monotone non-decreasing between play/pause/seek, constant while paused, and what the state extrapolates", () => {
    checkInvariant({
      aggregate: RoomAggregate,
      commands: roomArbitraries.interacting,
      given: roomArbitraries.given(smallDomainSettings),
      fit: roomArbitraries.fit,
      context: { actor: anyTestActor, settings: smallDomainSettings },
      maxCommands: 30,
      numRuns: 300,
      invariant: (state, _events, { history }) => {
        const changes = history.filter((e) => e._tag === "PlaybackChanged").map(effectiveAt)
        const t = probes(history)
        for (let i = 1; i < t.length; i++) {
          const [a, b] = [t[i - 1]!, t[i]!]
          // a play, pause or seek taking effect in (a, b] may move the position either way
          if (changes.some((c) => c > a && c <= b)) continue
          const [pa, pb] = [playbackPosition(history, a), playbackPosition(history, b)]
          expect(pb).toBeGreaterThanOrEqual(pa)
          if (playbackAt(history, a).status === "paused") expect(pb).toBe(pa)
        }
        if (state.status === "Open") {
          const end = (t.at(-1) ?? state.playback.updatedAt) + 1_000
          expect(playbackAt(history, end)).toEqual(state.playback)
          expect(playbackPosition(history, end)).toBe(positionAt(state.playback, end))
        }
      }
    })
  })
})
