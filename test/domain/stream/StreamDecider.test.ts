/** Given/when/then specifications of the live-stream aggregate. */
import { describe, expect, it } from "vitest"
import { StreamAggregate } from "../../../src/domain/stream/StreamAggregate.ts"
import type { StreamEvent } from "../../../src/domain/stream/StreamEvents.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { T0, testActors } from "../../../src/testing/TestContext.ts"

const { alice, bob, system } = testActors
const MiB = 1024 * 1024
const CHUNK = 10 * MiB
const { given } = specFor(StreamAggregate, { actor: alice, now: T0 })

const started: StreamEvent = { _tag: "StreamStarted", streamId: "s-1", ownerId: "alice", source: "watch", sourceRef: "cam.mp4", chunkSizeBytes: CHUNK, at: T0 }
const sealed = (index: number, size = CHUNK): StreamEvent => ({ _tag: "ChunkSealed", streamId: "s-1", index, offset: index * CHUNK, size, at: T0 })
const uploaded = (index: number, size = CHUNK, etag = `etag-${index}`): StreamEvent => ({
  _tag: "ChunkUploaded", streamId: "s-1", index, partNumber: index + 1, etag, size, at: T0
})
const ended: StreamEvent = { _tag: "StreamEnded", streamId: "s-1", reason: "timeout", at: T0 }

describe("stream: chunks", () => {
  it("starts with the owner and the chunk size in force", () => {
    given([]).when({ _tag: "StartStream", streamId: "s-1", source: "watch", sourceRef: "cam.mp4" }).then([started])
    given([started]).when({ _tag: "StartStream", streamId: "s-1", source: "push" }).then("ALREADY_EXISTS")
  })

  it("seals chunks with contiguous indexes from 0", () => {
    given([started]).when({ _tag: "SealChunk", streamId: "s-1", index: 0, size: CHUNK }, { actor: system }).then([sealed(0)])
    given([started, sealed(0)]).when({ _tag: "SealChunk", streamId: "s-1", index: 1, size: CHUNK }).then([sealed(1)])
    const { error } = given([started, sealed(0)]).when({ _tag: "SealChunk", streamId: "s-1", index: 2, size: CHUNK }).then("CHUNK_OUT_OF_ORDER")
    expect(error).toMatchObject({ expectedIndex: 1, index: 2 })
    given([started]).when({ _tag: "SealChunk", streamId: "s-1", index: 1, size: CHUNK }).then("CHUNK_OUT_OF_ORDER")
  })

  it("treats re-sealing a chunk with the same size as a no-op (a restarted watcher)", () => {
    given([started, sealed(0)]).when({ _tag: "SealChunk", streamId: "s-1", index: 0, size: CHUNK }).then([])
    given([started, sealed(0)]).when({ _tag: "SealChunk", streamId: "s-1", index: 0, size: 5 }).then("CHUNK_OUT_OF_ORDER")
  })

  it("takes full chunks while live; one smaller last chunk after the end, and nothing after it", () => {
    given([started]).when({ _tag: "SealChunk", streamId: "s-1", index: 0, size: 5 }).then("CHUNK_SIZE_INVALID")
    given([started]).when({ _tag: "SealChunk", streamId: "s-1", index: 0, size: CHUNK + 1 }).then("CHUNK_SIZE_INVALID")
    given([started, sealed(0), ended]).when({ _tag: "SealChunk", streamId: "s-1", index: 1, size: 5 }).then([
      { _tag: "ChunkSealed", streamId: "s-1", index: 1, offset: CHUNK, size: 5, at: T0 }
    ])
    given([started, sealed(0), ended, sealed(1, 5)]).when({ _tag: "SealChunk", streamId: "s-1", index: 2, size: CHUNK })
      .then("TAIL_ALREADY_SEALED")
  })

  it("records each chunk's upload once: the same etag again is a no-op, another etag is refused", () => {
    given([started, sealed(0)]).when({ _tag: "RecordChunkUploaded", streamId: "s-1", index: 0, partNumber: 1, etag: "etag-0", size: CHUNK })
      .then([uploaded(0)])
    given([started, sealed(0), uploaded(0)])
      .when({ _tag: "RecordChunkUploaded", streamId: "s-1", index: 0, partNumber: 1, etag: "etag-0", size: CHUNK }).then([])
    given([started, sealed(0), uploaded(0)])
      .when({ _tag: "RecordChunkUploaded", streamId: "s-1", index: 0, partNumber: 1, etag: "other", size: CHUNK })
      .then("CHUNK_ALREADY_UPLOADED")
  })

  it("refuses uploads of unsealed chunks, or that do not match the sealed chunk", () => {
    given([started]).when({ _tag: "RecordChunkUploaded", streamId: "s-1", index: 0, partNumber: 1, etag: "e", size: CHUNK }).then("CHUNK_NOT_SEALED")
    given([started, sealed(0)]).when({ _tag: "RecordChunkUploaded", streamId: "s-1", index: 0, partNumber: 2, etag: "e", size: CHUNK })
      .then("CHUNK_MISMATCH")
    given([started, sealed(0)]).when({ _tag: "RecordChunkUploaded", streamId: "s-1", index: 0, partNumber: 1, etag: "e", size: 1 })
      .then("CHUNK_MISMATCH")
  })

  it("is fed only by its owner or the system", () => {
    given([started]).when({ _tag: "SealChunk", streamId: "s-1", index: 0, size: CHUNK }, { actor: bob }).then("NOT_OWNER")
  })
})

