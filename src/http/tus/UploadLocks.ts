/**
 * One writer per upload in this process. Two PATCHes racing on one upload would write the same staging
 * object; the aggregate would accept only one append, but the loser could already have replaced the
 * winner's bytes. A request that wants the lock first asks the holder to stop (as tusd does): a client
 * that reconnects after a dropped connection is not blocked by the old request the server still thinks
 * is alive; the old request ends its transfer, records what arrived, and releases. Because asking is
 * enough to stop the holder, only a request that may act on the upload asks: its owner's, or an admin's
 * termination (`lockVisibleUpload` in TusContext.ts checks before it acquires).
 *
 * The lock is per process: an upload's requests must reach one API node at a time (tus clients send
 * one request at a time per upload; with several nodes, route `/files/:id` by id).
 */
import { Effect, type Scope } from "effect"

export interface UploadLease {
  /** Aborted when another request for this upload is waiting: stop reading, keep what arrived. */
  readonly stopRequested: AbortSignal
}

interface Holder {
  readonly stop: AbortController
  readonly released: Promise<void>
  readonly release: () => void
}

export interface UploadLocks {
  /** Holds the upload's lock for the scope; undefined when the holder did not let go within `waitMs`. */
  acquire(uploadId: string, waitMs: number): Effect.Effect<UploadLease | undefined, never, Scope.Scope>
}

const waitFor = (released: Promise<void>, ms: number): Promise<boolean> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  return Promise.race([released.then(() => true), timeout]).finally(() => clearTimeout(timer))
}

export const makeUploadLocks = (): UploadLocks => {
  const held = new Map<string, Holder>()

  const take = async (uploadId: string, waitMs: number): Promise<Holder | undefined> => {
    const deadline = Date.now() + waitMs
    for (let current = held.get(uploadId); current !== undefined; current = held.get(uploadId)) {
      current.stop.abort()
      const left = deadline - Date.now()
      if (left <= 0 || !(await waitFor(current.released, left))) return undefined
    }
    let release!: () => void
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const holder: Holder = { stop: new AbortController(), released, release }
    held.set(uploadId, holder)
    return holder
  }

  const give = (uploadId: string, holder: Holder) => {
    if (held.get(uploadId) === holder) held.delete(uploadId)
    holder.release()
  }

  return {
    acquire: (uploadId, waitMs) =>
      Effect.acquireRelease(
        Effect.promise(() => take(uploadId, waitMs)),
        (holder) => Effect.sync(() => holder && give(uploadId, holder))
      ).pipe(Effect.map((holder) => holder && { stopRequested: holder.stop.signal }))
  }
}
