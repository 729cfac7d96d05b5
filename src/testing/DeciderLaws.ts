/** The laws every aggregate obeys, checked over random command sequences. */
import { Result } from "effect"
import type { Aggregate } from "../domain/shared/Decider.ts"
import { roundTrip } from "./CodecRoundTrip.ts"
import { checkSequences, InvariantViolation, type SequenceOptions } from "./CommandSequences.ts"
import { deepEqual, show } from "./DeepEqual.ts"

export interface DeciderLawsOptions<State, Command, Event, DomainError, Settings>
  extends SequenceOptions<State, Command, Event, DomainError, Settings>
{
  readonly aggregate: Aggregate<State, Command, Event, DomainError, Settings>
}

/**
 * Checks, after every step of random sequences:
 * - `decide` never throws, and every rejection is a domain error (`_tag`, `code`, `message`);
 * - `decide` is deterministic: the same command, state and context give the same answer;
 * - every event survives its codec and JSON unchanged;
 * - replay determinism: folding the stored (encoded, JSON, decoded) history from the initial
 *   state gives exactly the state reached by evolving as the events were decided.
 */
export const checkDeciderLaws = <State, Command, Event, DomainError, Settings>(
  options: DeciderLawsOptions<State, Command, Event, DomainError, Settings>
): void => {
  const { decider, events: codec } = options.aggregate
  checkSequences(options, () => {
    // Per run: the history as read back from the store, decoded once per event.
    const stored: Array<Event> = []
    return (state, events, step) => {
      const again = decider.decide(step.command, step.previous, step.context)
      const same = Result.isSuccess(again)
        ? step.error === undefined && deepEqual(again.success, events)
        : step.error !== undefined && deepEqual(again.failure, step.error) && show(again.failure) === show(step.error)
      if (!same) {
        const first = step.error === undefined ? events : step.error
        throw new InvariantViolation(`decide is not deterministic: first\n${show(first)}\nthen\n${show(again)}`)
      }
      for (const event of step.history.slice(stored.length)) {
        const back = roundTrip(codec, event)
        if (Result.isFailure(back)) throw new InvariantViolation(back.failure)
        if (!deepEqual(back.success, event)) {
          throw new InvariantViolation(`event changes through its codec:\n${show(event)}\ncame back as\n${show(back.success)}`)
        }
        stored.push(back.success)
      }
      const replayed = stored.reduce((s: State, e: Event) => decider.evolve(s, e), decider.initialState)
      if (!deepEqual(replayed, state)) {
        throw new InvariantViolation(`replaying the stored history gives\n${show(replayed)}\ninstead of\n${show(state)}`)
      }
    }
  })
}
