/**
 * The two live-stream events the hand-off reads, decoded with local schemas of just the fields it needs.
 * Part A of issue 15 adds `title` to StreamStarted and `sha256` to StreamFinalized in
 * src/domain/stream/StreamEvents.ts; until that lands both are optional here (the hand-off hashes the
 * original itself when StreamFinalized has no sha256). Other stream events are none of its business.
 */
import { Result, Schema } from "effect"
import { EntityId, EpochMillis, PositiveInt, UserId } from "../domain/shared/Primitives.ts"
import { Sha256Hex } from "../domain/upload/UploadCommands.ts"

export const HandoffStreamStarted = Schema.Struct({
  streamId: EntityId,
  ownerId: UserId,
  source: Schema.String,
  sourceRef: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String),
  at: EpochMillis
})
export type HandoffStreamStarted = typeof HandoffStreamStarted.Type

export const HandoffStreamFinalized = Schema.Struct({
  streamId: EntityId,
  totalSize: PositiveInt,
  chunkCount: PositiveInt,
  sha256: Schema.optional(Sha256Hex),
  at: EpochMillis
})
export type HandoffStreamFinalized = typeof HandoffStreamFinalized.Type

interface StoredEvent {
  readonly type: string
  readonly data: unknown
  readonly schemaVersion: number
}

const decodeStarted = Schema.decodeUnknownResult(HandoffStreamStarted)
const decodeFinalized = Schema.decodeUnknownResult(HandoffStreamFinalized)

/** A StreamStarted's fields; a failure for anything else. */
export const streamStartedOf = (event: StoredEvent) =>
  event.type === "StreamStarted" ? decodeStarted(event.data) : Result.fail(new Error(`${event.type} is not a StreamStarted`))

/** For the follower: a StreamFinalized's fields, undefined for every other stream event. */
export const finalizationCodec = {
  decode: (event: StoredEvent): Result.Result<HandoffStreamFinalized | undefined, unknown> =>
    event.type === "StreamFinalized" ? decodeFinalized(event.data) : Result.succeed(undefined)
}
