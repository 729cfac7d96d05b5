/** Every aggregate's schemas at the boundaries: commands and events are validated, JSON-serializable, and survive the codec. */
import { Result, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { QuotaAggregate } from "../../../src/domain/quota/QuotaAggregate.ts"
import { RoomAggregate } from "../../../src/domain/room/RoomAggregate.ts"
import type { Aggregate } from "../../../src/domain/shared/Decider.ts"
import { defaultDomainSettings } from "../../../src/domain/shared/DomainSettings.ts"
import { StreamAggregate } from "../../../src/domain/stream/StreamAggregate.ts"
import { UploadAggregate } from "../../../src/domain/upload/UploadAggregate.ts"
import { VideoAggregate } from "../../../src/domain/video/VideoAggregate.ts"
import { codecProblem } from "../../../src/testing/CodecRoundTrip.ts"
import { deepEqual } from "../../../src/testing/DeepEqual.ts"
import { quotaArbitraries } from "../../../src/testing/QuotaArbitraries.ts"
import { roomArbitraries } from "../../../src/testing/RoomArbitraries.ts"
import { streamArbitraries } from "../../../src/testing/StreamArbitraries.ts"
import { uploadArbitraries } from "../../../src/testing/UploadArbitraries.ts"
import { videoArbitraries } from "../../../src/testing/VideoArbitraries.ts"

interface Case {
  readonly aggregate: Aggregate<any, any, any, any, any>
  readonly arbitraries: {
    readonly command: fc.Arbitrary<unknown>
    readonly event: fc.Arbitrary<unknown>
    readonly commands: Record<string, fc.Arbitrary<unknown>>
    readonly events: Record<string, fc.Arbitrary<unknown>>
  }
}

const cases: ReadonlyArray<Case> = [
  { aggregate: UploadAggregate, arbitraries: uploadArbitraries },
  { aggregate: QuotaAggregate, arbitraries: quotaArbitraries },
  { aggregate: VideoAggregate, arbitraries: videoArbitraries },
  { aggregate: RoomAggregate, arbitraries: roomArbitraries },
  { aggregate: StreamAggregate, arbitraries: streamArbitraries }
]

describe.each(cases)("$aggregate.category boundaries", ({ aggregate, arbitraries }) => {
  it("streams its events under its own category", () => {
    expect(["upload", "quota", "room", "stream", "video"]).toContain(aggregate.category)
  })

  it("every valid event survives encode → JSON → decode unchanged", () => {
    fc.assert(fc.property(arbitraries.event, (event) => {
      expect(codecProblem(aggregate.events, event)).toBeUndefined()
    }), { numRuns: 500 })
  })

  it("every valid command survives JSON and the command schema unchanged", () => {
    const decode = Schema.decodeUnknownResult(aggregate.commandSchema)
    fc.assert(fc.property(arbitraries.command, (command) => {
      const back = decode(JSON.parse(JSON.stringify(command)))
      expect(Result.isSuccess(back) && deepEqual(back.success, command)).toBe(true)
    }), { numRuns: 500 })
  })

  it("rejects anything else at the boundary without throwing", () => {
    const decode = Schema.decodeUnknownResult(aggregate.commandSchema)
    fc.assert(fc.property(fc.anything(), (junk) => {
      decode(junk)
    }), { numRuns: 300 })
    expect(Result.isFailure(decode({ _tag: "NoSuchCommand" }))).toBe(true)
    expect(Result.isFailure(aggregate.events.decode({ type: "NoSuchEvent", data: {}, schemaVersion: 1 }))).toBe(true)
  })

  it("has an arbitrary for every command and event type", () => {
    expect(Object.keys(arbitraries.commands).length).toBe((aggregate.commandSchema as unknown as { members: unknown[] }).members.length)
    for (const arbitrary of [...Object.values(arbitraries.commands), ...Object.values(arbitraries.events)]) {
      expect(fc.sample(arbitrary, { numRuns: 3, seed: 1 })).toHaveLength(3)
    }
  })

  it("its decider starts from a state without events", () => {
    expect(aggregate.decider.initialState).toBeDefined()
    expect(aggregate.decider.initialState).toEqual(aggregate.decider.initialState)
  })
})

describe("defaultDomainSettings", () => {
  it("holds the documented defaults", () => {
    expect(defaultDomainSettings).toMatchObject({
      weeklyUploadLimitBytes: 4 * 1024 ** 3,
      quotaResetDay: 0,
      quotaResetHour: 0,
      maxFileSizeBytes: 2 * 1024 ** 3,
      acceptedVideoFormats: ["mp4", "mov", "avi", "mkv", "webm"],
      jobMaxAttempts: 3,
      jobRetryDelaySeconds: 5,
      videoProcessingTimeoutSeconds: 300,
      uploadExpiryHours: 24,
      chunkSizeBytes: 10 * 1024 ** 2,
      defaultMaxParticipants: 10,
      sponsorMaxParticipants: -1,
      inactiveRoomRetentionHours: 24,
      memberGraceSeconds: 30
    })
  })
})
