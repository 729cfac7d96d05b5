/** `checkInvariant`: an invariant of an aggregate, checked after every step of random command sequences. */
import { checkSequences, type Invariant, type SequenceOptions } from "./CommandSequences.ts"

export interface CheckInvariantOptions<State, Command, Event, DomainError, Settings>
  extends SequenceOptions<State, Command, Event, DomainError, Settings>
{
  /**
   * Checked after every command, accepted or rejected: gets the state after it, the events it
   * produced, and the step (command, context, previous state, rejection, history).
   * Return false or throw (e.g. an `expect`) to report a violation.
   */
  readonly invariant: Invariant<State, Command, Event, DomainError, Settings>
}

/**
 * Runs `numRuns` random command sequences (each up to `maxCommands` long) through the decider,
 * folding accepted events with `evolve`, and checks `invariant` after each step. Also fails when
 * `decide` throws or rejects with something that is not a domain error (`_tag`, UPPER_SNAKE `code`,
 * `message`). A failure throws fast-check's report with the shrunk sequence and a step trace.
 *
 * @example
 * checkInvariant({
 *   aggregate: RoomAggregate,
 *   commands: roomArbitraries.interacting,
 *   context: { actor: anyTestActor },
 *   invariant: (state) => state.status !== "Open" || state.capacity < 0 || state.members.length <= state.capacity,
 *   numRuns: 500
 * })
 */
export const checkInvariant = <State, Command, Event, DomainError, Settings>(
  options: CheckInvariantOptions<State, Command, Event, DomainError, Settings>
): void => checkSequences(options, () => options.invariant)