describe("stream: end and finalize", () => {
  it("ends explicitly by its owner, or on timeout by the system; ending twice is a no-op", () => {
    given([started]).when({ _tag: "EndStream", streamId: "s-1", reason: "explicit" })
      .then([{ _tag: "StreamEnded", streamId: "s-1", reason: "explicit", at: T0 }])
    given([started]).when({ _tag: "EndStream", streamId: "s-1", reason: "timeout" }).then("FORBIDDEN")
    given([started]).when({ _tag: "EndStream", streamId: "s-1", reason: "timeout" }, { actor: system }).then([ended])
    given([started, ended]).when({ _tag: "EndStream", streamId: "s-1", reason: "explicit" }).then([])
  })

  it("finalizes once, after the end, with every chunk uploaded, handing over the total size and parts", () => {
    const history = [started, sealed(0), uploaded(0), ended, sealed(1, 5), uploaded(1, 5)]
    const { state } = given(history).when({ _tag: "FinalizeStream", streamId: "s-1" }, { actor: system }).then([{
      _tag: "StreamFinalized",
      streamId: "s-1",
      totalSize: CHUNK + 5,
      chunkCount: 2,
      parts: [{ partNumber: 1, etag: "etag-0" }, { partNumber: 2, etag: "etag-1" }],
      at: T0
    }])
    expect(state.status).toBe("Finalized")
    given([started, sealed(0), uploaded(0)]).when({ _tag: "FinalizeStream", streamId: "s-1" }).then("STREAM_NOT_ENDED")
    const { error } = given([started, sealed(0), ended]).when({ _tag: "FinalizeStream", streamId: "s-1" }).then("CHUNKS_PENDING")
    expect(error).toMatchObject({ indexes: [0] })
    given([started, ended]).when({ _tag: "FinalizeStream", streamId: "s-1" }).then("STREAM_EMPTY")
  })

  it("accepts nothing once finalized", () => {
    const finalized: StreamEvent = { _tag: "StreamFinalized", streamId: "s-1", totalSize: CHUNK, chunkCount: 1, parts: [{ partNumber: 1, etag: "etag-0" }], at: T0 }
    const history = [started, sealed(0), uploaded(0), ended, finalized]
    given(history).when({ _tag: "FinalizeStream", streamId: "s-1" }).then("STREAM_FINALIZED")
    given(history).when({ _tag: "SealChunk", streamId: "s-1", index: 1, size: 1 }).then("STREAM_FINALIZED")
  })

  it("does not exist before it started", () => {
    given([]).when({ _tag: "SealChunk", streamId: "s-1", index: 0, size: 1 }).then("NOT_FOUND")
    given([started]).when({ _tag: "EndStream", streamId: "s-2", reason: "explicit" }).then("AGGREGATE_ID_MISMATCH")
  })
})
