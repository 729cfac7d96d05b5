/** The generic versioned event codec: version checks and upcaster chains. */
import { Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { makeEventCodec } from "../../../src/domain/shared/VersionedEventCodec.ts"

const Renamed = Schema.TaggedStruct("Renamed", { title: Schema.String, by: Schema.String })
const codec = makeEventCodec(Schema.Union([Renamed]), {
  current: { Renamed: 3 },
  upcasters: {
    Renamed: {
      1: ({ name, ...rest }) => ({ ...rest, title: name }),
      2: (data) => ({ by: "unknown", ...data })
    }
  }
})

describe("makeEventCodec", () => {
  it("encodes at the current version and decodes it back", () => {
    const stored = codec.encode({ _tag: "Renamed", title: "t", by: "alice" })
    expect(stored).toEqual({ type: "Renamed", data: { title: "t", by: "alice" }, schemaVersion: 3 })
    expect(Result.getOrThrow(codec.decode(stored))).toEqual({ _tag: "Renamed", title: "t", by: "alice" })
  })

  it("chains upcasters from an old version to the current one", () => {
    expect(Result.getOrThrow(codec.decode({ type: "Renamed", data: { name: "t" }, schemaVersion: 1 })))
      .toEqual({ _tag: "Renamed", title: "t", by: "unknown" })
    expect(Result.getOrThrow(codec.decode({ type: "Renamed", data: { title: "t" }, schemaVersion: 2 })))
      .toEqual({ _tag: "Renamed", title: "t", by: "unknown" })
  })

  it("fails with a SchemaError, never throws, on what it cannot read", () => {
    const failures = [
      codec.decode({ type: "Renamed", data: { title: "t", by: "a" }, schemaVersion: 4 }),
      codec.decode({ type: "Renamed", data: { title: "t", by: "a" }, schemaVersion: 1.5 }),
      codec.decode({ type: "Renamed", data: null, schemaVersion: 3 }),
      codec.decode({ type: "Renamed", data: { title: 1, by: "a" }, schemaVersion: 3 }),
      makeEventCodec(Schema.Union([Renamed]), { current: { Renamed: 2 } }).decode({ type: "Renamed", data: {}, schemaVersion: 1 }),
      makeEventCodec(Schema.Union([Renamed]), {
        current: { Renamed: 2 },
        upcasters: { Renamed: { 1: () => { throw new Error("boom") } } }
      }).decode({ type: "Renamed", data: {}, schemaVersion: 1 })
    ]
    for (const failure of failures) {
      expect(Result.isFailure(failure) && failure.failure._tag).toBe("SchemaError")
    }
  })
})
