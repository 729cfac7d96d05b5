/**
 * The staged bytes of an HTTP-pushed stream as a GrowingSource (runtime neutral). Its size is what the stream
 * acknowledged (`receivedBytes`, from StreamBytesReceived), never what happens to be in the store: an object
 * staged but not recorded (a crash between the two) is not part of the source. It has ended when its owner said
 * so (`POST /streams/:id/end`: the stream is Ended). Bytes are read from the objects under
 * `stream-staging/<id>/` (StreamObjectKeys.ts), one per acknowledged PATCH body, whose keys are their offsets.
 */
import { Data, Effect, Stream } from "effect"
import type { ObjectStoreShape } from "../objectstore/ObjectStore.ts"
import { streamStagingPrefix } from "../streams/StreamObjectKeys.ts"
import type { Streams } from "../streams/Streams.ts"
import type { GrowingSource } from "./GrowingSource.ts"

/** Acknowledged bytes that are not in the staging objects (deleted behind the stream's back). */
export class StagedBytesMissing extends Data.TaggedError("StagedBytesMissing")<{ readonly streamId: string; readonly offset: number }> {
  override get message() {
    return `stream ${this.streamId}: no staged object holds byte ${this.offset}`
  }
}

/** Reads the whole body of a (ranged) get into `out` at `at`; returns how many bytes came. */
const readInto = (body: ReadableStream<Uint8Array>, out: Uint8Array, at: number) =>
  Effect.tryPromise({
    try: async () => {
      const reader = body.getReader()
      let n = 0
      try {
        for (let next = await reader.read(); !next.done; next = await reader.read()) {
          out.set(next.value.subarray(0, out.byteLength - at - n), at + n)
          n += next.value.byteLength
        }
      } finally {
        reader.releaseLock()
      }
      return n
    },
    catch: (e) => e
  })

export const stagedSource = (streams: typeof Streams.Service, store: ObjectStoreShape, streamId: string): GrowingSource => {
  const prefix = streamStagingPrefix(streamId)
  return {
    label: "the pushed bytes",
    rewritable: false,
    snapshot: Effect.map(streams.current(streamId), ({ state }) =>
      state.status === "Live" || state.status === "Ended"
        ? { size: state.receivedBytes, ended: state.status === "Ended" }
        : undefined),
    read: (offset, length) =>
      Effect.gen(function*() {
        const objects = yield* Stream.runCollect(store.list(prefix))
        const out = new Uint8Array(length)
        const end = offset + length
        let at = offset
        // keys are zero-padded offsets, listed in ascending order: each object covers [start, start + size)
        for (const o of objects) {
          if (at >= end) break
          const start = Number(o.key.slice(prefix.length))
          if (!Number.isSafeInteger(start) || start > at || start + o.size <= at) continue
          const to = Math.min(end, start + o.size)
          const got = yield* store.get(o.key, { range: { start: at - start, end: to - start - 1 } })
          const n = yield* readInto(got.body, out, at - offset)
          if (n !== to - at) return yield* Effect.fail(new StagedBytesMissing({ streamId, offset: at + Math.min(n, to - at) }))
          at = to
        }
        if (at < end) return yield* Effect.fail(new StagedBytesMissing({ streamId, offset: at }))
        return out
      })
  }
}
