/** Stored events decoded with an aggregate's codec, once per event (a projection's `touches` and `evolve` both need them). */
import type { EventCodec } from "../src/domain/shared/Decider.ts"
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"

/** Where an event sits, for documents that remember what they were last changed by. */
export interface EventPlace {
  readonly position: number
  readonly revision: number
}

/**
 * A decoder for one aggregate's events, remembering the last event it decoded: the runner calls
 * `touches` and then `evolve` with the same event, so each is decoded once (a WeakMap over every
 * event would cost the garbage collector more than it saves). A stored event that does not decode
 * throws: the runner reports it as a ProjectionBug and retries rather than folding in a guess (an
 * unknown schema version means a newer writer, whose events this process must not misread).
 */
export const makeDecoder = <Event>(codec: EventCodec<Event>) => {
  let lastEvent: RecordedEvent | undefined
  let lastDecoded: Event | undefined
  return (event: RecordedEvent): Event => {
    if (event === lastEvent) return lastDecoded!
    const result = codec.decode({ type: event.type, data: event.data, schemaVersion: event.metadata.schemaVersion ?? 1 })
    if (result._tag === "Failure") {
      throw new Error(`${event.stream}@${event.revision} (${event.type}) does not decode: ${result.failure.message}`)
    }
    lastEvent = event
    lastDecoded = result.success
    return result.success
  }
}

/** `upload-abc-1` → `abc-1`: the aggregate id is everything after the category. */
export const entityIdOf = (stream: string): string => stream.slice(stream.indexOf("-") + 1)
