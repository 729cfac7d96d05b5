/** What a caller sends to an actor, and what it gets back. */
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"
import type { Principal } from "../domain/shared/Decider.ts"

export interface CommandEnvelope<Command> {
  readonly command: Command
  readonly actor: Principal
  /**
   * Identifies the request. A command whose id was already applied to this aggregate is
   * not applied again: the first result is returned. Stored as the events' causationId.
   */
  readonly commandId?: string | undefined
  /** Carried into every event's metadata; defaults to the command id. */
  readonly correlationId?: string | undefined
}

export interface CommandResult<Event> {
  /** The domain events written (empty when the command changed nothing). */
  readonly events: ReadonlyArray<Event>
  readonly recorded: ReadonlyArray<RecordedEvent>
  /** The stream's revision after the command (-1: the stream does not exist). */
  readonly revision: number
  /** Global position of the last event written, or of the stream's head when nothing was written: what a read-your-writes query waits for. */
  readonly position: number
  /** True when the command id had already been applied and this is the first result again. */
  readonly deduplicated: boolean
}
