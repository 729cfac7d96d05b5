/** Given/when/then specifications of the live-stream aggregate. */
import { describe, expect, it } from "vitest"
import { StreamAggregate } from "../../../src/domain/stream/StreamAggregate.ts"
import type { StreamEvent } from "../../../src/domain/stream/StreamEvents.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { T0, testActors } from "../../../src/testing/TestContext.ts"

const { alice, bob, system } = testActors
const MiB = 1024 * 1024
const CHUNK = 10 * MiB
const { given } = specFor(StreamAggregate, { actor: system, now: T0 })
const sha = (c: string) => c.repeat(64)

const started: StreamEvent = {
  _tag: "StreamStarted", streamId: "s-1", ownerId: "alice", source: "watch", sourceRef: "cam.mp4", title: "Cam", chunkSizeBytes: CHUNK, at: T0
}
const pushed: StreamEvent = { _tag: "StreamStarted", streamId: "s-1", ownerId: "alice", source: "push", chunkSizeBytes: CHUNK, at: T0 }
const multipart: StreamEvent = { _tag: "StreamMultipartStarted", streamId: "s-1", key: "originals/s-1", multipartUploadId: "mp-1", at: T0 }
const part = (n: number, size = CHUNK, etag = `etag-${n}`, digest = sha(String(n))): StreamEvent => ({
  _tag: "StreamPartUploaded", streamId: "s-1", partNumber: n, offset: (n - 1) * CHUNK, size, etag, sha256: digest, observedBytes: (n - 1) * CHUNK + size, at: T0
})
const record = (n: number, size = CHUNK, etag = `etag-${n}`, digest = sha(String(n))) => ({
  _tag: "RecordStreamPart" as const, streamId: "s-1", partNumber: n, offset: (n - 1) * CHUNK, size, etag, sha256: digest, observedBytes: (n - 1) * CHUNK + size
})
const ended: StreamEvent = { _tag: "StreamEnded", streamId: "s-1", reason: "timeout", at: T0 }
const received = (offset: number, length: number): StreamEvent => ({ _tag: "StreamBytesReceived", streamId: "s-1", offset, length, at: T0 })

describe("stream: start and multipart upload", () => {
  it("starts with the owner, the title and the chunk size in force", () => {
    given([]).when({ _tag: "StartStream", streamId: "s-1", source: "watch", sourceRef: "cam.mp4", title: "Cam" }, { actor: alice }).then([started])
    given([started]).when({ _tag: "StartStream", streamId: "s-1", source: "push" }, { actor: alice }).then("ALREADY_EXISTS")
  })

  it("records the multipart upload id once; the same id again is a no-op, another is refused", () => {
    given([started]).when({ _tag: "RecordMultipartStarted", streamId: "s-1", key: "originals/s-1", multipartUploadId: "mp-1" }).then([multipart])
    given([started, multipart]).when({ _tag: "RecordMultipartStarted", streamId: "s-1", key: "originals/s-1", multipartUploadId: "mp-1" }).then([])
    given([started, multipart]).when({ _tag: "RecordMultipartStarted", streamId: "s-1", key: "originals/s-1", multipartUploadId: "mp-2" })
      .then("MULTIPART_CONFLICT")
  })

  it("leaves the ingester's records to the system", () => {
    given([started]).when({ _tag: "RecordMultipartStarted", streamId: "s-1", key: "k", multipartUploadId: "mp-1" }, { actor: alice }).then("FORBIDDEN")
    given([started, multipart]).when(record(1), { actor: alice }).then("FORBIDDEN")
    given([started]).when({ _tag: "EndStream", streamId: "s-1", reason: "explicit" }, { actor: bob }).then("NOT_OWNER")
  })
})

