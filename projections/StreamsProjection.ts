/** Live streams: state, bytes and chunks sealed and uploaded, last growth, and how far the uploads lag behind the sealing. */
import { Schema } from "effect"
import { StreamAggregate } from "../src/domain/stream/StreamAggregate.ts"
import { EndReason, StreamSource } from "../src/domain/stream/StreamCommands.ts"
import { StreamEvent } from "../src/domain/stream/StreamEvents.ts"
import { EventPlace } from "./DomainEvents.ts"
import { singleStreamModel } from "./SingleStreamModel.ts"

export const LiveStreamState = Schema.Literals(["live", "ended", "finalized"])
export type LiveStreamState = typeof LiveStreamState.Type

export const StreamDocument = Schema.Struct({
  id: Schema.String,
  ownerId: Schema.String,
  source: StreamSource,
  sourceRef: Schema.NullOr(Schema.String),
  state: LiveStreamState,
  chunkSizeBytes: Schema.Finite,
  chunksSealed: Schema.Finite,
  bytesSealed: Schema.Finite,
  chunksUploaded: Schema.Finite,
  bytesUploaded: Schema.Finite,
  pendingChunks: Schema.Finite.annotate({ description: "sealed but not yet stored in the object store: the upload lag" }),
  pendingBytes: Schema.Finite,
  lastGrowthAt: Schema.Finite.annotate({ description: "when the last chunk was sealed (the source last grew), or the start" }),
  startedAt: Schema.Finite,
  endedAt: Schema.NullOr(Schema.Finite),
  endReason: Schema.NullOr(EndReason),
  finalizedAt: Schema.NullOr(Schema.Finite),
  totalSize: Schema.NullOr(Schema.Finite),
  updatedAt: Schema.Finite,
  ...EventPlace.fields
})
export type StreamDoc = typeof StreamDocument.Type

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

export const StreamsProjection = singleStreamModel({
  name: "streams",
  version: 1,
  model: "stream",
  aggregate: StreamAggregate,
  events: StreamEvent,
  evolve: evolveStreamDoc,
  indexes: (doc) => [
    { index: "all", score: doc.startedAt },
    { index: "byOwner", value: doc.ownerId, score: doc.startedAt },
    { index: "byState", value: doc.state, score: doc.startedAt },
    { index: "byOwnerState", value: `${doc.ownerId}/${doc.state}`, score: doc.startedAt }
  ]
})
