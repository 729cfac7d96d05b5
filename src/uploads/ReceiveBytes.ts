/**
 * Receiving bytes: one request body at the upload's offset, streamed into a staging object, then recorded
 * on the Upload aggregate. A body cut short keeps and records what arrived (the client resumes from there),
 * unless it carried a checksum: then its bytes cannot be verified and are discarded.
 */
import { Effect } from "effect"
import type { ActorSystemShape } from "../actors/ActorSystem.ts"
import type { CommandResult } from "../actors/CommandEnvelope.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { isDomainError } from "../domain/shared/DomainError.ts"
import { UploadAggregate } from "../domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../domain/upload/UploadEvents.ts"
import type { ExistingUpload } from "../domain/upload/UploadState.ts"
import type { ObjectStoreShape } from "../objectstore/ObjectStore.ts"
import { recordUploadBytes } from "../observability/Metrics.ts"
import { UploadCommandId } from "./UploadCommandIds.ts"
import { BodyTooLong, ChecksumMismatch } from "./UploadsErrors.ts"
import { discardStaged, stageBody, type StageOptions } from "./UploadStaging.ts"

/** A checksum the client announced for the body (tus Upload-Checksum); the transport parses and compares. */
export interface BodyChecksum {
  readonly algorithm: "sha1" | "sha256"
  /** As the client sent it, recorded on the event. */
  readonly value: string
  /** Fed with the body's bytes as they are stored. */
  readonly digest: NonNullable<StageOptions["digest"]>
  /** Whether the finished digest is the announced one. */
  readonly matches: (digest: Uint8Array) => boolean
}

export interface IncomingBody {
  /** The upload as loaded under the caller's write lock; the bytes go at `offset`. */
  readonly upload: ExistingUpload
  readonly offset: number
  readonly body: ReadableStream<Uint8Array>
  readonly checksum?: BodyChecksum | undefined
  /** Aborted when the transfer must end now, keeping what arrived (another request for the upload waits). */
  readonly stop: AbortSignal
  readonly actor: Principal
  readonly requestId: string
}

/** What was recorded: nothing (an empty body: `length` 0), or `length` bytes and the append's result. */
export interface ReceivedBytes {
  readonly length: number
  readonly recorded: CommandResult<UploadEvent> | undefined
}

export const receiveBytes = (actors: ActorSystemShape, store: ObjectStoreShape) =>
  Effect.fn("Uploads.receiveBytes")(function*(input: IncomingBody) {
    const { upload, offset, checksum } = input
    const uploadId = upload.uploadId
    const left = upload.declaredSize - offset
    const staged = yield* stageBody(store, uploadId, offset, input.body, { limit: left, digest: checksum?.digest, stop: input.stop })
    if (staged.tooLong) return yield* Effect.fail(new BodyTooLong({ left }))
    if (staged.length === 0) return { length: 0, recorded: undefined } satisfies ReceivedBytes
    if (checksum !== undefined && (staged.cut || staged.digest === undefined || !checksum.matches(staged.digest))) {
      yield* discardStaged(store, uploadId, offset)
      return yield* Effect.fail(new ChecksumMismatch({ algorithm: checksum.algorithm }))
    }
    const result = yield* actors.send(UploadAggregate, uploadId, {
      command: {
        _tag: "AppendBytes",
        uploadId,
        offset,
        length: staged.length,
        ...(checksum === undefined ? {} : { checksum: { algorithm: checksum.algorithm, value: checksum.value } })
      },
      actor: input.actor,
      commandId: UploadCommandId.append(uploadId, offset, staged.length),
      correlationId: input.requestId
    }).pipe(
      // A refusal means the bytes will never count: drop them, except on an offset mismatch (someone else
      // recorded this offset meanwhile: the object is theirs now). Any other failure may have been recorded
      // after all (unknown outcome), so the object stays; the next PATCH at this offset replaces it.
      Effect.tapError((e) => isDomainError(e) && e.code !== "OFFSET_MISMATCH" ? Effect.ignore(discardStaged(store, uploadId, offset)) : Effect.void)
    )
    yield* recordUploadBytes(staged.length)
    return { length: staged.length, recorded: result } satisfies ReceivedBytes
  })
