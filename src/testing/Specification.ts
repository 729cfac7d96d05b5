/** Given/when/then specifications of a decider, Emmett style; failures throw a readable `SpecificationError`. */
import { Result } from "effect"
import type { DecideContext } from "../domain/shared/Decider.ts"
import { codecProblem } from "./CodecRoundTrip.ts"
import { deepEqual, show } from "./DeepEqual.ts"
import { aggregateOf, type ContextOverrides, type DeciderSource, deciderOf, makeContext } from "./TestContext.ts"

/** Thrown when a specification does not hold; its message shows what was expected and what happened. */
export class SpecificationError extends Error {
  override readonly name = "SpecificationError"
}

/** What `then` saw, for further assertions. */
export interface Outcome<State, Event, DomainError> {
  readonly events: ReadonlyArray<Event>
  /** The state after the events (the given state when the command was rejected). */
  readonly state: State
  readonly error: DomainError | undefined
}

export interface When<State, Event, DomainError> {
  /**
   * Expected events (deep equality, `undefined` fields ignored; with an `Aggregate` each event must
   * also survive its codec), or the `_tag` or `code` of the expected rejection.
   */
  then(expected: ReadonlyArray<Event> | string): Outcome<State, Event, DomainError>
}

export interface Given<State, Command, Event, DomainError, Settings> {
  when(command: Command, context?: ContextOverrides<Settings>): When<State, Event, DomainError>
}

const describeError = (error: unknown): string => {
  const e = error as { _tag?: unknown; code?: unknown; message?: unknown }
  return `${String(e?._tag)} (${String(e?.code)}): ${String(e?.message)}\n${show(error)}`
}

/**
 * Specifications for one aggregate or decider.
 *
 * @example
 * const { given } = specFor(UploadAggregate, { actor: testActors.alice })
 * given([uploadCreated]).when({ _tag: "AppendBytes", uploadId: "up-1", offset: 5, length: 1 }).then("OFFSET_MISMATCH")
 *
 * @param defaults context for every `when` (each field may be overridden per `when`).
 */
export const specFor = <State, Command, Event, DomainError, Settings>(
  source: DeciderSource<State, Command, Event, DomainError, Settings>,
  defaults?: ContextOverrides<Settings>
) => {
  const decider = deciderOf(source)
  const aggregate = aggregateOf(source)
  const given = (history: ReadonlyArray<Event>): Given<State, Command, Event, DomainError, Settings> => ({
    when: (command, overrides) => ({
      then: (expected) => {
        const context: DecideContext<Settings> = makeContext(defaults, overrides)
        const before = history.reduce((state: State, event: Event) => decider.evolve(state, event), decider.initialState)
        const scene = `given ${history.length} event(s)\n${show(history)}\nwhen\n${show(command)}`
        let result: Result.Result<ReadonlyArray<Event>, DomainError>
        try {
          result = decider.decide(command, before, context)
        } catch (cause) {
          throw new SpecificationError(`${scene}\ndecide threw instead of returning a Result: ${String(cause)}`, { cause })
        }
        if (typeof expected === "string") {
          if (Result.isSuccess(result)) {
            throw new SpecificationError(`${scene}\nexpected rejection ${expected}, but the command was accepted with\n${show(result.success)}`)
          }
          const error = result.failure as { _tag?: unknown; code?: unknown }
          if (error?._tag !== expected && error?.code !== expected) {
            throw new SpecificationError(`${scene}\nexpected rejection ${expected}, got ${describeError(result.failure)}`)
          }
          return { events: [], state: before, error: result.failure }
        }
        if (Result.isFailure(result)) {
          throw new SpecificationError(`${scene}\nexpected events\n${show(expected)}\nbut the command was rejected: ${describeError(result.failure)}`)
        }
        if (!deepEqual(result.success, expected)) {
          throw new SpecificationError(`${scene}\nexpected events\n${show(expected)}\nactual events\n${show(result.success)}`)
        }
        if (aggregate !== undefined) {
          for (const event of result.success) {
            const problem = codecProblem(aggregate.events, event)
            if (problem !== undefined) throw new SpecificationError(`${scene}\n${problem}`)
          }
        }
        return { events: result.success, state: result.success.reduce((state: State, event: Event) => decider.evolve(state, event), before), error: undefined }
      }
    })
  })
  return { given }
}
