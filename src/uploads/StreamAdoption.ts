/**
 * Adopting a finalized live stream's original as an upload (same id), so it goes through the media pipeline
 * from the transcode step. The stream sealed `originals/<id>` as it grew and reserved the owner's quota under
 * the same id; the adoption reserves nothing (the upload's settlement commits or releases that reservation).
 * Before the upload exists the original is checked in the object store: missing or of another size, nothing
 * is written. The command id derives from the stream id, so adopting twice is applied once. An original the
 * Upload refuses for good (over MAX_FILE_SIZE_BYTES, MP4 not accepted) will never be settled as an upload, so
 * its reservation is given back then.
 */
import { Effect } from "effect"
import type { ActorSystemShape } from "../actors/ActorSystem.ts"
import { UploadAggregate } from "../domain/upload/UploadAggregate.ts"
import { sanitizeFilename } from "../domain/upload/Filename.ts"
import type { ObjectStoreShape } from "../objectstore/ObjectStore.ts"
import { systemSender } from "./SystemActor.ts"
import { releaseReservation } from "./UploadCreation.ts"
import { UploadCommandId } from "./UploadCommandIds.ts"
import { originalKey } from "./UploadObjectKeys.ts"
import { StreamOriginalMismatch, StreamOriginalMissing } from "./UploadsErrors.ts"

/** Refusals of an adoption that no retry changes, and after which no upload of the id exists to settle the quota. */
const NEVER_ADOPTED: ReadonlySet<string> = new Set(["FileTooLarge", "UnsupportedFormat", "InvalidFilename"])

export interface FinalizedStream {
  readonly streamId: string
  readonly ownerId: string
  /** The stream's title, if it was given one. */
  readonly title?: string | undefined
  /** The watched file's name or the pushing client's label. */
  readonly sourceRef?: string | undefined
  /** The original's size and SHA-256 (hex), as the stream sealed it. */
  readonly size: number
  readonly sha256: string
}

/** What names the upload (and so the video): the title, else the source's name, else `<streamId>.mp4`. */
export const adoptedTitle = (stream: FinalizedStream): string =>
  [stream.title, stream.sourceRef].find((name) => name !== undefined && sanitizeFilename(name) !== "") ?? `${stream.streamId}.mp4`

export const adoptStreamOriginal = (actors: ActorSystemShape, store: ObjectStoreShape) => {
  const send = systemSender(actors)
  const release = releaseReservation(actors)
  return Effect.fn("Uploads.adoptStreamOriginal")(function*(stream: FinalizedStream) {
    const { streamId: uploadId } = stream
    const { state } = yield* actors.current(UploadAggregate, uploadId)
    if (state.status === "Initial") {
      const key = originalKey(uploadId)
      const head = yield* store.head(key).pipe(
        Effect.catchTag("ObjectNotFound", () => Effect.fail(new StreamOriginalMissing({ streamId: uploadId, key })))
      )
      if (head.size !== stream.size) {
        return yield* new StreamOriginalMismatch({ streamId: uploadId, key, expectedSize: stream.size, storedSize: head.size })
      }
    }
    return yield* send(
      UploadAggregate,
      uploadId,
      { _tag: "AdoptStreamOriginal", uploadId, ownerId: stream.ownerId, title: adoptedTitle(stream), size: stream.size, sha256: stream.sha256 },
      UploadCommandId.adopt(uploadId)
    ).pipe(
      Effect.tapError((e) =>
        NEVER_ADOPTED.has(e._tag) ? release(stream.ownerId, uploadId, "failed").pipe(Effect.ignore({ log: true })) : Effect.void
      )
    )
  })
}
