/** Given/when/then specifications of the upload aggregate. */
import { describe, expect, it } from "vitest"
import { UploadAggregate } from "../../../src/domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../../../src/domain/upload/UploadEvents.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { T0, testActors } from "../../../src/testing/TestContext.ts"

const { alice, bob, carol, system } = testActors
const { given } = specFor(UploadAggregate, { actor: alice, now: T0 })
const MiB = 1024 * 1024
const HOUR = 3_600_000

const created: UploadEvent = {
  _tag: "UploadCreated",
  uploadId: "up-1",
  ownerId: "alice",
  filename: "clip.mp4",
  container: "mp4",
  declaredSize: 30 * MiB,
  contentType: "video/mp4",
  at: T0
}
const bytes = (offset: number, length: number, at = T0): UploadEvent => ({
  _tag: "BytesReceived", uploadId: "up-1", offset, length, receivedBytes: offset + length, at
})
const received: ReadonlyArray<UploadEvent> = [
  created,
  bytes(0, 30 * MiB),
  { _tag: "UploadReceived", uploadId: "up-1", size: 30 * MiB, at: T0 }
]
const claimed = (
  step: "chunk" | "transcode" | "publish",
  attempt: number,
  at = T0,
  workerId = "w-1"
): Extract<UploadEvent, { _tag: "StepClaimed" }> => ({
  _tag: "StepClaimed", uploadId: "up-1", step, workerId, attempt, leaseExpiresAt: at + 60_000, at
})
const completed = (step: "chunk" | "transcode" | "publish", attempt = 1, workerId = "w-1"): UploadEvent => ({
  _tag: "StepCompleted", uploadId: "up-1", step, workerId, attempt, at: T0
})

describe("upload: creation", () => {
  it("records the owner, the sanitized name, the container and the declared size", () => {
    given([]).when({ _tag: "CreateUpload", uploadId: "up-1", filename: "../secret/clip.MP4", declaredSize: 30 * MiB, contentType: "Video/MP4" })
      .then([{ ...created, filename: "clip.MP4", contentType: "video/mp4" }])
  })

  it("refuses a file larger than the maximum, a format not accepted, and an empty name", () => {
    given([]).when({ _tag: "CreateUpload", uploadId: "up-1", filename: "big.mp4", declaredSize: 3 * 1024 * MiB, contentType: "video/mp4" })
      .then("FILE_TOO_LARGE")
    const { error } = given([]).when({ _tag: "CreateUpload", uploadId: "up-1", filename: "notes.txt", declaredSize: 1, contentType: "text/plain" })
      .then("UNSUPPORTED_FORMAT")
    expect(error?.message).toBe("Cannot accept \".txt\"; accepted video formats: mp4, mov, avi, mkv, webm.")
    given([]).when({ _tag: "CreateUpload", uploadId: "up-1", filename: "/\u0000/", declaredSize: 1, contentType: "video/mp4" })
      .then("INVALID_FILENAME")
  })

  it("follows the settings", () => {
    given([]).when({ _tag: "CreateUpload", uploadId: "up-1", filename: "clip.mp4", declaredSize: 10, contentType: "video/mp4" }, {
      settings: { acceptedVideoFormats: ["webm"] }
    }).then("UNSUPPORTED_FORMAT")
  })

  it("happens once", () => {
    given([created]).when({ _tag: "CreateUpload", uploadId: "up-1", filename: "clip.mp4", declaredSize: 1, contentType: "video/mp4" })
      .then("ALREADY_EXISTS")
  })
})

describe("upload: receiving bytes", () => {
  it("takes contiguous bytes from the owner and is received when the last byte lands", () => {
    given([created]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 0, length: 10 * MiB }).then([bytes(0, 10 * MiB)])
    given([created, bytes(0, 10 * MiB)]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 10 * MiB, length: 20 * MiB })
      .then([bytes(10 * MiB, 20 * MiB), { _tag: "UploadReceived", uploadId: "up-1", size: 30 * MiB, at: T0 }])
  })

  it("keeps a verified checksum with the bytes", () => {
    const checksum = { algorithm: "sha1", value: "2jmj7l5rSw0yVb/vlWAYkK/YBwk=" } as const
    given([created]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 0, length: 5, checksum })
      .then([{ ...bytes(0, 5), checksum } as UploadEvent])
  })

  it("answers a wrong offset with the offset it expects", () => {
    const { error } = given([created, bytes(0, 10)]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 5, length: 10 })
      .then("OFFSET_MISMATCH")
    expect(error).toMatchObject({ expectedOffset: 10, offset: 5 })
  })

  it("never receives more than the declared size", () => {
    given([created]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 0, length: 30 * MiB + 1 }).then("UPLOAD_SIZE_EXCEEDED")
    given(received).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 30 * MiB, length: 1 }).then("UPLOAD_SIZE_EXCEEDED")
    given(received).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 30 * MiB, length: 0 }).then([])
  })

  it("takes bytes only from the owner", () => {
    given([created]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 0, length: 1 }, { actor: bob }).then("NOT_OWNER")
    given([created]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 0, length: 1 }, { actor: carol }).then("NOT_OWNER")
  })
})

