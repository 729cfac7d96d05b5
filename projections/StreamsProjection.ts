/** Live streams: state, bytes received and stored in parts, last growth, how far the parts lag behind the source, and how it ended. */
import { Schema } from "effect"
import { StreamAggregate } from "../src/domain/stream/StreamAggregate.ts"
import { EndReason, FailureReason, StreamSource } from "../src/domain/stream/StreamCommands.ts"
import { StreamEvent } from "../src/domain/stream/StreamEvents.ts"
import { EventPlace, eventTypesOf, makeDecoder } from "./DomainEvents.ts"
import { singleStreamModel } from "./SingleStreamModel.ts"

export const LiveStreamState = Schema.Literals(["live", "ended", "finalized", "failed"])
export type LiveStreamState = typeof LiveStreamState.Type

export const StreamDocument = Schema.Struct({
  id: Schema.String,
  ownerId: Schema.String,
  source: StreamSource,
  sourceRef: Schema.NullOr(Schema.String),
  title: Schema.NullOr(Schema.String),
  state: LiveStreamState,
  chunkSizeBytes: Schema.Finite,
  bytesReceived: Schema.Finite.annotate({
    description: "bytes of the source known: acknowledged pushed bytes, or a watched file's size when its last part was stored"
  }),
  partsUploaded: Schema.Finite,
  bytesUploaded: Schema.Finite,
  lagBytes: Schema.Finite.annotate({ description: "bytesReceived - bytesUploaded: source bytes not yet stored in a part" }),
  rewrittenParts: Schema.Array(Schema.Finite).annotate({ description: "numbers of the parts uploaded again at finalization because the recorder rewrote them" }),
  lastGrowthAt: Schema.Finite.annotate({ description: "when the source last grew as far as events tell (bytes received or a part stored), or the start" }),
  startedAt: Schema.Finite,
  endedAt: Schema.NullOr(Schema.Finite),
  endReason: Schema.NullOr(EndReason),
  finalizedAt: Schema.NullOr(Schema.Finite),
  totalSize: Schema.NullOr(Schema.Finite),
  sha256: Schema.NullOr(Schema.String),
  failedAt: Schema.NullOr(Schema.Finite),
  failureReason: Schema.NullOr(FailureReason),
  failureDetail: Schema.NullOr(Schema.String),
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
      title: event.title ?? null,
      state: "live",
      chunkSizeBytes: event.chunkSizeBytes,
      bytesReceived: 0,
      partsUploaded: 0,
      bytesUploaded: 0,
      lagBytes: 0,
      rewrittenParts: [],
      lastGrowthAt: event.at,
      startedAt: event.at,
      endedAt: null,
      endReason: null,
      finalizedAt: null,
      totalSize: null,
      sha256: null,
      failedAt: null,
      failureReason: null,
      failureDetail: null,
      updatedAt: event.at,
      ...at
    }
  }
  if (current === undefined) return undefined
  const doc: StreamDoc = { ...current, updatedAt: Math.max(current.updatedAt, event.at), ...at }
  const lag = (d: StreamDoc): StreamDoc => ({ ...d, lagBytes: Math.max(0, d.bytesReceived - d.bytesUploaded) })
  switch (event._tag) {
    case "StreamMultipartStarted":
      return doc
    case "StreamBytesReceived":
      return lag({ ...doc, bytesReceived: event.offset + event.length, lastGrowthAt: event.at })
    case "StreamPartUploaded": {
      // pushed bytes are counted by StreamBytesReceived; a watched file's size is only known from its parts
      const seen = doc.source === "watch" ? Math.max(event.observedBytes, event.offset + event.size) : 0
      const received = Math.max(doc.bytesReceived, seen)
      const grew = received > doc.bytesReceived
      return lag({
        ...doc,
        partsUploaded: doc.partsUploaded + 1,
        bytesUploaded: event.offset + event.size,
        bytesReceived: received,
        lastGrowthAt: grew ? event.at : doc.lastGrowthAt
      })
    }
    case "StreamPartRewritten":
      return doc.rewrittenParts.includes(event.partNumber) ? doc : { ...doc, rewrittenParts: [...doc.rewrittenParts, event.partNumber] }
    case "StreamEnded":
      return { ...doc, state: "ended", endedAt: event.at, endReason: event.reason }
    case "StreamFinalized":
      return { ...doc, state: "finalized", finalizedAt: event.at, totalSize: event.totalSize, sha256: event.sha256, lagBytes: 0 }
    case "StreamFailed":
      return { ...doc, state: "failed", failedAt: event.at, failureReason: event.reason, failureDetail: event.detail }
  }
}

/** A stored stream event decoded with the aggregate's codec (the live feed folds with evolveStreamDoc too). */
export const decodeStreamEvent = makeDecoder(StreamAggregate.events)

export const STREAM_EVENT_TYPES = eventTypesOf(StreamEvent)

/** A stream that will not change again: its feed ends. */
export const FINISHED_STREAM_STATES: ReadonlyArray<LiveStreamState> = ["finalized", "failed"]

export const StreamsProjection = singleStreamModel({
  name: "streams",
  version: 2,
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
