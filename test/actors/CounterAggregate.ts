/** A deliberately small aggregate for testing the actor runtime on its own: a counter with a ceiling. */
import { Result, Schema } from "effect"
import type { Aggregate, EventCodec } from "../../src/domain/shared/Decider.ts"

export const CounterCommand = Schema.Union([
  Schema.TaggedStruct("Add", { amount: Schema.Int.check(Schema.isGreaterThan(0)) }),
  Schema.TaggedStruct("AddTwice", { amount: Schema.Int.check(Schema.isGreaterThan(0)) })
])
export type CounterCommand = typeof CounterCommand.Type

export const CounterEvent = Schema.Union([Schema.TaggedStruct("Added", { amount: Schema.Int })])
export type CounterEvent = typeof CounterEvent.Type

export class CeilingReached extends Schema.TaggedError<CeilingReached>()("CeilingReached", {
  count: Schema.Number
}) {}

export interface CounterState {
  readonly count: number
  readonly adds: number
}

const codec: EventCodec<CounterEvent> = {
  encode: (event) => ({ type: event._tag, data: { amount: event.amount }, schemaVersion: 1 }),
  decode: (stored) => Schema.decodeUnknownResult(CounterEvent)({ _tag: stored.type, ...(stored.data as object) })
}

export const Counter: Aggregate<CounterState, CounterCommand, CounterEvent, CeilingReached, { ceiling: number }> = {
  category: "counter",
  decider: {
    initialState: { count: 0, adds: 0 },
    decide: (command, state, context) => {
      const total = command._tag === "AddTwice" ? command.amount * 2 : command.amount
      if (state.count + total > context.settings.ceiling) return Result.fail(new CeilingReached({ count: state.count }))
      const added = { _tag: "Added", amount: command.amount } as const
      return Result.succeed(command._tag === "AddTwice" ? [added, added] : [added])
    },
    evolve: (state, event) => ({ count: state.count + event.amount, adds: state.adds + 1 })
  },
  events: codec,
  commandSchema: CounterCommand
}
