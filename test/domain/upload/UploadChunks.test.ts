/** The processing records of the upload aggregate: chunks of the original, milestones, and what publishing produced. */
import { describe, expect, it } from "vitest"
import { UploadAggregate } from "../../../src/domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../../../src/domain/upload/UploadEvents.ts"
import { checkInvariant } from "../../../src/testing/CheckInvariant.ts"
import { anyTestActor } from "../../../src/testing/Pools.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { smallDomainSettings, T0, testActors } from "../../../src/testing/TestContext.ts"
import { uploadArbitraries } from "../../../src/testing/UploadArbitraries.ts"

const { system, alice } = testActors
const { given } = specFor(UploadAggregate, { actor: system, now: T0 })
const MiB = 1024 * 1024

const received: ReadonlyArray<UploadEvent> = [
  {
    _tag: "UploadCreated",
    uploadId: "up-1",
    ownerId: "alice",
    filename: "clip.mp4",
    container: "mp4",
    declaredSize: 25 * MiB,
    contentType: "video/mp4",
    at: T0
  },
  { _tag: "BytesReceived", uploadId: "up-1", offset: 0, length: 25 * MiB, receivedBytes: 25 * MiB, at: T0 },
  { _tag: "UploadReceived", uploadId: "up-1", size: 25 * MiB, at: T0 }
]
const claimed = (step: "chunk" | "transcode" | "publish", attempt: number, workerId = "w-1", at = T0): UploadEvent => ({
  _tag: "StepClaimed", uploadId: "up-1", step, workerId, attempt, leaseExpiresAt: at + 60_000, at
})
const chunk = (partNumber: number, multipartUploadId = "mp-1", attempt = 1, workerId = "w-1") =>
  ({ uploadId: "up-1", workerId, attempt, multipartUploadId, partNumber, etag: `"e${partNumber}"`, size: 10 * MiB }) as const
const recordChunk = (partNumber: number, multipartUploadId?: string, attempt?: number, workerId?: string) =>
  ({ _tag: "RecordChunk", ...chunk(partNumber, multipartUploadId, attempt, workerId) }) as const
const chunkUploaded = (partNumber: number, multipartUploadId?: string, attempt?: number, workerId?: string): UploadEvent =>
  ({ _tag: "ChunkUploaded", ...chunk(partNumber, multipartUploadId, attempt, workerId), at: T0 })

const media = {
  masterPlaylistUrl: "/media/up-1/master.m3u8",
  thumbnailUrl: "/media/up-1/thumbnail.jpg",
  thumbnailWidth: 640,
  thumbnailHeight: 360,
  durationSeconds: 4.02,
  width: 1280,
  height: 720,
  renditions: [{
    name: "360p",
    width: 640,
    height: 360,
    bandwidth: 900_000,
    averageBandwidth: 800_000,
    codecs: "avc1.64001e,mp4a.40.2",
    frameRate: 30,
    playlistUrl: "/media/up-1/360p/index.m3u8"
  }],
  sizeBytes: 25 * MiB,
  sha256: "a".repeat(64)
}

describe("upload: chunks of the original", () => {
  it("records the parts in order, and keeps them across a re-claim of the chunk step", () => {
    const { state } = given([...received, claimed("chunk", 1)]).when(recordChunk(1)).then([chunkUploaded(1)])
    expect(state.status === "Processing" && state.chunks).toEqual({ multipartUploadId: "mp-1", parts: [{ partNumber: 1, etag: "\"e1\"", size: 10 * MiB }] })
    given([...received, claimed("chunk", 1), chunkUploaded(1)]).when(recordChunk(3)).then("CHUNK_OUT_OF_ORDER")
    const retried = [...received, claimed("chunk", 1), chunkUploaded(1), claimed("chunk", 2, "w-2", T0 + 60_000)]
    const { state: after } = given(retried).when(recordChunk(2, "mp-1", 2, "w-2"), { now: T0 + 61_000 })
      .then([{ ...chunkUploaded(2, "mp-1", 2, "w-2"), at: T0 + 61_000 } as UploadEvent])
    expect(after.status === "Processing" && after.chunks?.parts.map((p) => p.partNumber)).toEqual([1, 2])
  })

  it("treats the same part again as a repeat, and part 1 of another multipart upload as a fresh start", () => {
    given([...received, claimed("chunk", 1), chunkUploaded(1)]).when(recordChunk(1)).then([])
    const { state } = given([...received, claimed("chunk", 1), chunkUploaded(1), chunkUploaded(2)]).when(recordChunk(1, "mp-2"))
      .then([chunkUploaded(1, "mp-2")])
    expect(state.status === "Processing" && state.chunks).toEqual({ multipartUploadId: "mp-2", parts: [{ partNumber: 1, etag: "\"e1\"", size: 10 * MiB }] })
    given([...received, claimed("chunk", 1), chunkUploaded(1)]).when(recordChunk(2, "mp-2")).then("CHUNK_OUT_OF_ORDER")
  })

  it("comes only from the chunk step's lease holder, sent by the system", () => {
    given([...received, claimed("chunk", 1)]).when(recordChunk(1, "mp-1", 1, "w-2")).then("LEASE_NOT_HELD")
    given([...received, claimed("chunk", 1), claimed("chunk", 2, "w-2", T0 + 60_000)]).when(recordChunk(1)).then("LEASE_NOT_HELD")
    given([...received, claimed("chunk", 1)]).when(recordChunk(1), { actor: alice }).then("FORBIDDEN")
    given(received).when(recordChunk(1)).then("LEASE_NOT_HELD")
    given([...received, claimed("chunk", 1), { _tag: "StepCompleted", uploadId: "up-1", step: "chunk", workerId: "w-1", attempt: 1, at: T0 }, claimed("transcode", 1)])
      .when(recordChunk(1)).then("STEP_OUT_OF_ORDER")
  })
})

