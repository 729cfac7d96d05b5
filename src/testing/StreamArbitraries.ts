/** Arbitraries for the live-stream aggregate, derived from its schemas. */
import * as fc from "fast-check"
import type { Principal } from "../domain/shared/Decider.ts"
import type { DomainSettings } from "../domain/shared/DomainSettings.ts"
import { StreamCommand } from "../domain/stream/StreamCommands.ts"
import { StreamEvent } from "../domain/stream/StreamEvents.ts"
import { type StreamState, uploadedBytes } from "../domain/stream/StreamState.ts"
import { oneIn, pick, weighted } from "./Pools.ts"
import { byTag, fromSchema } from "./SchemaArbitrary.ts"
import { T0, testActors } from "./TestContext.ts"

const streams = ["live-1", "live-1", "live-1", "live-1", "live-1", "live-1", "live-1", "live-2"] as const
const etags = ["etag-a", "etag-b", "etag-c"] as const
const digests = ["a".repeat(64), "b".repeat(64), "c".repeat(64)] as const
const multiparts = ["mp-1", "mp-1", "mp-1", "mp-2"] as const

/** Ids into small pools; sizes and offsets onto the scale of `smallDomainSettings` (10-byte chunks). */
const intoPools = (command: StreamCommand): StreamCommand => {
  const streamId = pick(streams, command.streamId)
  switch (command._tag) {
    case "RecordMultipartStarted":
      return { ...command, streamId, multipartUploadId: pick(multiparts, command.multipartUploadId) }
    case "ReceiveStreamBytes":
      return { ...command, streamId, offset: command.offset % 60, length: 1 + (command.length % 25) }
    case "RecordStreamPart":
      return {
        ...command,
        streamId,
        partNumber: 1 + (command.partNumber % 7),
        offset: command.offset % 60,
        size: 1 + (command.size % 12),
        etag: pick(etags, command.etag),
        sha256: pick(digests, command.sha256),
        observedBytes: command.observedBytes % 80
      }
    case "RecordPartRewritten":
      return { ...command, streamId, partNumber: 1 + (command.partNumber % 7), etag: pick(etags, command.etag), sha256: pick(digests, command.sha256) }
    default:
      return { ...command, streamId }
  }
}

/** Parts mostly come next, at the right offset, full-size while live (within the received bytes when pushed); pushes mostly at the end. */
const fit = (command: StreamCommand, state: StreamState): StreamCommand => {
  if (state.status !== "Live" && state.status !== "Ended") return command
  const next = uploadedBytes(state.parts)
  if (command._tag === "RecordStreamPart" && !oneIn(5, command.offset + 1)) {
    const left = state.source === "push" ? state.receivedBytes - next : state.chunkSizeBytes
    const last = state.status === "Ended" && oneIn(3, command.size)
    const size = last ? 1 + (command.size % state.chunkSizeBytes) : state.chunkSizeBytes
    return { ...command, partNumber: state.parts.length + 1, offset: next, size: left > 0 && last ? Math.min(size, left) : size }
  }
  if (command._tag === "ReceiveStreamBytes" && !oneIn(5, command.offset + 1)) return { ...command, offset: state.receivedBytes }
  if (command._tag === "RecordPartRewritten" && state.parts.length > 0 && !oneIn(4, command.partNumber)) {
    return { ...command, partNumber: pick(state.parts, command.etag).partNumber }
  }
  return command
}

const SYSTEM_ONLY = new Set(["RecordMultipartStarted", "RecordStreamPart", "RecordPartRewritten", "FinalizeStream", "FailStream"])

/** The ingester's commands mostly come from the system; alice and bob otherwise stand for the owner. */
const actorFor = (command: StreamCommand, state: StreamState, drawn: Principal): Principal => {
  if (SYSTEM_ONLY.has(command._tag) && drawn.userId !== "dave") return testActors.system
  return (drawn.userId === "alice" || drawn.userId === "bob") && state.status !== "Idle" ? { userId: state.ownerId, roles: ["user"] } : drawn
}

const commands = byTag(StreamCommand)

/** A `StreamStarted` for live-1 owned by alice at `T0`, with the settings' chunk size, and often its multipart upload. */
const started = (settings: DomainSettings) =>
  fc.tuple(byTag(StreamEvent).StreamStarted, fc.boolean()).map(([event, withMultipart]): ReadonlyArray<StreamEvent> => [
    { ...event, streamId: "live-1", ownerId: "alice", chunkSizeBytes: settings.chunkSizeBytes, at: T0 },
    ...(withMultipart
      ? [{ _tag: "StreamMultipartStarted" as const, streamId: "live-1", key: "originals/live-1", multipartUploadId: "mp-1", at: T0 }]
      : [])
  ])

export const streamArbitraries = {
  /** Any valid stream command. */
  command: fromSchema(StreamCommand) as fc.Arbitrary<StreamCommand>,
  /** Any valid stream event. */
  event: fromSchema(StreamEvent) as fc.Arbitrary<StreamEvent>,
  commands,
  events: byTag(StreamEvent),
  /** Commands on one or two streams, weighted toward pushing bytes and recording parts. */
  interacting: weighted(commands, {
    StartStream: 1,
    RecordMultipartStarted: 1,
    ReceiveStreamBytes: 4,
    RecordStreamPart: 8,
    RecordPartRewritten: 2,
    EndStream: 1,
    FinalizeStream: 2,
    FailStream: 1
  }).map(intoPools),
  /** Where sequences start under `settings`: mostly from a started stream, sometimes from nothing. */
  given: (settings: DomainSettings): fc.Arbitrary<ReadonlyArray<StreamEvent>> =>
    fc.oneof(
      { arbitrary: fc.constant<ReadonlyArray<StreamEvent>>([]), weight: 1 },
      { arbitrary: started(settings), weight: 3 }
    ),
  fit,
  actorFor
}
