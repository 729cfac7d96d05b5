/** Checks that an event survives its codec and a trip through JSON, as it does through the event store. */
import { Result } from "effect"
import type { EventCodec } from "../domain/shared/Decider.ts"
import { deepEqual, show } from "./DeepEqual.ts"

/** The event as it comes back from the store, or why it does not. */
export const roundTrip = <Event>(codec: EventCodec<Event>, event: Event): Result.Result<Event, string> => {
  let stored: unknown
  try {
    stored = JSON.parse(JSON.stringify(codec.encode(event)))
  } catch (cause) {
    return Result.fail(`event cannot be encoded: ${String(cause)}\n${show(event)}`)
  }
  const back = codec.decode(stored as Parameters<EventCodec<Event>["decode"]>[0])
  return Result.isSuccess(back)
    ? Result.succeed(back.success)
    : Result.fail(`stored event does not decode: ${back.failure.message}\n${show(stored)}`)
}

/** undefined when the event comes back equal; otherwise what went wrong. */
export const codecProblem = <Event>(codec: EventCodec<Event>, event: Event): string | undefined => {
  const back = roundTrip(codec, event)
  if (Result.isFailure(back)) return back.failure
  return deepEqual(back.success, event)
    ? undefined
    : `event changes through its codec:\n${show(event)}\ncame back as\n${show(back.success)}`
}
