/** Runs random command sequences through decide/evolve under fast-check; the engine behind `checkInvariant` and `checkDeciderLaws`. */
import { Result } from "effect"
import * as fc from "fast-check"
import type { Principal, DecideContext } from "../domain/shared/Decider.ts"
import { isDomainError } from "../domain/shared/DomainError.ts"
import { show } from "./DeepEqual.ts"
import { type DeciderSource, deciderOf, makeContext, T0 } from "./TestContext.ts"

/** How each step's context is made: the clock starts at `now` and moves by `advance` before every command. */
export interface SequenceContext<Settings> {
  /** Clock reading before the first command (default `T0`). */
  readonly now?: number
  /** Who sends each command: one actor, or an arbitrary drawn per command (default alice). */
  readonly actor?: Principal | fc.Arbitrary<Principal>
  /** Merged onto Keyframe's `defaultDomainSettings`. */
  readonly settings?: Partial<Settings>
  /** Milliseconds the clock moves before each command (default `clockAdvance`). */
  readonly advance?: fc.Arbitrary<number>
}

/** What one step of a sequence did. */
export interface Step<State, Command, Event, DomainError, Settings> {
  /** 0-based position in the sequence. */
  readonly index: number
  readonly command: Command
  readonly context: DecideContext<Settings>
  /** State decide saw. */
  readonly previous: State
  /** The rejection, when the command was rejected (then `events` is empty). */
  readonly error: DomainError | undefined
  /** Every event of the run so far (given ones first), this step's included. */
  readonly history: ReadonlyArray<Event>
}

/** Returns false or throws when violated; anything else passes. */
export type Invariant<State, Command, Event, DomainError, Settings> = (
  state: State,
  events: ReadonlyArray<Event>,
  step: Step<State, Command, Event, DomainError, Settings>
) => boolean | void

export interface SequenceOptions<State, Command, Event, DomainError, Settings> {
  readonly aggregate: DeciderSource<State, Command, Event, DomainError, Settings>
  /** Commands to draw from, typically derived from the command schema. */
  readonly commands: fc.Arbitrary<Command>
  readonly context?: SequenceContext<Settings>
  /** Events already in the stream before the sequence starts: fixed, or drawn per run. */
  readonly given?: ReadonlyArray<Event> | fc.Arbitrary<ReadonlyArray<Event>>
  /**
   * Fits a generated command to the current state before it is decided (e.g. the next expected
   * offset), so sequences go deep instead of being rejected early. Must be deterministic.
   */
  readonly fit?: (command: Command, state: State, context: DecideContext<Settings>) => Command
  /**
   * Picks who sends the (fitted) command, from the actor drawn for the step: e.g. the upload's
   * owner most of the time. Must be deterministic. Default: the drawn actor.
   */
  readonly actorFor?: (command: Command, state: State, drawn: Principal) => Principal
  /** Longest sequence (default 25). */
  readonly maxCommands?: number
  /** Sequences to run (default 100). */
  readonly numRuns?: number
  readonly seed?: number
}

/** A clock that mostly stands still or moves seconds, sometimes minutes, hours or days. */
export const clockAdvance: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constant(0), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 60_000 }), weight: 4 },
  { arbitrary: fc.integer({ min: 60_000, max: 3_600_000 }), weight: 2 },
  { arbitrary: fc.integer({ min: 3_600_000, max: 3 * 86_400_000 }), weight: 1 }
)

/** Thrown inside a property when a step breaks an invariant or a law; fast-check then shrinks the sequence. */
export class InvariantViolation extends Error {
  override readonly name = "InvariantViolation"
}

const describeOutcome = (result: Result.Result<ReadonlyArray<unknown>, unknown>): string =>
  Result.isSuccess(result)
    ? `→ [${result.success.map((e) => (e as { _tag?: string })?._tag ?? "?").join(", ")}]`
    : `✗ ${(result.failure as { code?: string })?.code ?? show(result.failure)}`

/**
 * Runs `numRuns` random sequences; for each run `makeInvariant` gives a fresh check (so it may keep
 * per-run memory). Throws fast-check's report (shrunk counterexample, seed, and our step trace).
 */
export const checkSequences = <State, Command, Event, DomainError, Settings>(
  options: SequenceOptions<State, Command, Event, DomainError, Settings>,
  makeInvariant: () => Invariant<State, Command, Event, DomainError, Settings>
): void => {
  const decider = deciderOf(options.aggregate)
  const base = options.context ?? {}
  const actors = base.actor instanceof fc.Arbitrary ? base.actor : fc.constant(base.actor ?? makeContext<Settings>().actor)
  const step = fc.tuple(options.commands, actors, base.advance ?? clockAdvance)
  const steps = fc.array(step, { maxLength: options.maxCommands ?? 25, size: "max" })
  const histories = options.given instanceof fc.Arbitrary ? options.given : fc.constant(options.given ?? [])
  const evolve = (state: State, event: Event) => decider.evolve(state, event)

  const run = (given: ReadonlyArray<Event>, steps: ReadonlyArray<readonly [Command, Principal, number]>) => {
    const invariant = makeInvariant()
    const history: Array<Event> = [...given]
    const trace: Array<string> = []
    let state = given.reduce(evolve, decider.initialState)
    let now = base.now ?? makeContext<Settings>().now
    steps.forEach(([generated, drawn, advance], index) => {
      now += advance
      const drawnContext = makeContext<Settings>({ settings: base.settings, now, actor: drawn })
      const command = options.fit === undefined ? generated : options.fit(generated, state, drawnContext)
      const actor = options.actorFor === undefined ? drawn : options.actorFor(command, state, drawn)
      const context = actor === drawn ? drawnContext : { ...drawnContext, actor }
      const fail = (problem: string): never => {
        throw new InvariantViolation(
          `${problem}\nat step ${index}: ${show(command)}\nas ${actor.userId} at ${now}\nstate before:\n${show(state)}\n` +
            `steps:\n${trace.join("\n")}`
        )
      }
      let result: Result.Result<ReadonlyArray<Event>, DomainError>
      try {
        result = decider.decide(command, state, context)
      } catch (cause) {
        return fail(`decide threw: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`)
      }
      trace.push(`#${index} ${actor.userId} +${advance}ms ${show(command).replace(/\s+/g, " ")} ${describeOutcome(result)}`)
      if (Result.isFailure(result) && !isDomainError(result.failure)) {
        fail(`rejection is not a domain error with a code and a message:\n${show(result.failure)}`)
      }
      const events = Result.isSuccess(result) ? result.success : []
      const previous = state
      state = events.reduce(evolve, state)
      history.push(...events)
      let verdict: boolean | void
      try {
        verdict = invariant(state, events, {
          index,
          command,
          context,
          previous,
          error: Result.isFailure(result) ? result.failure : undefined,
          history
        })
      } catch (cause) {
        if (cause instanceof InvariantViolation) throw cause
        return fail(`invariant failed: ${cause instanceof Error ? cause.message : String(cause)}\nstate after:\n${show(state)}`)
      }
      if (verdict === false) fail(`invariant returned false\nstate after:\n${show(state)}`)
    })
  }

  fc.assert(fc.property(histories, steps, run), {
    numRuns: options.numRuns ?? 100,
    ...(options.seed === undefined ? {} : { seed: options.seed })
  })
}
