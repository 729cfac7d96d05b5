/**
 * What follows an upload's end, once: a ready upload commits its quota and drops its staged bytes and
 * transcode output; a failed, cancelled or expired one releases its reservation and drops everything it
 * stored (staging, the sealed or half-sealed original, transcode output, anything half-published).
 * Every part is idempotent (command ids per upload, deletions of what is gone succeed), so the publish
 * step, the reaction to the terminal event, and other worker processes may all run it.
 */
import { Effect } from "effect"
import type { ActorSystemShape } from "../actors/ActorSystem.ts"
import { QuotaAggregate } from "../domain/quota/QuotaAggregate.ts"
import type { ExistingUpload } from "../domain/upload/UploadState.ts"
import type { ObjectStoreShape } from "../objectstore/ObjectStore.ts"
import { isTransient, systemSender } from "./SystemActor.ts"
import { UploadCommandId } from "./UploadCommandIds.ts"
import { mediaPrefix, originalKey, stagingPrefix, workPrefix } from "./UploadObjectKeys.ts"

/** A quota rejection (no reservation: an upload made without one, or settled by hand) is logged, not retried. */
const quotaCommand = <A, E, R>(what: string, uploadId: string, send: Effect.Effect<A, E, R>) =>
  send.pipe(
    Effect.asVoid,
    Effect.catch((e) =>
      isTransient(e)
        ? Effect.fail(e)
        : Effect.logWarning(`upload ${uploadId}: the quota ${what} was refused: ${(e as { message?: string }).message ?? String(e)}`)
    )
  )

export const settleUpload = (actors: ActorSystemShape, store: ObjectStoreShape) => {
  const send = systemSender(actors)
  return Effect.fn("Uploads.settle")(function*(upload: ExistingUpload, multipartUploadId?: string) {
    const id = upload.uploadId
    if (upload.status === "Ready") {
      yield* quotaCommand(
        "commit",
        id,
        send(QuotaAggregate, upload.ownerId, { _tag: "CommitUpload", userId: upload.ownerId, uploadId: id, receivedBytes: upload.declaredSize }, UploadCommandId.commit(id))
      )
      yield* store.deletePrefix(stagingPrefix(id))
      yield* store.deletePrefix(workPrefix(id))
      return
    }
    const reason = upload.status === "Failed" ? "failed" : upload.status === "Cancelled" ? "cancelled" : upload.status === "Expired" ? "expired" : undefined
    if (reason === undefined) return
    // The same command id as a cancel or expiry on request uses: one release per upload.
    yield* quotaCommand(
      "release",
      id,
      send(QuotaAggregate, upload.ownerId, { _tag: "ReleaseUpload", userId: upload.ownerId, uploadId: id, reason }, UploadCommandId.release(id))
    )
    if (multipartUploadId !== undefined) yield* store.abortMultipartUpload(originalKey(id), multipartUploadId)
    yield* store.deletePrefix(stagingPrefix(id))
    yield* store.deletePrefix(workPrefix(id))
    yield* store.deletePrefix(mediaPrefix(id))
    yield* store.delete(originalKey(id))
  })
}
