/**
 * Receiving pushed bytes (HTTP push): one request body at the stream's acknowledged end, streamed into a staging
 * object (StreamObjectKeys.ts), then recorded as StreamBytesReceived. The bytes are durable before the event, so
 * every acknowledged byte can be read back to seal parts; the ingest engine seals them from there. The transport
 * holds a per-stream lock around this (as tus does), so two requests never stage at the same offset at once.
 */
import { Clock, Effect, Result } from "effect"
import type { ActorSystemShape } from "../actors/ActorSystem.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import type { DomainSettings } from "../domain/shared/DomainSettings.ts"
import { StreamAggregate } from "../domain/stream/StreamAggregate.ts"
import { isDomainError } from "../domain/shared/DomainError.ts"
import type { ObjectStoreShape } from "../objectstore/ObjectStore.ts"
import { StreamCommandId } from "./StreamCommandIds.ts"
import { streamStagingKey } from "./StreamObjectKeys.ts"
import { PushBodyTooLarge } from "./StreamsErrors.ts"

export interface PushedBody {
  readonly streamId: string
  readonly offset: number
  readonly body: ReadableStream<Uint8Array>
  /** Longest body accepted: a longer one stores nothing (413). */
  readonly limit: number
  readonly actor: Principal
  readonly settings: DomainSettings
  readonly requestId?: string | undefined
}

/** Counts what passes and errors the stream past `limit`, so the store keeps nothing of an oversized body. */
const limited = (body: ReadableStream<Uint8Array>, limit: number) => {
  let length = 0
  let tooLong = false
  const stream = body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      length += chunk.byteLength
      if (length > limit) {
        tooLong = true
        controller.error(new Error(`body longer than ${limit} bytes`))
        return
      }
      controller.enqueue(chunk)
    }
  }))
  return { stream, seen: () => ({ length, tooLong }) }
}

export const receiveStreamBytes = (actors: ActorSystemShape, store: ObjectStoreShape) =>
  Effect.fn("Streams.receiveBytes")(function*(input: PushedBody) {
    const { streamId, offset } = input
    // A body at the wrong offset (or for a stream that takes none) is refused before a byte is staged.
    const { state } = yield* actors.current(StreamAggregate, streamId)
    const dryRun = StreamAggregate.decider.decide({ _tag: "ReceiveStreamBytes", streamId, offset, length: 1 }, state, {
      now: yield* Clock.currentTimeMillis,
      actor: input.actor,
      settings: input.settings
    })
    if (Result.isFailure(dryRun)) return yield* Effect.fail(dryRun.failure)
    const key = streamStagingKey(streamId, offset)
    const counted = limited(input.body, input.limit)
    const put = yield* Effect.result(store.put(key, counted.stream, { contentType: "application/octet-stream" }))
    const { length, tooLong } = counted.seen()
    if (tooLong) return yield* Effect.fail(new PushBodyTooLarge({ limit: input.limit }))
    if (put._tag === "Failure") return yield* Effect.fail(put.failure)
    if (length === 0) {
      yield* store.delete(key)
      return { length: 0, position: undefined }
    }
    const result = yield* actors.send(StreamAggregate, streamId, {
      command: { _tag: "ReceiveStreamBytes", streamId, offset, length },
      actor: input.actor,
      commandId: StreamCommandId.receive(streamId, offset, length),
      correlationId: input.requestId
    }).pipe(
      // refused: these bytes never count (but on an offset mismatch the object at this offset may be another request's)
      Effect.tapError((e) => isDomainError(e) && e.code !== "OFFSET_MISMATCH" ? Effect.ignore(store.delete(key)) : Effect.void)
    )
    return { length, position: result.position }
  })
