/** For the port tests: a raw adapter built on this remembers every call it gets, and answers with a success. */
import { Effect } from "effect"

export type Call = readonly [method: string, ...args: ReadonlyArray<unknown>]

export const callRecorder = () => {
  const calls: Array<Call> = []
  // Records when the method is called, not when its effect runs: building an effect from bad input counts too.
  const record = <A>(call: Call, answer: A) => {
    calls.push(call)
    return Effect.succeed(answer)
  }
  return { calls, record }
}