describe("upload: processing", () => {
  it("claims steps in order under a lease, then is ready after publishing", () => {
    given(received).when({ _tag: "ClaimStep", uploadId: "up-1", step: "chunk", workerId: "w-1" }, { actor: system })
      .then([claimed("chunk", 1)])
    given([...received, claimed("chunk", 1)]).when({ _tag: "CompleteStep", uploadId: "up-1", step: "chunk", workerId: "w-1", attempt: 1 }, { actor: system })
      .then([completed("chunk")])
    given([...received, claimed("chunk", 1), completed("chunk")])
      .when({ _tag: "ClaimStep", uploadId: "up-1", step: "publish", workerId: "w-1" }, { actor: system })
      .then("STEP_OUT_OF_ORDER")
    const published = [...received, claimed("chunk", 1), completed("chunk"), claimed("transcode", 1), completed("transcode"), claimed("publish", 1)]
    const { state } = given(published)
      .when({ _tag: "CompleteStep", uploadId: "up-1", step: "publish", workerId: "w-1", attempt: 1, details: { playlist: "media/up-1/master.m3u8" } }, { actor: system })
      .then([{ ...completed("publish"), details: { playlist: "media/up-1/master.m3u8" } } as UploadEvent, { _tag: "UploadReady", uploadId: "up-1", at: T0 }])
    expect(state.status).toBe("Ready")
  })

  it("refuses a second claim while the lease is live, and grants it with attempt + 1 once it expired", () => {
    const { error } = given([...received, claimed("chunk", 1)])
      .when({ _tag: "ClaimStep", uploadId: "up-1", step: "chunk", workerId: "w-2" }, { actor: system, now: T0 + 59_999 })
      .then("LEASE_HELD")
    expect(error).toMatchObject({ heldBy: "w-1", expiresAt: T0 + 60_000 })
    given([...received, claimed("chunk", 1)])
      .when({ _tag: "ClaimStep", uploadId: "up-1", step: "chunk", workerId: "w-2", leaseMs: 10_000 }, { actor: system, now: T0 + 60_000 })
      .then([{ ...claimed("chunk", 2, T0 + 60_000, "w-2"), leaseExpiresAt: T0 + 70_000 }])
  })

  it("caps a lease at the processing timeout", () => {
    given(received).when({ _tag: "ClaimStep", uploadId: "up-1", step: "chunk", workerId: "w-1", leaseMs: 3_600_000 }, { actor: system })
      .then([{ ...claimed("chunk", 1), leaseExpiresAt: T0 + 300_000 }])
  })

  it("ignores a completion from a worker whose lease was taken over", () => {
    given([...received, claimed("chunk", 1), claimed("chunk", 2, T0 + 60_000, "w-2")])
      .when({ _tag: "CompleteStep", uploadId: "up-1", step: "chunk", workerId: "w-1", attempt: 1 }, { actor: system })
      .then("LEASE_NOT_HELD")
  })

  it("retries a failed step after a growing delay, and fails the upload after the last attempt", () => {
    const failed1: UploadEvent = {
      _tag: "StepFailed", uploadId: "up-1", step: "transcode", workerId: "w-1", attempt: 1, reason: "ffmpeg crashed", retryAt: T0 + 5_000, at: T0
    }
    const history = [...received, claimed("chunk", 1), completed("chunk"), claimed("transcode", 1)]
    given(history).when({ _tag: "FailStep", uploadId: "up-1", step: "transcode", workerId: "w-1", attempt: 1, reason: "ffmpeg crashed", retryable: true }, { actor: system })
      .then([failed1])
    given([...history, failed1]).when({ _tag: "ClaimStep", uploadId: "up-1", step: "transcode", workerId: "w-2" }, { actor: system, now: T0 + 4_999 })
      .then("RETRY_NOT_DUE")
    const third = [...history, failed1, claimed("transcode", 2, T0 + 5_000), claimed("transcode", 3, T0 + 65_000)]
    const { state } = given(third)
      .when({ _tag: "FailStep", uploadId: "up-1", step: "transcode", workerId: "w-1", attempt: 3, reason: "ffmpeg crashed", retryable: true }, { actor: system })
      .then([
        { _tag: "StepFailed", uploadId: "up-1", step: "transcode", workerId: "w-1", attempt: 3, reason: "ffmpeg crashed", at: T0 },
        { _tag: "UploadFailed", uploadId: "up-1", reason: "Processing failed at the transcode step after 3 attempts: ffmpeg crashed", at: T0 }
      ])
    expect(state.status).toBe("Failed")
  })

  it("refuses a fourth attempt when the third lease ran out", () => {
    const history = [...received, claimed("chunk", 1), claimed("chunk", 2, T0 + 60_000), claimed("chunk", 3, T0 + 120_000)]
    given(history).when({ _tag: "ClaimStep", uploadId: "up-1", step: "chunk", workerId: "w-1" }, { actor: system, now: T0 + HOUR })
      .then("ATTEMPTS_EXHAUSTED")
  })

  it("is driven by the system only, and not before all bytes arrived", () => {
    given(received).when({ _tag: "ClaimStep", uploadId: "up-1", step: "chunk", workerId: "w-1" }, { actor: alice }).then("FORBIDDEN")
    given([created]).when({ _tag: "ClaimStep", uploadId: "up-1", step: "chunk", workerId: "w-1" }, { actor: system })
      .then("INVALID_UPLOAD_STATE")
  })
})

