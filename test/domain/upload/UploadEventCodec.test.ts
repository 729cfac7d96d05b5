/** The upload event codec: stored shape, schema versions, and the upcast of `UploadCreated` v1. */
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { UploadEventCodec } from "../../../src/domain/upload/UploadAggregate.ts"
import { UploadCreatedV1 } from "../../../src/domain/upload/UploadEvents.ts"
import { fromSchema } from "../../../src/testing/SchemaArbitrary.ts"
import { T0 } from "../../../src/testing/TestContext.ts"

describe("UploadEventCodec", () => {
  it("stores UploadCreated at version 2 as {type, data, schemaVersion}, without the tag in data", () => {
    const stored = UploadEventCodec.encode({
      _tag: "UploadCreated",
      uploadId: "up-1",
      ownerId: "alice",
      filename: "clip.mp4",
      container: "mp4",
      declaredSize: 10,
      contentType: "video/mp4",
      at: T0
    })
    expect(stored).toEqual({
      type: "UploadCreated",
      schemaVersion: 2,
      data: { uploadId: "up-1", ownerId: "alice", filename: "clip.mp4", container: "mp4", declaredSize: 10, contentType: "video/mp4", at: T0 }
    })
    expect(UploadEventCodec.encode({ _tag: "UploadReady", uploadId: "up-1", at: T0 }).schemaVersion).toBe(1)
  })

  it("upcasts a version-1 UploadCreated: `size` became `declaredSize`, the content type defaults to octet-stream", () => {
    const decoded = UploadEventCodec.decode({
      type: "UploadCreated",
      schemaVersion: 1,
      data: { uploadId: "up-1", ownerId: "alice", filename: "old.mov", container: "mov", size: 1234, at: T0 }
    })
    expect(Result.getOrThrow(decoded)).toEqual({
      _tag: "UploadCreated",
      uploadId: "up-1",
      ownerId: "alice",
      filename: "old.mov",
      container: "mov",
      declaredSize: 1234,
      contentType: "application/octet-stream",
      at: T0
    })
  })

  it("upcasts every valid version-1 UploadCreated into a valid current one", () => {
    fc.assert(fc.property(fromSchema(UploadCreatedV1), (v1) => {
      const decoded = UploadEventCodec.decode({ type: "UploadCreated", schemaVersion: 1, data: v1 })
      const event = Result.getOrThrow(decoded)
      expect(event._tag === "UploadCreated" && event.declaredSize).toBe(v1.size)
    }), { numRuns: 200 })
  })

  it("refuses versions it does not know, data that is not an object, unknown types and invalid data", () => {
    const data = { uploadId: "up-1", at: T0 }
    expect(Result.isFailure(UploadEventCodec.decode({ type: "UploadReady", schemaVersion: 2, data }))).toBe(true)
    expect(Result.isFailure(UploadEventCodec.decode({ type: "UploadReady", schemaVersion: 0, data }))).toBe(true)
    expect(Result.isFailure(UploadEventCodec.decode({ type: "UploadReady", schemaVersion: 1, data: [1] }))).toBe(true)
    expect(Result.isFailure(UploadEventCodec.decode({ type: "UploadVanished", schemaVersion: 1, data }))).toBe(true)
    expect(Result.isFailure(UploadEventCodec.decode({ type: "UploadReady", schemaVersion: 1, data: { uploadId: "" } }))).toBe(true)
    expect(Result.isFailure(UploadEventCodec.decode({ type: "UploadCreated", schemaVersion: 1, data: { size: "big" } }))).toBe(true)
    expect(Result.isSuccess(UploadEventCodec.decode({ type: "UploadReady", schemaVersion: 1, data }))).toBe(true)
  })
})
