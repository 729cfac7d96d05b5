/** Schema-derived fast-check arbitraries generate only values their schema accepts. */
import { Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { UploadCommand } from "../../src/domain/upload/UploadCommands.ts"
import { RoomEvent } from "../../src/domain/room/RoomEvents.ts"
import { byTag, fromSchema } from "../../src/testing/index.ts"

describe("fromSchema / byTag", () => {
  it("generates valid commands and events", () => {
    fc.assert(fc.property(fromSchema(UploadCommand), (command) => Schema.is(UploadCommand)(command)), { numRuns: 300 })
    fc.assert(fc.property(fromSchema(RoomEvent), (event) => Schema.is(RoomEvent)(event)), { numRuns: 300 })
  })

  it("keys one arbitrary per member by tag, each generating only that tag", () => {
    const arbitraries = byTag(UploadCommand)
    expect(Object.keys(arbitraries).sort()).toEqual(
      ["AdoptStreamOriginal", "AppendBytes", "CancelUpload", "ClaimStep", "CompleteStep", "CreateUpload", "ExpireUpload", "FailStep", "FailUpload", "RecordChunk", "RecordMilestone"]
    )
    for (const [tag, arbitrary] of Object.entries<fc.Arbitrary<{ readonly _tag: string }>>(arbitraries)) {
      for (const value of fc.sample(arbitrary, { numRuns: 20, seed: 7 })) expect(value._tag).toBe(tag)
    }
  })

  it("is reproducible from fast-check's seed", () => {
    const arbitrary = fromSchema(UploadCommand)
    expect(fc.sample(arbitrary, { numRuns: 10, seed: 3 })).toEqual(fc.sample(arbitrary, { numRuns: 10, seed: 3 }))
  })
})
