/**
 * The command ids of a stream's life, in one place. Derived from what a command is about (the stream, the
 * part number and its digest, the offset), never random: a retried command, or a restarted ingester sending
 * the same part again, gets the first result back instead of a second event (CommandEnvelope.commandId).
 */
import { shortHash } from "../uploads/UploadCommandIds.ts"

export const StreamCommandId = {
  start: (streamId: string) => `stream-start:${streamId}`,
  multipart: (streamId: string, multipartUploadId: string) => `stream-multipart:${streamId}:${shortHash(multipartUploadId)}`,
  receive: (streamId: string, offset: number, length: number) => `stream-bytes:${streamId}@${offset}+${length}`,
  part: (streamId: string, partNumber: number, sha256: string) => `stream-part:${streamId}:${partNumber}:${sha256.slice(0, 16)}`,
  rewrite: (streamId: string, partNumber: number, sha256: string) => `stream-rewrite:${streamId}:${partNumber}:${sha256.slice(0, 16)}`,
  end: (streamId: string) => `stream-end:${streamId}`,
  finalize: (streamId: string) => `stream-finalize:${streamId}`,
  fail: (streamId: string) => `stream-fail:${streamId}`,
  // the Quota's side: the reservation's total after this part; the release shares the upload's id (one release per id)
  grow: (streamId: string, bytes: number) => `grow:${streamId}:${bytes}`,
  release: (streamId: string) => `release:${streamId}`
} as const
