/** What every tus handler shares: the runner, settings and locks, and how a request finds its upload. */
import { Clock, Effect } from "effect"
import type { Digests } from "../../digest/Digests.ts"
import type { Principal } from "../../domain/shared/Decider.ts"
import type { DomainSettings } from "../../domain/shared/DomainSettings.ts"
import type { ExistingUpload } from "../../domain/upload/UploadState.ts"
import { Uploads } from "../../uploads/Uploads.ts"
import type { RequestBodyReader } from "../RequestBody.ts"
import { tusError, uploadGone, uploadLocked, uploadNotFound } from "./TusProtocol.ts"
import type { TusRun } from "./TusRunner.ts"
import type { UploadLocks } from "./UploadLocks.ts"
import { isExpired, isReceiving, offsetOf, UPLOAD_ID, visibleUpload } from "./UploadProgress.ts"

/** The services tus handlers use: the uploads application layer, and digests for checksummed bodies. */
export type TusServices = Uploads | Digests

export interface TusContext {
  readonly run: TusRun<TusServices>
  readonly settings: DomainSettings
  readonly locks: UploadLocks
  /** Where the routes are mounted (for Location). */
  readonly basePath: string
  /** How long a request waits for another request on the same upload to let go before 423. */
  readonly lockWaitMs: number
  readonly requestBody: RequestBodyReader
}

/** An upload a request may act on, with its offset (the declared size once all bytes are in). */
export interface OpenUpload {
  readonly upload: ExistingUpload
  readonly offset: number
}

/**
 * The upload `id` as `actor` may see it (owner; admins too when `adminToo`), or the tus answer:
 * 404 when it does not exist or is someone else's, 410 when it ended without all its bytes. An
 * upload found past its Upload-Expires is expired on the spot (quota released) and is a 410 too.
 */
export const openUpload = Effect.fn("Tus.openUpload")(function*(
  id: string,
  actor: Principal,
  options: { readonly adminToo: boolean; readonly settings: DomainSettings; readonly requestId: string }
) {
  if (!UPLOAD_ID.test(id)) return yield* Effect.fail(uploadNotFound(id))
  const uploads = yield* Uploads
  const { state } = yield* uploads.current(id)
  const upload = visibleUpload(state, actor, options.adminToo)
  if (upload === undefined) return yield* Effect.fail(uploadNotFound(id))
  const now = yield* Clock.currentTimeMillis
  if (isReceiving(upload) && isExpired(upload, now, options.settings)) {
    yield* uploads.expire(upload, options.requestId).pipe(Effect.catchTag("UploadTerminal", () => Effect.void))
    return yield* Effect.fail(
      tusError(410, "UPLOAD_EXPIRED", `upload "${id}" expired after ${options.settings.uploadExpiryHours} h without new bytes`)
    )
  }
  const offset = offsetOf(upload)
  if (offset === undefined) return yield* Effect.fail(uploadGone(id, upload.status))
  return { upload, offset } satisfies OpenUpload
})

/**
 * Holds the upload's write lock for the rest of the scope (423 when the current writer does not let go).
 * Taking the lock stops the request in flight, so the caller must already know that `actor` may act on
 * the upload: `lockVisibleUpload` checks first; creation locks the upload it has just made.
 */
export const lockUpload = (context: TusContext, id: string) =>
  Effect.flatMap(context.locks.acquire(id, context.lockWaitMs), (lease) =>
    lease === undefined ? Effect.fail(uploadLocked(id)) : Effect.succeed(lease))

/**
 * The upload's write lock, for `actor` only if it may act on upload `id` (owner; admins too when
 * `adminToo`): anyone else gets the 404 a missing upload gets, before the lock is touched, so another
 * user's request never stops the owner's PATCH. Callers reload the upload once they hold the lock (the
 * writer it replaced may have moved the offset).
 */
export const lockVisibleUpload = Effect.fn("Tus.lockVisibleUpload")(function*(
  context: TusContext,
  id: string,
  actor: Principal,
  options: { readonly adminToo: boolean }
) {
  if (!UPLOAD_ID.test(id)) return yield* Effect.fail(uploadNotFound(id))
  const { state } = yield* Uploads.use((uploads) => uploads.current(id))
  if (visibleUpload(state, actor, options.adminToo) === undefined) return yield* Effect.fail(uploadNotFound(id))
  return yield* lockUpload(context, id)
})