describe("upload: milestones and the published media", () => {
  const transcoding = [
    ...received,
    claimed("chunk", 1),
    { _tag: "StepCompleted", uploadId: "up-1", step: "chunk", workerId: "w-1", attempt: 1, at: T0 } as UploadEvent,
    claimed("transcode", 1)
  ]

  it("records a milestone of the leased step", () => {
    const command = { _tag: "RecordMilestone", uploadId: "up-1", step: "transcode", workerId: "w-1", attempt: 1, milestone: "probed", details: { durationSeconds: 4 } } as const
    const { state } = given(transcoding).when(command)
      .then([{ _tag: "MilestoneReached", uploadId: "up-1", step: "transcode", workerId: "w-1", attempt: 1, milestone: "probed", details: { durationSeconds: 4 }, at: T0 }])
    expect(state.status).toBe("Processing")
    given(transcoding).when({ ...command, workerId: "w-2" }).then("LEASE_NOT_HELD")
    given(transcoding).when({ ...command, step: "chunk" }).then("STEP_OUT_OF_ORDER")
  })

  it("puts what publishing produced on UploadReady", () => {
    const publishing = [
      ...transcoding,
      { _tag: "StepCompleted", uploadId: "up-1", step: "transcode", workerId: "w-1", attempt: 1, at: T0 } as UploadEvent,
      claimed("publish", 1)
    ]
    const { state } = given(publishing).when({ _tag: "CompleteStep", uploadId: "up-1", step: "publish", workerId: "w-1", attempt: 1, media })
      .then([
        { _tag: "StepCompleted", uploadId: "up-1", step: "publish", workerId: "w-1", attempt: 1, at: T0 },
        { _tag: "UploadReady", uploadId: "up-1", media, at: T0 }
      ])
    expect(state.status).toBe("Ready")
  })
})

describe("upload: chunk properties", () => {
  it("records chunks only from the chunk step's current lease holder, contiguously from part 1", () => {
    let seen = 0
    checkInvariant({
      aggregate: UploadAggregate,
      commands: uploadArbitraries.interacting,
      given: uploadArbitraries.given(smallDomainSettings),
      fit: uploadArbitraries.fit,
      actorFor: uploadArbitraries.actorFor,
      context: { actor: anyTestActor, settings: smallDomainSettings },
      maxCommands: 30,
      numRuns: 400,
      invariant: (state, events, { previous, context }) => {
        for (const event of events) {
          if (event._tag !== "ChunkUploaded" && event._tag !== "MilestoneReached") continue
          expect(context.actor.roles).toContain("system")
          expect(previous.status).toBe("Processing")
          if (previous.status !== "Processing") continue
          expect(previous.lease).toMatchObject({ workerId: event.workerId, attempt: event.attempt })
          if (event._tag === "ChunkUploaded") expect(previous.step).toBe("chunk")
          if (event._tag === "ChunkUploaded") seen++
        }
        if (state.status === "Processing" && state.chunks !== null) {
          expect(state.step).toBe("chunk")
          expect(state.chunks.parts.map((p) => p.partNumber)).toEqual(state.chunks.parts.map((_, i) => i + 1))
        }
      }
    })
    // The sequences do reach recorded chunks (otherwise this property would hold vacuously).
    expect(seen).toBeGreaterThan(10)
  })
})
