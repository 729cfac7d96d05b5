/** Property tests of the live-stream aggregate: its laws and invariants over random command sequences. */
import { describe, expect, it } from "vitest"
import { StreamAggregate } from "../../../src/domain/stream/StreamAggregate.ts"
import { checkInvariant } from "../../../src/testing/CheckInvariant.ts"
import { checkDeciderLaws } from "../../../src/testing/DeciderLaws.ts"
import { anyTestActor } from "../../../src/testing/Pools.ts"
import { streamArbitraries } from "../../../src/testing/StreamArbitraries.ts"
import { smallDomainSettings } from "../../../src/testing/TestContext.ts"

const sequences = {
  aggregate: StreamAggregate,
  commands: streamArbitraries.interacting,
  given: streamArbitraries.given(smallDomainSettings),
  fit: streamArbitraries.fit,
  actorFor: streamArbitraries.actorFor,
  context: { actor: anyTestActor, settings: smallDomainSettings },
  maxCommands: 30,
  numRuns: 500
}

describe("stream properties", () => {
  it("obeys the decider laws (never throws, coded rejections, deterministic, replayable)", () => {
    checkDeciderLaws(sequences)
  })

  it("never throws and rejects with coded errors on any schema-valid command, ids unconstrained", () => {
    checkDeciderLaws({ ...sequences, commands: streamArbitraries.command })
  })

  it("keeps chunks contiguous from 0, back to back, full-size except a last one", () => {
    checkInvariant({
      ...sequences,
      invariant: (state) => {
        if (state.status !== "Live" && state.status !== "Ended") return
        let offset = 0
        state.chunks.forEach((chunk, i) => {
          expect(chunk.index).toBe(i)
          expect(chunk.offset).toBe(offset)
          if (i < state.chunks.length - 1) expect(chunk.size).toBe(state.chunkSizeBytes)
          offset += chunk.size
        })
      }
    })
  })

  it("uploads each chunk at most once, as part index + 1 of its sealed size", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous }) => {
        for (const event of events) {
          if (event._tag !== "ChunkUploaded") continue
          const chunk = previous.status === "Live" || previous.status === "Ended" ? previous.chunks[event.index] : undefined
          expect(chunk?.etag).toBeNull()
          expect(event.partNumber).toBe(event.index + 1)
          expect(event.size).toBe(chunk?.size)
        }
      }
    })
  })

  it("finalizes only after the end, once, with the total of its chunks, and then accepts nothing", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous, error }) => {
        if (previous.status === "Finalized") expect({ events, rejected: error !== undefined }).toEqual({ events: [], rejected: true })
        for (const event of events) {
          if (event._tag !== "StreamFinalized") continue
          expect(previous.status).toBe("Ended")
          if (previous.status !== "Ended") continue
          expect(event.totalSize).toBe(previous.chunks.reduce((sum, c) => sum + c.size, 0))
          expect(event.parts.map((p) => p.partNumber)).toEqual(previous.chunks.map((c) => c.index + 1))
        }
      }
    })
  })
})
