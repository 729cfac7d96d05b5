/**
 * Where a stream's bytes live in the object store:
 *
 *   stream-staging/<streamId>/<offset>   HTTP push: one object per acknowledged PATCH body, as tus stages (UploadStaging.ts);
 *                                        kept until the stream is finalized or failed (finalization re-reads them for the digest)
 *   originals/<streamId>                 the original: a multipart upload of CHUNK_SIZE_MB parts, completed at finalization;
 *                                        the same key as an upload's original, so the adopted upload finds it there
 */
import { originalKey } from "../uploads/UploadObjectKeys.ts"

export const streamOriginalKey = (streamId: string): string => originalKey(streamId)

export const streamStagingPrefix = (streamId: string): string => `stream-staging/${streamId}/`

export const streamStagingKey = (streamId: string, offset: number): string =>
  `${streamStagingPrefix(streamId)}${String(offset).padStart(16, "0")}`
