/** Arbitraries for the upload aggregate, derived from its schemas. */
import * as fc from "fast-check"
import type { Principal } from "../domain/shared/Decider.ts"
import type { DomainSettings } from "../domain/shared/DomainSettings.ts"
import { type ProcessingStep, UploadCommand } from "../domain/upload/UploadCommands.ts"
import { UploadEvent } from "../domain/upload/UploadEvents.ts"
import { progressOf, type UploadState } from "../domain/upload/UploadState.ts"
import { oneIn, pick, weighted } from "./Pools.ts"
import { byTag, fromSchema } from "./SchemaArbitrary.ts"
import { T0 } from "./TestContext.ts"

const uploads = ["up-1", "up-1", "up-1", "up-1", "up-1", "up-1", "up-1", "up-1", "up-1", "up-2"] as const
const workers = ["w-1", "w-2"] as const
const multipartUploads = ["mp-1", "mp-1", "mp-1", "mp-2"] as const
const etags = ["\"e1\"", "\"e2\""] as const
const extensions = ["mp4", "mp4", "mp4", "MOV", "webm", "mkv", "avi", "txt", ""] as const

/** Ids into small pools; sizes onto the scale of `smallDomainSettings` (100-byte files). */
const intoPools = (command: UploadCommand): UploadCommand => {
  const uploadId = pick(uploads, command.uploadId)
  switch (command._tag) {
    case "CreateUpload": {
      // Mostly a usable name; sometimes the raw generated one (the sanitizer's own tests cover names).
      const stem = oneIn(5, command.filename) ? command.filename : `clip ${command.filename}`
      const extension = pick(extensions, command.filename)
      return {
        ...command,
        uploadId,
        filename: extension === "" ? stem : `${stem}.${extension}`,
        declaredSize: 1 + (command.declaredSize % 120)
      }
    }
    case "AdoptStreamOriginal":
      // A stream's original: mostly a usable title, sizes on the settings' scale, owners alice or bob.
      return {
        ...command,
        uploadId,
        ownerId: pick(["alice", "alice", "bob"], command.ownerId),
        title: oneIn(5, command.title) ? command.title : `live ${command.title}`,
        size: 1 + (command.size % 120)
      }
    case "AppendBytes":
      return { ...command, uploadId, offset: (command.offset % 11) * 10, length: command.length % 45 }
    case "ClaimStep":
      return {
        ...command,
        uploadId,
        workerId: pick(workers, command.workerId),
        ...(command.leaseMs === undefined ? {} : { leaseMs: 1 + (command.leaseMs % 600_000) })
      }
    case "CompleteStep":
    case "FailStep":
    case "RecordMilestone":
      return { ...command, uploadId, workerId: pick(workers, command.workerId), attempt: 1 + (command.attempt % 4) }
    case "RecordChunk":
      return {
        ...command,
        uploadId,
        workerId: pick(workers, command.workerId),
        attempt: 1 + (command.attempt % 4),
        multipartUploadId: pick(multipartUploads, command.multipartUploadId),
        partNumber: 1 + (command.partNumber % 4),
        etag: pick(etags, command.etag)
      }
    case "CancelUpload":
    case "FailUpload":
    case "ExpireUpload":
      return { ...command, uploadId }
  }
}

const commands = byTag(UploadCommand)

/**
 * Appends mostly continue at the received offset and stay within the declared size; steps
 * mostly name the current step, and completions or failures mostly come from the lease holder.
 */
const fit = (command: UploadCommand, state: UploadState): UploadCommand => {
  if (state.status === "Initial") return command
  switch (command._tag) {
    case "AppendBytes": {
      if (state.status !== "Created" && state.status !== "Receiving") return command
      const offset = oneIn(5, command.offset + 1) ? command.offset : state.receivedBytes
      const remaining = state.declaredSize - offset
      const length = oneIn(6, command.length + 1) || remaining <= 0 ? command.length : 1 + (command.length % remaining)
      return { ...command, offset, length }
    }
    case "ClaimStep": {
      const progress = progressOf(state)
      return progress === undefined || oneIn(5, command.workerId + command.step) ? command : { ...command, step: progress.step }
    }
    case "CompleteStep":
    case "FailStep":
    case "RecordMilestone": {
      const progress = progressOf(state)
      if (progress === undefined || oneIn(5, command.attempt + command.workerId)) return command
      const step: ProcessingStep = progress.step
      return progress.lease === null
        ? { ...command, step }
        : { ...command, step, workerId: progress.lease.workerId, attempt: progress.lease.attempt }
    }
    case "RecordChunk": {
      // Mostly the lease holder's next part.
      const progress = progressOf(state)
      if (progress === undefined || progress.lease === null || oneIn(5, command.attempt + command.workerId)) return command
      const next = (progress.chunks?.parts.length ?? 0) + 1
      return {
        ...command,
        workerId: progress.lease.workerId,
        attempt: progress.lease.attempt,
        multipartUploadId: progress.chunks?.multipartUploadId ?? command.multipartUploadId,
        partNumber: oneIn(4, command.partNumber) ? command.partNumber : next
      }
    }
    default:
      return command
  }
}

