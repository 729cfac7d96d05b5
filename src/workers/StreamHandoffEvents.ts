/** The two live-stream events the hand-off reads, through the Stream aggregate's own codec; the others are none of its business. */
import { Result } from "effect"
import type { EncodedEvent } from "../domain/shared/Decider.ts"
import { StreamEventCodec } from "../domain/stream/StreamAggregate.ts"
import type { StreamFinalized, StreamStarted } from "../domain/stream/StreamEvents.ts"

export type HandoffStreamStarted = typeof StreamStarted.Type
export type HandoffStreamFinalized = typeof StreamFinalized.Type

/** A StreamStarted's fields; a failure for anything else. */
export const streamStartedOf = (event: EncodedEvent): Result.Result<HandoffStreamStarted, unknown> =>
  Result.flatMap(StreamEventCodec.decode(event), (decoded) =>
    decoded._tag === "StreamStarted" ? Result.succeed(decoded) : Result.fail(new Error(`${event.type} is not a StreamStarted`)))

/** For the follower: a StreamFinalized's fields, undefined for every other stream event (not even decoded). */
export const finalizationCodec = {
  decode: (event: EncodedEvent): Result.Result<HandoffStreamFinalized | undefined, unknown> =>
    event.type !== "StreamFinalized"
      ? Result.succeed(undefined)
      : Result.map(StreamEventCodec.decode(event), (decoded) => (decoded._tag === "StreamFinalized" ? decoded : undefined))
}
