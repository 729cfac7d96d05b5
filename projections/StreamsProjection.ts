/** Live streams: state, bytes and chunks sealed and uploaded, last growth, and how far the uploads lag behind the sealing. */
import { StreamEventCodec } from "../src/domain/stream/StreamAggregate.ts"
import type { StreamEvent } from "../src/domain/stream/StreamEvents.ts"
import { entityIdOf, type EventPlace, makeDecoder } from "./DomainEvents.ts"
import { defineProjection } from "./Projection.ts"

export type LiveStreamState = "live" | "ended" | "finalized"
export const LIVE_STREAM_STATES: ReadonlyArray<LiveStreamState> = ["live", "ended", "finalized"]

export interface StreamDoc {
  readonly id: string
  readonly ownerId: string
  readonly source: "watch" | "push"
  readonly sourceRef: string | null
  readonly state: LiveStreamState
  readonly chunkSizeBytes: number
  readonly chunksSealed: number
  readonly bytesSealed: number
  readonly chunksUploaded: number
  readonly bytesUploaded: number
  /** Sealed but not yet stored in the object store: the upload lag. */
  readonly pendingChunks: number
  readonly pendingBytes: number
  /** When the last chunk was sealed (the source last grew), or the start. */
  readonly lastGrowthAt: number
  readonly startedAt: number
  readonly endedAt: number | null
  readonly endReason: "timeout" | "explicit" | null
  readonly finalizedAt: number | null
  readonly totalSize: number | null
  readonly updatedAt: number
  readonly position: number
  readonly revision: number
}

export const decodeStreamEvent = makeDecoder(StreamEventCodec)

/** Pure: the stream after `event`. */
export const evolveStreamDoc = (current: StreamDoc | undefined, event: StreamEvent, place: EventPlace): StreamDoc | undefined => {
  const at = { position: place.position, revision: place.revision }
  if (event._tag === "StreamStarted") {
    return {
      id: event.streamId,
      ownerId: event.ownerId,
      source: event.source,
      sourceRef: event.sourceRef ?? null,
      state: "live",
      chunkSizeBytes: event.chunkSizeBytes,
      chunksSealed: 0,
      bytesSealed: 0,
      chunksUploaded: 0,
      bytesUploaded: 0,
      pendingChunks: 0,
      pendingBytes: 0,
      lastGrowthAt: event.at,
      startedAt: event.at,
      endedAt: null,
      endReason: null,
      finalizedAt: null,
      totalSize: null,
      updatedAt: event.at,
      ...at
    }
  }
  if (current === undefined) return undefined
  const doc: StreamDoc = { ...current, updatedAt: Math.max(current.updatedAt, event.at), ...at }
  const lag = (d: StreamDoc): StreamDoc => ({ ...d, pendingChunks: d.chunksSealed - d.chunksUploaded, pendingBytes: d.bytesSealed - d.bytesUploaded })
  switch (event._tag) {
    case "ChunkSealed":
      return lag({ ...doc, chunksSealed: doc.chunksSealed + 1, bytesSealed: doc.bytesSealed + event.size, lastGrowthAt: event.at })
    case "ChunkUploaded":
      return lag({ ...doc, chunksUploaded: doc.chunksUploaded + 1, bytesUploaded: doc.bytesUploaded + event.size })
    case "StreamEnded":
      return { ...doc, state: "ended", endedAt: event.at, endReason: event.reason }
    case "StreamFinalized":
      return { ...doc, state: "finalized", finalizedAt: event.at, totalSize: event.totalSize }
  }
}

export type StreamsModels = { readonly stream: StreamDoc }

export const StreamsProjection = defineProjection<StreamsModels>()({
  name: "streams",
  version: 1,
  handles: ["StreamStarted", "ChunkSealed", "ChunkUploaded", "StreamEnded", "StreamFinalized"],
  streamPrefixes: ["stream-"],
  models: {
    stream: {
      indexes: (doc) => [
        { index: "all", score: doc.startedAt },
        { index: "byOwner", value: doc.ownerId, score: doc.startedAt },
        { index: "byState", value: doc.state, score: doc.startedAt },
        { index: "byOwnerState", value: `${doc.ownerId}/${doc.state}`, score: doc.startedAt }
      ]
    }
  },
  touches: (event) => [{ model: "stream", id: entityIdOf(event.stream) }],
  evolve: (docs, event) => {
    const id = entityIdOf(event.stream)
    const current = docs.get("stream", id)
    const next = evolveStreamDoc(current, decodeStreamEvent(event), event)
    return next === current ? [] : [{ model: "stream", id, doc: next }]
  }
})
