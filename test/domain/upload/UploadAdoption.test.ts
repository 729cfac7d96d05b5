/** Given/when/then and properties of adopting a finalized live stream's original as an upload. */
import { describe, expect, it } from "vitest"
import { UploadAggregate } from "../../../src/domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../../../src/domain/upload/UploadEvents.ts"
import { checkInvariant } from "../../../src/testing/CheckInvariant.ts"
import { anyTestActor } from "../../../src/testing/Pools.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { smallDomainSettings, T0, testActors } from "../../../src/testing/TestContext.ts"
import { uploadArbitraries } from "../../../src/testing/UploadArbitraries.ts"

const { alice, system } = testActors
const { given } = specFor(UploadAggregate, { actor: system, now: T0 })
const MiB = 1024 * 1024
const SHA = "a".repeat(64)

const adopt = (overrides: Partial<{ title: string; size: number; ownerId: string }> = {}) => ({
  _tag: "AdoptStreamOriginal" as const,
  uploadId: "st-1",
  ownerId: "alice",
  title: "Morning show.mp4",
  size: 40 * MiB,
  sha256: SHA,
  ...overrides
})
const adopted: UploadEvent = {
  _tag: "UploadAdoptedFromStream",
  uploadId: "st-1",
  ownerId: "alice",
  filename: "Morning show.mp4",
  container: "mp4",
  contentType: "video/mp4",
  size: 40 * MiB,
  sha256: SHA,
  at: T0
}

describe("upload: adopting a stream's original", () => {
  it("records an upload of the sealed original, for the stream's owner, at the transcode step", () => {
    const { state } = given([]).when(adopt()).then([adopted])
    expect(state).toMatchObject({
      status: "Processing",
      source: "stream",
      ownerId: "alice",
      declaredSize: 40 * MiB,
      step: "transcode",
      attempts: 0,
      lease: null
    })
  })

  it("sanitizes the title into the filename and refuses one with nothing left", () => {
    given([]).when(adopt({ title: "../cams/\u202econe.mp4" })).then([{ ...adopted, filename: "cone.mp4" }])
    given([]).when(adopt({ title: "/\u0000/" })).then("INVALID_FILENAME")
  })

  it("is the system's alone", () => {
    given([]).when(adopt(), { actor: alice }).then("FORBIDDEN")
  })

  it("follows the size limit and the accepted formats", () => {
    given([]).when(adopt({ size: 3 * 1024 * MiB })).then("FILE_TOO_LARGE")
    given([]).when(adopt(), { settings: { acceptedVideoFormats: ["webm"] } }).then("UNSUPPORTED_FORMAT")
  })

  it("happens once: the same original again changes nothing, anything else under the id is a clash", () => {
    given([adopted]).when(adopt()).then([])
    given([adopted]).when(adopt({ size: 41 * MiB })).then("ALREADY_EXISTS")
    given([adopted]).when({ _tag: "CreateUpload", uploadId: "st-1", filename: "x.mp4", declaredSize: 1, contentType: "video/mp4" }, { actor: alice })
      .then("ALREADY_EXISTS")
    const tus: UploadEvent = {
      _tag: "UploadCreated", uploadId: "st-1", ownerId: "alice", filename: "x.mp4", container: "mp4", declaredSize: 40 * MiB, contentType: "video/mp4", at: T0
    }
    given([tus]).when(adopt()).then("ALREADY_EXISTS")
  })

  it("is claimed at transcode, never at chunk, and goes on to publish and ready like any upload", () => {
    given([adopted]).when({ _tag: "ClaimStep", uploadId: "st-1", step: "chunk", workerId: "w-1" }).then("STEP_OUT_OF_ORDER")
    const claim: UploadEvent = {
      _tag: "StepClaimed", uploadId: "st-1", step: "transcode", workerId: "w-1", attempt: 1, leaseExpiresAt: T0 + 60_000, at: T0
    }
    given([adopted]).when({ _tag: "ClaimStep", uploadId: "st-1", step: "transcode", workerId: "w-1" }).then([claim])
    const done = (step: "transcode" | "publish"): UploadEvent => ({ _tag: "StepCompleted", uploadId: "st-1", step, workerId: "w-1", attempt: 1, at: T0 })
    const publishing: ReadonlyArray<UploadEvent> = [adopted, claim, done("transcode"), { ...claim, step: "publish" }]
    const { state } = given(publishing).when({ _tag: "CompleteStep", uploadId: "st-1", step: "publish", workerId: "w-1", attempt: 1 })
      .then([done("publish"), { _tag: "UploadReady", uploadId: "st-1", at: T0 }])
    expect(state).toMatchObject({ status: "Ready", source: "stream" })
  })

  it("takes no bytes and cannot expire: its bytes are all there", () => {
    given([adopted]).when({ _tag: "AppendBytes", uploadId: "st-1", offset: 40 * MiB, length: 1 }, { actor: alice }).then("UPLOAD_SIZE_EXCEEDED")
    given([adopted]).when({ _tag: "ExpireUpload", uploadId: "st-1" }, { now: T0 + 48 * 3_600_000 }).then("INVALID_UPLOAD_STATE")
  })

  it("may be cancelled by its owner", () => {
    given([adopted]).when({ _tag: "CancelUpload", uploadId: "st-1" }, { actor: alice })
      .then([{ _tag: "UploadCancelled", uploadId: "st-1", cancelledBy: "alice", at: T0 }])
  })
})

describe("upload adoption properties", () => {
  const sequences = {
    aggregate: UploadAggregate,
    commands: uploadArbitraries.interacting,
    given: uploadArbitraries.given(smallDomainSettings),
    fit: uploadArbitraries.fit,
    actorFor: uploadArbitraries.actorFor,
    context: { actor: anyTestActor, settings: smallDomainSettings },
    maxCommands: 30,
    numRuns: 500
  }

  it("adopts only as the system, only into a new upload, within the size limit, and straight to transcode", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events, { previous, context }) => {
        for (const event of events) {
          if (event._tag !== "UploadAdoptedFromStream") continue
          expect(context.actor.roles).toContain("system")
          expect(previous.status).toBe("Initial")
          expect(event.size).toBeLessThanOrEqual(context.settings.maxFileSizeBytes)
          expect(state).toMatchObject({ status: "Processing", source: "stream", step: "transcode", attempts: 0 })
        }
      }
    })
  })

  it("never receives bytes nor runs the chunk step for an adopted original", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events) => {
        if (state.status === "Initial" || state.source !== "stream") return
        for (const event of events) {
          expect(event._tag).not.toBe("BytesReceived")
          expect(event._tag).not.toBe("ChunkUploaded")
          if (event._tag === "StepClaimed") expect(event.step).not.toBe("chunk")
        }
      }
    })
  })
})