describe("stream: parts", () => {
  it("needs the multipart upload first, then takes parts in order from 1, back to back", () => {
    given([started]).when(record(1)).then("MULTIPART_NOT_STARTED")
    given([started, multipart]).when(record(1)).then([part(1)])
    given([started, multipart, part(1)]).when(record(2)).then([part(2)])
    const { error } = given([started, multipart, part(1)]).when(record(3)).then("PART_OUT_OF_ORDER")
    expect(error).toMatchObject({ expectedPartNumber: 2, expectedOffset: CHUNK })
    given([started, multipart, part(1)]).when({ ...record(2), offset: CHUNK + 1 }).then("PART_OUT_OF_ORDER")
  })

  it("treats the same part reported again as a no-op (a restarted ingester); other bytes for it are refused", () => {
    given([started, multipart, part(1)]).when(record(1)).then([])
    given([started, multipart, part(1)]).when(record(1, CHUNK, "other")).then("PART_ALREADY_UPLOADED")
    given([started, multipart, part(1)]).when(record(1, CHUNK, "etag-1", sha("f"))).then("PART_ALREADY_UPLOADED")
  })

  it("takes full parts while live; one smaller last part after the end, and nothing after it", () => {
    given([started, multipart]).when(record(1, 5)).then("PART_SIZE_INVALID")
    given([started, multipart]).when(record(1, CHUNK + 1)).then("PART_SIZE_INVALID")
    given([started, multipart, part(1), ended]).when(record(2, 5)).then([part(2, 5)])
    given([started, multipart, part(1), ended, part(2, 5)]).when({ ...record(3), offset: CHUNK + 5 }).then("TAIL_ALREADY_SEALED")
  })

  it("rewrites a part's bytes only after the end, recording the digest it replaces", () => {
    const rewrite = { _tag: "RecordPartRewritten" as const, streamId: "s-1", partNumber: 1, etag: "etag-new", sha256: sha("e") }
    given([started, multipart, part(1)]).when(rewrite).then("STREAM_NOT_ENDED")
    given([started, multipart, part(1), ended]).when(rewrite).then([{
      _tag: "StreamPartRewritten", streamId: "s-1", partNumber: 1, offset: 0, size: CHUNK, etag: "etag-new", sha256: sha("e"), previousSha256: sha("1"), at: T0
    }])
    given([started, multipart, part(1), ended]).when({ ...rewrite, etag: "etag-1", sha256: sha("1") }).then([])
    given([started, multipart, part(1), ended]).when({ ...rewrite, partNumber: 2 }).then("PART_NOT_FOUND")
  })
})

describe("stream: pushed bytes", () => {
  it("takes pushed bytes at the acknowledged end only, from the owner, while live", () => {
    given([pushed]).when({ _tag: "ReceiveStreamBytes", streamId: "s-1", offset: 0, length: 7 }, { actor: alice }).then([received(0, 7)])
    const { error } = given([pushed, received(0, 7)]).when({ _tag: "ReceiveStreamBytes", streamId: "s-1", offset: 3, length: 7 }, { actor: alice })
      .then("OFFSET_MISMATCH")
    expect(error).toMatchObject({ expectedOffset: 7, offset: 3 })
    given([pushed, ended]).when({ _tag: "ReceiveStreamBytes", streamId: "s-1", offset: 0, length: 7 }, { actor: alice }).then("STREAM_NOT_LIVE")
    given([started]).when({ _tag: "ReceiveStreamBytes", streamId: "s-1", offset: 0, length: 7 }, { actor: alice }).then("STREAM_NOT_PUSHED")
  })

  it("stores only received bytes in parts, and finalizes only once every received byte is in one", () => {
    given([pushed, multipart, received(0, CHUNK - 1)]).when(record(1)).then("PART_BEYOND_RECEIVED")
    given([pushed, multipart, received(0, CHUNK + 3), part(1), ended]).when({ _tag: "FinalizeStream", streamId: "s-1", sha256: sha("9") })
      .then("BYTES_PENDING")
  })
})

