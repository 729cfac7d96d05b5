/**
 * The live-stream decider: a multipart upload recorded before its parts, contiguous parts (full-size while
 * live, one smaller last part after the end), pushed bytes offset-checked, parts rewritten only after the end,
 * then finalized or failed once. Everything past the start and the end is the system's (the ingester).
 */
import { isSystem } from "../shared/ActorRoles.ts"
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { AlreadyExists, Forbidden, NotFound, NotOwner, tagOf, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import type { StreamCommand } from "./StreamCommands.ts"
import {
  BytesPending,
  MultipartConflict,
  MultipartNotStarted,
  NotPushed,
  PartAlreadyUploaded,
  PartBeyondReceived,
  PartNotFound,
  PartOutOfOrder,
  PartSizeInvalid,
  StreamAlreadyFailed,
  StreamAlreadyFinalized,
  StreamEmpty,
  type StreamError,
  StreamNotEnded,
  StreamNotLive,
  StreamOffsetMismatch,
  TailAlreadySealed
} from "./StreamErrors.ts"
import type { StreamEvent } from "./StreamEvents.ts"
import { type ActiveStream, evolveStream, initialStreamState, type StreamState, uploadedBytes } from "./StreamState.ts"

type Context = DecideContext<DomainSettings>
type StreamDecision = Decision<StreamEvent, StreamError>
type Command<Tag extends StreamCommand["_tag"]> = Extract<StreamCommand, { _tag: Tag }>

/** What only the ingester (the system) records. */
const SYSTEM_ONLY: ReadonlySet<StreamCommand["_tag"]> = new Set([
  "RecordMultipartStarted",
  "RecordStreamPart",
  "RecordPartRewritten",
  "FinalizeStream",
  "FailStream"
])

const start = (command: Command<"StartStream">, context: Context): StreamDecision =>
  accept({
    _tag: "StreamStarted",
    streamId: command.streamId,
    ownerId: context.actor.userId,
    source: command.source,
    ...(command.sourceRef === undefined ? {} : { sourceRef: command.sourceRef }),
    ...(command.title === undefined ? {} : { title: command.title }),
    chunkSizeBytes: context.settings.chunkSizeBytes,
    at: context.now
  })

const multipartStarted = (state: ActiveStream, command: Command<"RecordMultipartStarted">, context: Context): StreamDecision => {
  if (state.multipart !== null) {
    return state.multipart.uploadId === command.multipartUploadId
      ? unchanged
      : reject(new MultipartConflict({ streamId: state.streamId, multipartUploadId: state.multipart.uploadId }))
  }
  return accept({
    _tag: "StreamMultipartStarted",
    streamId: state.streamId,
    key: command.key,
    multipartUploadId: command.multipartUploadId,
    at: context.now
  })
}

const receive = (state: ActiveStream, command: Command<"ReceiveStreamBytes">, context: Context): StreamDecision => {
  if (state.source !== "push") return reject(new NotPushed({ streamId: state.streamId }))
  if (state.status !== "Live") return reject(new StreamNotLive({ streamId: state.streamId }))
  if (command.offset !== state.receivedBytes) return reject(new StreamOffsetMismatch({ expectedOffset: state.receivedBytes, offset: command.offset }))
  return accept({ _tag: "StreamBytesReceived", streamId: state.streamId, offset: command.offset, length: command.length, at: context.now })
}

/**
 * Parts are full-size while the stream is live; after it ended, the remaining bytes may form one smaller,
 * last part. The same part reported again (a retry, a restarted ingester) is a no-op.
 */
const recordPart = (state: ActiveStream, command: Command<"RecordStreamPart">, context: Context): StreamDecision => {
  if (state.multipart === null) return reject(new MultipartNotStarted({ streamId: state.streamId }))
  const existing = state.parts[command.partNumber - 1]
  if (existing !== undefined) {
    const same = existing.etag === command.etag && existing.sha256 === command.sha256 && existing.offset === command.offset &&
      existing.size === command.size
    return same ? unchanged : reject(new PartAlreadyUploaded({ partNumber: existing.partNumber, etag: existing.etag }))
  }
  const expectedPartNumber = state.parts.length + 1
  const expectedOffset = uploadedBytes(state.parts)
  if (command.partNumber !== expectedPartNumber || command.offset !== expectedOffset) {
    return reject(new PartOutOfOrder({ partNumber: command.partNumber, expectedPartNumber, offset: command.offset, expectedOffset }))
  }
  if (state.tailSealed) return reject(new TailAlreadySealed({ partNumber: expectedPartNumber - 1 }))
  const { chunkSizeBytes } = state
  if (command.size > chunkSizeBytes) {
    return reject(new PartSizeInvalid({ size: command.size, chunkSizeBytes, reason: "larger than the chunk size" }))
  }
  if (command.size < chunkSizeBytes && state.status === "Live") {
    return reject(new PartSizeInvalid({ size: command.size, chunkSizeBytes, reason: "only the last part, after the stream ended, may be smaller" }))
  }
  const end = command.offset + command.size
  if (state.source === "push" && end > state.receivedBytes) return reject(new PartBeyondReceived({ end, receivedBytes: state.receivedBytes }))
  return accept({
    _tag: "StreamPartUploaded",
    streamId: state.streamId,
    partNumber: command.partNumber,
    offset: command.offset,
    size: command.size,
    etag: command.etag,
    sha256: command.sha256,
    observedBytes: command.observedBytes,
    at: context.now
  })
}

/** Only after the end: the source is complete, and a recorder that rewrites its header on close has done so. */
const rewritePart = (state: ActiveStream, command: Command<"RecordPartRewritten">, context: Context): StreamDecision => {
  if (state.status === "Live") return reject(new StreamNotEnded({ streamId: state.streamId }))
  const part = state.parts[command.partNumber - 1]
  if (part === undefined) return reject(new PartNotFound({ partNumber: command.partNumber }))
  if (part.sha256 === command.sha256 && part.etag === command.etag) return unchanged
  return accept({
    _tag: "StreamPartRewritten",
    streamId: state.streamId,
    partNumber: part.partNumber,
    offset: part.offset,
    size: part.size,
    etag: command.etag,
    sha256: command.sha256,
    previousSha256: part.sha256,
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

const finalize = (state: ActiveStream, command: Command<"FinalizeStream">, context: Context): StreamDecision => {
  if (state.status === "Live") return reject(new StreamNotEnded({ streamId: state.streamId }))
  if (state.multipart === null || state.parts.length === 0) return reject(new StreamEmpty({ streamId: state.streamId }))
  const total = uploadedBytes(state.parts)
  if (state.source === "push" && total < state.receivedBytes) {
    return reject(new BytesPending({ uploadedBytes: total, receivedBytes: state.receivedBytes }))
  }
  return accept({
    _tag: "StreamFinalized",
    streamId: state.streamId,
    totalSize: total,
    chunkCount: state.parts.length,
    parts: state.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag, size: p.size, sha256: p.sha256 })),
    rewrittenParts: [...state.rewritten].sort((a, b) => a - b),
    sha256: command.sha256,
    at: context.now
  })
}

const fail = (state: ActiveStream, command: Command<"FailStream">, context: Context): StreamDecision =>
  accept({
    _tag: "StreamFailed",
    streamId: state.streamId,
    reason: command.reason,
    detail: command.detail,
    uploadedBytes: uploadedBytes(state.parts),
    at: context.now
  })

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
  if (SYSTEM_ONLY.has(command._tag) && !isSystem(context.actor)) {
    return reject(new Forbidden({ action: `record ${command._tag} on a stream`, allowed: "the system (the ingester)" }))
  }
  if (state.status === "Finalized") return reject(new StreamAlreadyFinalized({ streamId: state.streamId }))
  if (state.status === "Failed") {
    return command._tag === "FailStream" ? unchanged : reject(new StreamAlreadyFailed({ streamId: state.streamId, detail: state.detail }))
  }
  switch (command._tag) {
    case "RecordMultipartStarted":
      return multipartStarted(state, command, context)
    case "ReceiveStreamBytes":
      return receive(state, command, context)
    case "RecordStreamPart":
      return recordPart(state, command, context)
    case "RecordPartRewritten":
      return rewritePart(state, command, context)
    case "EndStream":
      return end(state, command, context)
    case "FinalizeStream":
      return finalize(state, command, context)
    case "FailStream":
      return fail(state, command, context)
    default:
      return reject(new UnknownCommand({ category: "stream", command: tagOf(command) }))
  }
}

export const StreamDecider: Decider<StreamState, StreamCommand, StreamEvent, StreamError, DomainSettings> = {
  initialState: initialStreamState,
  decide: decideStream,
  evolve: evolveStream
}
