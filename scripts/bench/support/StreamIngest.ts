/**
 * The one place the ingest benchmark calls the stream ingester (issue 15 part A: src/streams). The
 * benchmark measures around it: a file growing at full speed, followed into a multipart upload of
 * `originals/<streamId>` on the S3 server given, chunk by chunk as it grows; `end()` when the writer is done
 * (as an explicit end of the stream would, so the run does not wait out STREAM_TIMEOUT_SECONDS).
 */
import type { S3ObjectStoreOptions } from "../../../src/objectstore/s3/S3ObjectStore.ts"

export interface IngestInput {
  /** The growing file (the writer creates it before the ingester starts). */
  readonly file: string
  readonly s3: S3ObjectStoreOptions
  /** CHUNK_SIZE_MB in bytes: each sealed chunk is one part. */
  readonly chunkSizeBytes: number
}

export interface IngestRun {
  /** Bytes of the file stored as parts so far (sealed and uploaded). */
  uploadedBytes(): number
  /** The writer finished: seal the tail as the last part and complete the multipart upload. */
  end(): void
  /** Resolves once the object is complete in S3: its key, size and part count. */
  readonly completed: Promise<{ readonly key: string; readonly size: number; readonly parts: number }>
  /** Releases whatever the ingester holds (its event store, actors, watchers). */
  stop(): Promise<void>
}

export const NEEDS_PART_A = "needs the stream ingester (part A, src/streams): wire scripts/bench/support/StreamIngest.ts to its ingest engine"

/** Starts following `input.file`. */
export const startIngest = async (_input: IngestInput): Promise<IngestRun> => {
  throw new Error(NEEDS_PART_A)
}
