/** The kit's given/when/then: passes what holds, and fails readably (and framework-agnostically) on what does not. */
import { Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { Aggregate, Decider } from "../../src/domain/shared/Decider.ts"
import { Forbidden } from "../../src/domain/shared/DomainError.ts"
import { SpecificationError, specFor, T0, testActors } from "../../src/testing/index.ts"

// A tiny aggregate: a counter only admins may push past 2.
const Add = Schema.TaggedStruct("Add", { amount: Schema.Int })
const Added = Schema.TaggedStruct("Added", { amount: Schema.Int, at: Schema.Number })
type Added = typeof Added.Type
const decider: Decider<number, typeof Add.Type, Added, Forbidden, { readonly ceiling: number }> = {
  initialState: 0,
  decide: (command, state, { actor, now, settings }) =>
    state + command.amount > settings.ceiling && !actor.roles.includes("admin")
      ? Result.fail(new Forbidden({ action: "go past the ceiling", allowed: "admins" }))
      : Result.succeed([{ _tag: "Added", amount: command.amount, at: now }]),
  evolve: (state, event) => state + event.amount
}
const aggregate: Aggregate<number, typeof Add.Type, Added, Forbidden, { readonly ceiling: number }> = {
  category: "counter",
  decider,
  events: {
    encode: (event) => ({ type: event._tag, data: { amount: event.amount, at: event.at }, schemaVersion: 1 }),
    // A lossy codec: drops `at`, which the specification must notice.
    decode: (stored) => Schema.decodeUnknownResult(Added)({ ...(stored.data as object), _tag: stored.type, at: 0 })
  },
  commandSchema: Add
}

const settings = { ceiling: 2 }
const failureOf = (f: () => unknown): SpecificationError => {
  try {
    f()
  } catch (error) {
    if (error instanceof SpecificationError) return error
    throw error
  }
  throw new Error("the specification did not fail")
}

describe("specFor(...).given(...).when(...).then(...)", () => {
  const { given } = specFor(decider, { settings, now: T0 })

  it("passes when the events match, and returns them with the new state", () => {
    const outcome = given([{ _tag: "Added", amount: 1, at: 0 }]).when({ _tag: "Add", amount: 1 }).then([{ _tag: "Added", amount: 1, at: T0 }])
    expect(outcome.state).toBe(2)
  })

  it("passes when the rejection's tag or code matches", () => {
    given([]).when({ _tag: "Add", amount: 3 }).then("Forbidden")
    given([]).when({ _tag: "Add", amount: 3 }).then("FORBIDDEN")
    given([]).when({ _tag: "Add", amount: 3 }, { actor: testActors.carol }).then([{ _tag: "Added", amount: 3, at: T0 }])
  })

  it("fails showing expected and actual events", () => {
    const error = failureOf(() => given([]).when({ _tag: "Add", amount: 1 }).then([{ _tag: "Added", amount: 2, at: T0 }]))
    expect(error.message).toContain("expected events")
    expect(error.message).toContain("actual events")
    expect(error.message).toContain("\"amount\": 2")
  })

  it("fails when a rejection was expected but the command was accepted, or the rejection differs", () => {
    expect(failureOf(() => given([]).when({ _tag: "Add", amount: 1 }).then("FORBIDDEN")).message)
      .toContain("expected rejection FORBIDDEN, but the command was accepted")
    expect(failureOf(() => given([]).when({ _tag: "Add", amount: 5 }).then("QUOTA_EXCEEDED")).message)
      .toContain("expected rejection QUOTA_EXCEEDED, got Forbidden (FORBIDDEN): Only admins may go past the ceiling.")
    expect(failureOf(() => given([]).when({ _tag: "Add", amount: 5 }).then([])).message).toContain("but the command was rejected")
  })

  it("with an Aggregate, also fails when an event does not survive its codec", () => {
    const { given: givenAggregate } = specFor(aggregate, { settings, now: T0 })
    expect(failureOf(() => givenAggregate([]).when({ _tag: "Add", amount: 1 }).then([{ _tag: "Added", amount: 1, at: T0 }])).message)
      .toContain("event changes through its codec")
  })

  it("reports a decide that throws instead of returning a Result", () => {
    const throwing = { ...decider, decide: () => { throw new Error("kaboom") } }
    expect(failureOf(() => specFor(throwing, { settings }).given([]).when({ _tag: "Add", amount: 1 }).then([])).message)
      .toContain("decide threw instead of returning a Result: Error: kaboom")
  })
})