describe("stream: end, finalize and fail", () => {
  it("ends explicitly by its owner, or on timeout by the system; ending twice is a no-op", () => {
    given([started]).when({ _tag: "EndStream", streamId: "s-1", reason: "explicit" }, { actor: alice })
      .then([{ _tag: "StreamEnded", streamId: "s-1", reason: "explicit", at: T0 }])
    given([started]).when({ _tag: "EndStream", streamId: "s-1", reason: "timeout" }, { actor: alice }).then("FORBIDDEN")
    given([started]).when({ _tag: "EndStream", streamId: "s-1", reason: "timeout" }).then([ended])
    given([started, ended]).when({ _tag: "EndStream", streamId: "s-1", reason: "explicit" }, { actor: alice }).then([])
  })

  it("finalizes once, after the end, with the parts (rewritten ones marked), the total size and the original's digest", () => {
    const rewritten: StreamEvent = {
      _tag: "StreamPartRewritten", streamId: "s-1", partNumber: 1, offset: 0, size: CHUNK, etag: "etag-r", sha256: sha("e"), previousSha256: sha("1"), at: T0
    }
    const history = [started, multipart, part(1), ended, part(2, 5), rewritten]
    const { state } = given(history).when({ _tag: "FinalizeStream", streamId: "s-1", sha256: sha("d") }).then([{
      _tag: "StreamFinalized",
      streamId: "s-1",
      totalSize: CHUNK + 5,
      chunkCount: 2,
      parts: [{ partNumber: 1, etag: "etag-r", size: CHUNK, sha256: sha("e") }, { partNumber: 2, etag: "etag-2", size: 5, sha256: sha("2") }],
      rewrittenParts: [1],
      sha256: sha("d"),
      at: T0
    }])
    expect(state).toMatchObject({ status: "Finalized", totalSize: CHUNK + 5, partCount: 2, sha256: sha("d") })
    given([started, multipart, part(1)]).when({ _tag: "FinalizeStream", streamId: "s-1", sha256: sha("d") }).then("STREAM_NOT_ENDED")
    given([started, multipart, ended]).when({ _tag: "FinalizeStream", streamId: "s-1", sha256: sha("d") }).then("STREAM_EMPTY")
  })

  it("fails with a readable reason, once, and then accepts nothing but the same failure", () => {
    const failed: StreamEvent = {
      _tag: "StreamFailed", streamId: "s-1", reason: "source-shrank", detail: "cam.mp4 shrank to 3 bytes", uploadedBytes: CHUNK, at: T0
    }
    const { state } = given([started, multipart, part(1)]).when({ _tag: "FailStream", streamId: "s-1", reason: "source-shrank", detail: "cam.mp4 shrank to 3 bytes" })
      .then([failed])
    expect(state).toMatchObject({ status: "Failed", reason: "source-shrank", multipart: { uploadId: "mp-1" } })
    given([started, failed]).when({ _tag: "FailStream", streamId: "s-1", reason: "quota-exceeded", detail: "x" }).then([])
    given([started, failed]).when({ _tag: "EndStream", streamId: "s-1", reason: "explicit" }, { actor: alice }).then("STREAM_FAILED")
  })

  it("accepts nothing once finalized, and does not exist before it started", () => {
    const finalized: StreamEvent = {
      _tag: "StreamFinalized", streamId: "s-1", totalSize: CHUNK, chunkCount: 1, parts: [{ partNumber: 1, etag: "etag-1", size: CHUNK, sha256: sha("1") }],
      rewrittenParts: [], sha256: sha("1"), at: T0
    }
    const history = [started, multipart, part(1), ended, finalized]
    given(history).when({ _tag: "FinalizeStream", streamId: "s-1", sha256: sha("1") }).then("STREAM_FINALIZED")
    given(history).when({ _tag: "FailStream", streamId: "s-1", reason: "upload-failed", detail: "x" }).then("STREAM_FINALIZED")
    given([]).when(record(1)).then("NOT_FOUND")
    given([started]).when({ _tag: "EndStream", streamId: "s-2", reason: "explicit" }).then("AGGREGATE_ID_MISMATCH")
  })
})