const PROCESSING = ["AdoptStreamOriginal", "ClaimStep", "CompleteStep", "FailStep", "RecordChunk", "RecordMilestone", "ExpireUpload"]

/** Alice and bob stand for the right sender: the owner for bytes and cancels, the system for processing. */
const actorFor = (command: UploadCommand, state: UploadState, drawn: Principal): Principal => {
  if (drawn.userId !== "alice" && drawn.userId !== "bob") return drawn
  if (PROCESSING.includes(command._tag)) return { userId: "system", roles: ["system"] }
  return state.status === "Initial" ? drawn : { userId: state.ownerId, roles: ["user"] }
}

/** An `UploadCreated` for up-1, owned by alice, of 1 to 100 bytes (within the settings' maximum), at `T0`. */
const created = (settings: DomainSettings) =>
  byTag(UploadEvent).UploadCreated.map((event): UploadEvent => ({
    ...event,
    uploadId: "up-1",
    ownerId: "alice",
    container: "mp4",
    declaredSize: 1 + (event.declaredSize % Math.min(100, settings.maxFileSizeBytes)),
    at: T0
  }))

/** A stream's original of 1 to 100 bytes adopted as up-1 for alice, at `T0`: it starts at the transcode step. */
const adopted = (settings: DomainSettings) =>
  byTag(UploadEvent).UploadAdoptedFromStream.map((event): UploadEvent => ({
    ...event,
    uploadId: "up-1",
    ownerId: "alice",
    container: "mp4",
    contentType: "video/mp4",
    size: 1 + (event.size % Math.min(100, settings.maxFileSizeBytes)),
    at: T0
  }))

/** The created upload with all its bytes received in one append. */
const receivedWhole = (created: UploadEvent): ReadonlyArray<UploadEvent> => {
  if (created._tag !== "UploadCreated") return [created]
  const { uploadId, declaredSize: size, at } = created
  return [
    created,
    { _tag: "BytesReceived", uploadId, offset: 0, length: size, receivedBytes: size, at },
    { _tag: "UploadReceived", uploadId, size, at }
  ]
}

export const uploadArbitraries = {
  /** Any valid upload command. */
  command: fromSchema(UploadCommand) as fc.Arbitrary<UploadCommand>,
  /** Any valid upload event (at its current schema version). */
  event: fromSchema(UploadEvent) as fc.Arbitrary<UploadEvent>,
  commands,
  events: byTag(UploadEvent),
  /** Commands whose ids and sizes fall into small pools, weighted toward the main path. */
  interacting: weighted(commands, {
    CreateUpload: 2,
    AdoptStreamOriginal: 1,
    AppendBytes: 12,
    ClaimStep: 8,
    CompleteStep: 8,
    FailStep: 2,
    RecordChunk: 6,
    RecordMilestone: 1,
    CancelUpload: 1,
    FailUpload: 1,
    ExpireUpload: 1
  }).map(intoPools),
  /** Where sequences start under `settings`: from a created or fully received upload, or an adopted stream original, sometimes from nothing. */
  given: (settings: DomainSettings): fc.Arbitrary<ReadonlyArray<UploadEvent>> =>
    fc.oneof(
      { arbitrary: fc.constant<ReadonlyArray<UploadEvent>>([]), weight: 1 },
      { arbitrary: created(settings).map((event) => [event]), weight: 3 },
      { arbitrary: created(settings).map(receivedWhole), weight: 2 },
      { arbitrary: adopted(settings).map((event) => [event]), weight: 1 }
    ),
  fit,
  actorFor
}