describe("upload: endings", () => {
  it("is cancelled by its owner or an admin, no one else", () => {
    given([created]).when({ _tag: "CancelUpload", uploadId: "up-1" }).then([{ _tag: "UploadCancelled", uploadId: "up-1", cancelledBy: "alice", at: T0 }])
    given([created]).when({ _tag: "CancelUpload", uploadId: "up-1", reason: "spam" }, { actor: carol })
      .then([{ _tag: "UploadCancelled", uploadId: "up-1", cancelledBy: "carol", reason: "spam", at: T0 }])
    given([created]).when({ _tag: "CancelUpload", uploadId: "up-1" }, { actor: bob }).then("NOT_OWNER")
  })

  it("expires only after uploadExpiryHours without new bytes, by the janitor", () => {
    const history = [created, bytes(0, 10, T0 + HOUR)]
    given(history).when({ _tag: "ExpireUpload", uploadId: "up-1" }, { actor: system, now: T0 + 24 * HOUR }).then("UPLOAD_NOT_EXPIRED")
    given(history).when({ _tag: "ExpireUpload", uploadId: "up-1" }, { actor: system, now: T0 + 25 * HOUR })
      .then([{ _tag: "UploadExpired", uploadId: "up-1", idleSince: T0 + HOUR, at: T0 + 25 * HOUR }])
    given(history).when({ _tag: "ExpireUpload", uploadId: "up-1" }, { actor: alice, now: T0 + 25 * HOUR }).then("FORBIDDEN")
    given(received).when({ _tag: "ExpireUpload", uploadId: "up-1" }, { actor: system, now: T0 + 99 * HOUR }).then("INVALID_UPLOAD_STATE")
  })

  it("accepts nothing once cancelled, failed, expired or ready", () => {
    const cancelled: UploadEvent = { _tag: "UploadCancelled", uploadId: "up-1", cancelledBy: "alice", at: T0 }
    const { error } = given([created, cancelled]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 0, length: 1 }).then("UPLOAD_TERMINAL")
    expect(error?.message).toBe("Upload \"up-1\" is cancelled and accepts no further changes.")
    given([created, cancelled]).when({ _tag: "CancelUpload", uploadId: "up-1" }).then("UPLOAD_TERMINAL")
    given([created, { _tag: "UploadFailed", uploadId: "up-1", reason: "x", at: T0 }])
      .when({ _tag: "FailUpload", uploadId: "up-1", reason: "again" }, { actor: system }).then("UPLOAD_TERMINAL")
  })

  it("does not exist before it was created, and rejects commands for another upload", () => {
    given([]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 0, length: 1 }).then("NOT_FOUND")
    given([created]).when({ _tag: "AppendBytes", uploadId: "up-2", offset: 0, length: 1 }).then("AGGREGATE_ID_MISMATCH")
  })
})
