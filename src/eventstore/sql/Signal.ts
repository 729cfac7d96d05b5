/** A wake-up signal: waiters take the current generation before looking, so a wake between look and wait is never lost. */
import { Deferred, Effect } from "effect"

export class Signal {
  private current = Deferred.makeUnsafe<void>()

  /** The generation to wait on; take it BEFORE checking for work. */
  get generation(): Deferred.Deferred<void> {
    return this.current
  }

  /** Wakes everyone waiting on the current generation. */
  notify(): void {
    const previous = this.current
    this.current = Deferred.makeUnsafe<void>()
    Deferred.doneUnsafe(previous, Effect.void)
  }
}
