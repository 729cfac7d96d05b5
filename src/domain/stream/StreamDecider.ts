/** The live-stream decider: contiguous chunks, each uploaded once, ended, then finalized once. */
import { isSystem } from "../shared/ActorRoles.ts"
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { AlreadyExists, Forbidden, NotFound, NotOwner, tagOf, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import type { StreamCommand } from "./StreamCommands.ts"
import {
  ChunkAlreadyUploaded,
  ChunkMismatch,
  ChunkNotSealed,
  ChunkOutOfOrder,
  ChunksPending,
  ChunkSizeInvalid,
  StreamAlreadyFinalized,
  StreamEmpty,
  type StreamError,
  StreamNotEnded,
  TailAlreadySealed
} from "./StreamErrors.ts"
import type { StreamEvent } from "./StreamEvents.ts"
import { type ActiveStream, evolveStream, initialStreamState, sealedBytes, type StreamState } from "./StreamState.ts"

type Context = DecideContext<DomainSettings>
type StreamDecision = Decision<StreamEvent, StreamError>
type Command<Tag extends StreamCommand["_tag"]> = Extract<StreamCommand, { _tag: Tag }>

const start = (command: Command<"StartStream">, context: Context): StreamDecision =>
  accept({
    _tag: "StreamStarted",
    streamId: command.streamId,
    ownerId: context.actor.userId,
    source: command.source,
    ...(command.sourceRef === undefined ? {} : { sourceRef: command.sourceRef }),
    chunkSizeBytes: context.settings.chunkSizeBytes,
    at: context.now
  })

/**
 * Chunks are full-size while the stream is live; after it ended, the remaining bytes may form
 * one smaller, last chunk. Sealing an already sealed chunk again with the same size is a no-op
 * (a restarted watcher re-sealing its last chunk).
 */
const seal = (state: ActiveStream, command: Command<"SealChunk">, context: Context): StreamDecision => {
  const existing = state.chunks[command.index]
  if (existing !== undefined && existing.size === command.size) return unchanged
  const expectedIndex = state.chunks.length
  if (command.index !== expectedIndex) return reject(new ChunkOutOfOrder({ index: command.index, expectedIndex }))
  if (state.tailSealed) return reject(new TailAlreadySealed({ index: expectedIndex - 1 }))
  const { chunkSizeBytes } = state
  if (command.size > chunkSizeBytes) {
    return reject(new ChunkSizeInvalid({ size: command.size, chunkSizeBytes, reason: "larger than the chunk size" }))
  }
  if (command.size < chunkSizeBytes && state.status === "Live") {
    return reject(new ChunkSizeInvalid({ size: command.size, chunkSizeBytes, reason: "only the last chunk, after the stream ended, may be smaller" }))
  }
  return accept({
    _tag: "ChunkSealed",
    streamId: state.streamId,
    index: command.index,
    offset: sealedBytes(state.chunks),
    size: command.size,
    at: context.now
  })
}

/** A repeated report of the same upload (same etag) is a no-op; another etag for an uploaded chunk is rejected. */
const recordUploaded = (state: ActiveStream, command: Command<"RecordChunkUploaded">, context: Context): StreamDecision => {
  const chunk = state.chunks[command.index]
  if (chunk === undefined) return reject(new ChunkNotSealed({ index: command.index }))
  if (chunk.etag !== null) {
    return chunk.etag === command.etag ? unchanged : reject(new ChunkAlreadyUploaded({ index: chunk.index, etag: chunk.etag }))
  }
  if (command.partNumber !== chunk.index + 1) {
    return reject(new ChunkMismatch({ index: chunk.index, detail: `part number must be ${chunk.index + 1}, not ${command.partNumber}` }))
  }
  if (command.size !== chunk.size) {
    return reject(new ChunkMismatch({ index: chunk.index, detail: `size ${command.size} differs from the sealed ${chunk.size}` }))
  }
  return accept({
    _tag: "ChunkUploaded",
    streamId: state.streamId,
    index: chunk.index,
    partNumber: command.partNumber,
    etag: command.etag,
    size: command.size,
    at: context.now
  })
}

const end = (state: ActiveStream, command: Command<"EndStream">, context: Context): StreamDecision => {
  if (command.reason === "timeout" && !isSystem(context.actor)) {
    return reject(new Forbidden({ action: "end a stream for inactivity", allowed: "the system" }))
  }
  if (state.status === "Ended") return unchanged
  return accept({ _tag: "StreamEnded", streamId: state.streamId, reason: command.reason, at: context.now })
}

const finalize = (state: ActiveStream, context: Context): StreamDecision => {
  if (state.status === "Live") return reject(new StreamNotEnded({ streamId: state.streamId }))
  if (state.chunks.length === 0) return reject(new StreamEmpty({ streamId: state.streamId }))
  const pending = state.chunks.filter((c) => c.etag === null).map((c) => c.index)
  if (pending.length > 0) return reject(new ChunksPending({ indexes: pending }))
  return accept({
    _tag: "StreamFinalized",
    streamId: state.streamId,
    totalSize: sealedBytes(state.chunks),
    chunkCount: state.chunks.length,
    parts: state.chunks.map((c) => ({ partNumber: c.partNumber ?? c.index + 1, etag: c.etag ?? "" })),
    at: context.now
  })
}

export const decideStream = (command: StreamCommand, state: StreamState, context: Context): StreamDecision => {
  if (state.status === "Idle") {
    return command._tag === "StartStream"
      ? start(command, context)
      : reject(new NotFound({ category: "stream", id: command.streamId }))
  }
  if (command.streamId !== state.streamId) {
    return reject(new WrongAggregate({ category: "stream", expectedId: state.streamId, commandId: command.streamId }))
  }
  if (command._tag === "StartStream") return reject(new AlreadyExists({ category: "stream", id: state.streamId }))
  if (context.actor.userId !== state.ownerId && !isSystem(context.actor)) {
    return reject(new NotOwner({ category: "stream", id: state.streamId, action: "feed or end it (or the system)" }))
  }
  if (state.status === "Finalized") return reject(new StreamAlreadyFinalized({ streamId: state.streamId }))
  switch (command._tag) {
    case "SealChunk":
      return seal(state, command, context)
    case "RecordChunkUploaded":
      return recordUploaded(state, command, context)
    case "EndStream":
      return end(state, command, context)
    case "FinalizeStream":
      return finalize(state, context)
    default:
      return reject(new UnknownCommand({ category: "stream", command: tagOf(command) }))
  }
}

export const StreamDecider: Decider<StreamState, StreamCommand, StreamEvent, StreamError, DomainSettings> = {
  initialState: initialStreamState,
  decide: decideStream,
  evolve: evolveStream
}
