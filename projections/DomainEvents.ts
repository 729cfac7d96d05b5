/** Stored events decoded with an aggregate's codec, once per event (a projection's `touches` and `evolve` both need them). */
import { Schema } from "effect"
import type { EventCodec } from "../src/domain/shared/Decider.ts"
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"

/** Where an event sits, for documents that remember what they were last changed by (spread its `fields` into a document). */
export const EventPlace = Schema.Struct({
  /** Global position of the last event folded in. */
  position: Schema.Finite,
  /** Its revision in the aggregate's stream. */
  revision: Schema.Finite
})
export type EventPlace = typeof EventPlace.Type

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

/** A member of an aggregate's event union: a `Schema.TaggedStruct`. */
export interface TaggedEventSchema {
  readonly fields: { readonly _tag: { readonly schema: { readonly literal: string } } }
}

/** The event types of an aggregate's event union (`Schema.Union` of `TaggedStruct`s), in the union's order. */
export const eventTypesOf = <const Members extends ReadonlyArray<TaggedEventSchema>>(
  union: { readonly members: Members }
): ReadonlyArray<Members[number]["fields"]["_tag"]["schema"]["literal"]> => union.members.map((member) => member.fields._tag.schema.literal)

/** `upload-abc-1` → `abc-1`: the aggregate id is everything after the category. */
export const entityIdOf = (stream: string): string => stream.slice(stream.indexOf("-") + 1)
