/**
 * One writer per pushed stream in this process. Two PATCHes at once would stage at the same offset; the
 * aggregate records only one, but the loser could replace the winner's object. Unlike tus's lock
 * (UploadLocks.ts), a newer request does not stop the one in flight: it waits its turn (up to `waitMs`, then
 * 423), and then its offset is checked against what the first one stored, so a duplicate gets 409 with the
 * offset to continue at. Both requests carry the same offset by construction: the second is the one refused.
 */
import { Effect, type Scope } from "effect"

export interface StreamLocks {
  /** Holds the stream's lock for the scope; false when the holder did not let go within `waitMs`. */
  acquire(streamId: string, waitMs: number): Effect.Effect<boolean, never, Scope.Scope>
}

export const makeStreamLocks = (): StreamLocks => {
  /** The tail of each stream's queue of holders: resolves when the last one in line lets go. */
  const tails = new Map<string, Promise<void>>()

  const take = async (streamId: string, waitMs: number): Promise<(() => void) | undefined> => {
    const before = tails.get(streamId) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => {
      release = resolve
    })
    // whoever comes next waits for this holder (or, if this one gives up waiting, for the one before it)
    const tail = before.then(() => mine)
    tails.set(streamId, tail)
    let timer: ReturnType<typeof setTimeout> | undefined
    const gotIt = await Promise.race([
      before.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), waitMs)
      })
    ]).finally(() => clearTimeout(timer))
    const done = () => {
      release()
      if (tails.get(streamId) === tail) tails.delete(streamId)
    }
    if (!gotIt) {
      // let the ones behind pass as soon as the holder ahead lets go
      done()
      return undefined
    }
    return done
  }

  return {
    acquire: (streamId, waitMs) =>
      Effect.acquireRelease(
        Effect.promise(() => take(streamId, waitMs)),
        (done) => Effect.sync(() => done?.())
      ).pipe(Effect.map((done) => done !== undefined))
  }
}
