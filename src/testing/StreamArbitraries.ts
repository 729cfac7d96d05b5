/** Arbitraries for the live-stream aggregate, derived from its schemas. */
import * as fc from "fast-check"
import type { Principal } from "../domain/shared/Decider.ts"
import type { DomainSettings } from "../domain/shared/DomainSettings.ts"
import { StreamCommand } from "../domain/stream/StreamCommands.ts"
import { StreamEvent } from "../domain/stream/StreamEvents.ts"
import type { StreamState } from "../domain/stream/StreamState.ts"
import { oneIn, pick, weighted } from "./Pools.ts"
import { byTag, fromSchema } from "./SchemaArbitrary.ts"
import { T0 } from "./TestContext.ts"

const streams = ["live-1", "live-1", "live-1", "live-1", "live-1", "live-1", "live-1", "live-2"] as const
const etags = ["etag-a", "etag-b", "etag-c"] as const

/** Ids into small pools; sizes onto the scale of `smallDomainSettings` (10-byte chunks). */
const intoPools = (command: StreamCommand): StreamCommand => {
  const streamId = pick(streams, command.streamId)
  switch (command._tag) {
    case "SealChunk":
      return { ...command, streamId, index: command.index % 6, size: 1 + (command.size % 12) }
    case "RecordChunkUploaded":
      return {
        ...command,
        streamId,
        index: command.index % 6,
        partNumber: 1 + (command.partNumber % 7),
        etag: pick(etags, command.etag),
        size: 1 + (command.size % 12)
      }
    default:
      return { ...command, streamId }
  }
}

/** Seals mostly take the next index and a full chunk; uploads mostly report a sealed, pending chunk faithfully. */
const fit = (command: StreamCommand, state: StreamState): StreamCommand => {
  if (state.status !== "Live" && state.status !== "Ended") return command
  if (command._tag === "SealChunk" && !oneIn(5, command.index + 1)) {
    const last = state.status === "Ended" && oneIn(3, command.size)
    return { ...command, index: state.chunks.length, size: last ? 1 + (command.size % state.chunkSizeBytes) : state.chunkSizeBytes }
  }
  if (command._tag === "RecordChunkUploaded" && !oneIn(5, command.index + 1)) {
    const pending = state.chunks.filter((c) => c.etag === null)
    const chunk = pending.length > 0 ? pick(pending, command.etag) : state.chunks.at(-1)
    if (chunk === undefined) return command
    return oneIn(7, command.partNumber)
      ? { ...command, index: chunk.index }
      : { ...command, index: chunk.index, partNumber: chunk.index + 1, size: chunk.size }
  }
  return command
}

/** Alice and bob stand for the owner; the others stay themselves. */
const actorFor = (_command: StreamCommand, state: StreamState, drawn: Principal): Principal =>
  (drawn.userId === "alice" || drawn.userId === "bob") && state.status !== "Idle" ? { userId: state.ownerId, roles: ["user"] } : drawn

const commands = byTag(StreamCommand)

/** A `StreamStarted` for live-1 owned by alice at `T0`, with the settings' chunk size. */
const started = (settings: DomainSettings) =>
  byTag(StreamEvent).StreamStarted.map((event): StreamEvent => ({
    ...event,
    streamId: "live-1",
    ownerId: "alice",
    chunkSizeBytes: settings.chunkSizeBytes,
    at: T0
  }))

export const streamArbitraries = {
  /** Any valid stream command. */
  command: fromSchema(StreamCommand) as fc.Arbitrary<StreamCommand>,
  /** Any valid stream event. */
  event: fromSchema(StreamEvent) as fc.Arbitrary<StreamEvent>,
  commands,
  events: byTag(StreamEvent),
  /** Commands on one or two streams, weighted toward sealing and uploading chunks. */
  interacting: weighted(commands, { StartStream: 1, SealChunk: 6, RecordChunkUploaded: 6, EndStream: 1, FinalizeStream: 2 }).map(intoPools),
  /** Where sequences start under `settings`: mostly from a started stream, sometimes from nothing. */
  given: (settings: DomainSettings): fc.Arbitrary<ReadonlyArray<StreamEvent>> =>
    fc.oneof(
      { arbitrary: fc.constant<ReadonlyArray<StreamEvent>>([]), weight: 1 },
      { arbitrary: started(settings).map((event) => [event]), weight: 3 }
    ),
  fit,
  actorFor
}
