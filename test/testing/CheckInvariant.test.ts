/** The kit's property checks find broken invariants, shrink them, and enforce the decider laws. */
import { Result, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Aggregate, Decider } from "../../src/domain/shared/Decider.ts"
import { Forbidden } from "../../src/domain/shared/DomainError.ts"
import { checkDeciderLaws, checkInvariant, fromSchema, makeContext } from "../../src/testing/index.ts"

// A counter whose ceiling check is off by one: it lets the count reach ceiling + 1.
const Command = Schema.Union([
  Schema.TaggedStruct("Add", { amount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 3 })) }),
  Schema.TaggedStruct("Reset", {})
])
type Command = typeof Command.Type
const Event = Schema.Union([Schema.TaggedStruct("Added", { amount: Schema.Int }), Schema.TaggedStruct("WasReset", {})])
type Event = typeof Event.Type
type Settings = { readonly ceiling: number }

const buggy: Decider<number, Command, Event, Forbidden, Settings> = {
  initialState: 0,
  decide: (command, state, { settings }) => {
    if (command._tag === "Reset") return Result.succeed([{ _tag: "WasReset" }])
    return state + command.amount > settings.ceiling + 1
      ? Result.fail(new Forbidden({ action: "pass the ceiling", allowed: "nobody" }))
      : Result.succeed([{ _tag: "Added", amount: command.amount }])
  },
  evolve: (state, event) => (event._tag === "WasReset" ? 0 : state + event.amount)
}
const codec = {
  encode: (event: Event) => ({ type: event._tag, data: event._tag === "Added" ? { amount: event.amount } : {}, schemaVersion: 1 }),
  decode: (stored: { type: string; data: unknown }) => Schema.decodeUnknownResult(Event)({ ...(stored.data as object), _tag: stored.type })
}
const aggregate = (decider: Decider<number, Command, Event, Forbidden, Settings>): Aggregate<number, Command, Event, Forbidden, Settings> => ({
  category: "counter",
  decider,
  events: codec,
  commandSchema: Command
})
const settings = makeContext<Settings>({ settings: { ceiling: 5 } }).settings
const commands = fromSchema(Command)

const thrown = (f: () => void): string => {
  try {
    f()
  } catch (error) {
    return error instanceof Error ? `${error.message}\n${String(error.cause)}` : String(error)
  }
  throw new Error("the check did not fail")
}

describe("checkInvariant", () => {
  it("finds a violated invariant and reports a shrunk sequence with a step trace", () => {
    const report = thrown(() =>
      checkInvariant({
        aggregate: buggy,
        commands,
        context: { settings },
        invariant: (count, _events, { context }) => count <= context.settings.ceiling,
        numRuns: 500,
        seed: 42
      })
    )
    expect(report).toContain("Counterexample")
    expect(report).toContain("invariant returned false")
    expect(report).toMatch(/#\d+ alice/)
  })

  it("passes a correct invariant, checking every step", () => {
    let steps = 0
    checkInvariant({
      aggregate: buggy,
      commands,
      context: { settings },
      invariant: (count) => {
        steps++
        return count <= settings.ceiling + 1
      },
      numRuns: 50
    })
    expect(steps).toBeGreaterThan(50)
  })

  it("reports a decide that throws, and a rejection that is not a domain error", () => {
    const throwing = { ...buggy, decide: () => { throw new Error("kaboom") } }
    expect(thrown(() => checkInvariant({ aggregate: throwing, commands, context: { settings }, invariant: () => true, numRuns: 20 })))
      .toContain("decide threw")
    const uncoded = { ...buggy, decide: () => Result.fail({ reason: "nope" } as unknown as Forbidden) }
    expect(thrown(() => checkInvariant({ aggregate: uncoded, commands, context: { settings }, invariant: () => true, numRuns: 20 })))
      .toContain("rejection is not a domain error")
  })

  it("draws actors and moves the clock per step", () => {
    const seen = new Set<string>()
    const times: Array<number> = []
    checkInvariant({
      aggregate: buggy,
      commands,
      context: { settings, actor: fc.constantFrom({ userId: "u1", roles: ["user"] }, { userId: "u2", roles: ["admin"] }), advance: fc.constant(1_000), now: 0 },
      invariant: (_s, _e, { context, index }) => {
        seen.add(context.actor.userId)
        if (index === 0) times.length = 0
        times.push(context.now)
      },
      numRuns: 30
    })
    expect([...seen].sort()).toEqual(["u1", "u2"])
    expect(times.every((t, i) => t === (i + 1) * 1_000)).toBe(true)
  })
})

describe("checkDeciderLaws", () => {
  it("passes a lawful aggregate", () => {
    checkDeciderLaws({ aggregate: aggregate(buggy), commands, context: { settings }, numRuns: 100 })
  })

  it("catches state that replaying the stored history cannot rebuild", () => {
    let hidden = 0
    const impure = { ...buggy, evolve: (state: number, event: Event) => (event._tag === "WasReset" ? hidden++ : state + (event._tag === "Added" ? event.amount : 0)) }
    expect(thrown(() => checkDeciderLaws({ aggregate: aggregate(impure), commands, context: { settings }, numRuns: 200 })))
      .toContain("replaying the stored history")
  })

  it("catches a decide that is not deterministic", () => {
    let calls = 0
    const flaky = { ...buggy, decide: (c: Command, s: number, ctx: Parameters<typeof buggy.decide>[2]) => (++calls % 2 === 0 ? Result.succeed([]) : buggy.decide(c, s, ctx)) }
    expect(thrown(() => checkDeciderLaws({ aggregate: aggregate(flaky), commands, context: { settings }, numRuns: 50 })))
      .toContain("decide is not deterministic")
  })

  it("catches an event its codec cannot store", () => {
    const lossy = { ...aggregate(buggy), events: { ...codec, encode: (event: Event) => ({ type: event._tag, data: {}, schemaVersion: 1 }) } }
    expect(thrown(() => checkDeciderLaws({ aggregate: lossy, commands, context: { settings }, numRuns: 50 })))
      .toContain("stored event does not decode")
  })
})
