/** Property tests of the live-stream aggregate: its laws and invariants over random command sequences. */
import { describe, expect, it } from "vitest"
import { StreamAggregate } from "../../../src/domain/stream/StreamAggregate.ts"
import { uploadedBytes } from "../../../src/domain/stream/StreamState.ts"
import { checkInvariant } from "../../../src/testing/CheckInvariant.ts"
import { eventTypesOf } from "../../../projections/DomainEvents.ts"
import { StreamEvent } from "../../../src/domain/stream/StreamEvents.ts"
import { UploadEvent } from "../../../src/domain/upload/UploadEvents.ts"
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

  it("names none of its events like an upload's (the stream's part event is not ChunkUploaded)", () => {
    const uploadTypes = new Set<string>(eventTypesOf(UploadEvent))
    const streamTypes: ReadonlyArray<string> = eventTypesOf(StreamEvent)
    expect(streamTypes.filter((t) => uploadTypes.has(t))).toEqual([])
    expect(streamTypes).toContain("StreamPartUploaded")
  })

  it("keeps parts numbered from 1, back to back, full-size except a last one, within the received bytes when pushed", () => {
    checkInvariant({
      ...sequences,
      invariant: (state) => {
        if (state.status !== "Live" && state.status !== "Ended") return
        let offset = 0
        state.parts.forEach((part, i) => {
          expect(part.partNumber).toBe(i + 1)
          expect(part.offset).toBe(offset)
          if (i < state.parts.length - 1) expect(part.size).toBe(state.chunkSizeBytes)
          offset += part.size
        })
        if (state.source === "push") expect(offset).toBeLessThanOrEqual(state.receivedBytes)
        if (state.parts.length > 0) expect(state.multipart).not.toBeNull()
      }
    })
  })

  it("records each part number at most once; a rewrite keeps its place and size and says what it replaced", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous }) => {
        const parts = previous.status === "Live" || previous.status === "Ended" ? previous.parts : []
        for (const event of events) {
          if (event._tag === "StreamPartUploaded") expect(parts[event.partNumber - 1]).toBeUndefined()
          if (event._tag === "StreamPartRewritten") {
            const before = parts[event.partNumber - 1]
            expect(previous.status).toBe("Ended")
            expect({ offset: event.offset, size: event.size, previousSha256: event.previousSha256 })
              .toEqual({ offset: before?.offset, size: before?.size, previousSha256: before?.sha256 })
          }
        }
      }
    })
  })

  it("finalizes or fails only once; finalized after the end with the total of its parts; then accepts nothing", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous, error }) => {
        if (previous.status === "Finalized") expect({ events, rejected: error !== undefined }).toEqual({ events: [], rejected: true })
        if (previous.status === "Failed") expect(events).toEqual([])
        for (const event of events) {
          if (event._tag === "StreamFailed") expect(["Live", "Ended"]).toContain(previous.status)
          if (event._tag !== "StreamFinalized") continue
          expect(previous.status).toBe("Ended")
          if (previous.status !== "Ended") continue
          expect(event.totalSize).toBe(uploadedBytes(previous.parts))
          expect(event.parts.map((p) => p.partNumber)).toEqual(previous.parts.map((_, i) => i + 1))
          if (previous.source === "push") expect(event.totalSize).toBe(previous.receivedBytes)
        }
      }
    })
  })
})
