/** The upload decider: creation, resumable bytes, processing steps, and the ways an upload ends. */
import { hasRole, isSystem } from "../shared/ActorRoles.ts"
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { AlreadyExists, Forbidden, NotFound, NotOwner, tagOf, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { extensionOf, sanitizeFilename } from "./Filename.ts"
import type { UploadCommand } from "./UploadCommands.ts"
import {
  FileTooLarge,
  InvalidFilename,
  InvalidUploadState,
  OffsetMismatch,
  UnsupportedFormat,
  type UploadError,
  UploadNotExpired,
  UploadSizeExceeded,
  UploadTerminal
} from "./UploadErrors.ts"
import type { UploadEvent } from "./UploadEvents.ts"
import { claimStep, completeStep, failStep, recordChunk, recordMilestone } from "./UploadProcessing.ts"
import { evolveUpload, type ExistingUpload, initialUploadState, isTerminal, type UploadState } from "./UploadState.ts"

type Context = DecideContext<DomainSettings>
type UploadDecision = Decision<UploadEvent, UploadError>
type Command<Tag extends UploadCommand["_tag"]> = Extract<UploadCommand, { _tag: Tag }>

const HOUR = 3_600_000
const STREAM_CONTAINER = "mp4"

const create = (command: Command<"CreateUpload">, context: Context): UploadDecision => {
  const filename = sanitizeFilename(command.filename)
  if (filename === "") return reject(new InvalidFilename({}))
  const { maxFileSizeBytes, acceptedVideoFormats } = context.settings
  if (command.declaredSize > maxFileSizeBytes) {
    return reject(new FileTooLarge({ declaredSize: command.declaredSize, maxFileSizeBytes }))
  }
  const container = extensionOf(filename)?.toLowerCase() ?? ""
  if (!acceptedVideoFormats.includes(container)) {
    return reject(new UnsupportedFormat({ container, accepted: [...acceptedVideoFormats] }))
  }
  return accept({
    _tag: "UploadCreated",
    uploadId: command.uploadId,
    ownerId: context.actor.userId,
    filename,
    container,
    declaredSize: command.declaredSize,
    contentType: command.contentType.toLowerCase(),
    at: context.now
  })
}

/**
 * The system's adoption of a finalized live stream's original (sealed already): an upload at the transcode
 * step, under the same rules of name, container and size as a created one. Streams are MP4.
 */
const adopt = (command: Command<"AdoptStreamOriginal">, context: Context): UploadDecision => {
  if (!isSystem(context.actor)) return reject(new Forbidden({ action: "adopt a stream's original", allowed: "the system" }))
  const filename = sanitizeFilename(command.title)
  if (filename === "") return reject(new InvalidFilename({}))
  const { maxFileSizeBytes, acceptedVideoFormats } = context.settings
  if (command.size > maxFileSizeBytes) return reject(new FileTooLarge({ declaredSize: command.size, maxFileSizeBytes }))
  if (!acceptedVideoFormats.includes(STREAM_CONTAINER)) {
    return reject(new UnsupportedFormat({ container: STREAM_CONTAINER, accepted: [...acceptedVideoFormats] }))
  }
  return accept({
    _tag: "UploadAdoptedFromStream",
    uploadId: command.uploadId,
    ownerId: command.ownerId,
    filename,
    container: STREAM_CONTAINER,
    contentType: "video/mp4",
    size: command.size,
    sha256: command.sha256,
    at: context.now
  })
}

/** Adopting the same original again changes nothing; anything else under an existing id is a clash. */
const adoptAgain = (state: ExistingUpload, command: Command<"AdoptStreamOriginal">): UploadDecision =>
  state.source === "stream" && state.ownerId === command.ownerId && state.declaredSize === command.size
    ? unchanged
    : reject(new AlreadyExists({ category: "upload", id: state.uploadId }))

/** Bytes received so far; all of them once the upload was received. */
const receivedBytesOf = (state: ExistingUpload): number =>
  state.status === "Created" || state.status === "Receiving" ? state.receivedBytes : state.declaredSize

const append = (state: ExistingUpload, command: Command<"AppendBytes">, context: Context): UploadDecision => {
  if (context.actor.userId !== state.ownerId) {
    return reject(new NotOwner({ category: "upload", id: state.uploadId, action: "send its bytes" }))
  }
  const received = receivedBytesOf(state)
  if (command.offset !== received) return reject(new OffsetMismatch({ expectedOffset: received, offset: command.offset }))
  const end = command.offset + command.length
  if (end > state.declaredSize) return reject(new UploadSizeExceeded({ declaredSize: state.declaredSize, end }))
  if (command.length === 0) return unchanged
  const bytes: UploadEvent = {
    _tag: "BytesReceived",
    uploadId: state.uploadId,
    offset: command.offset,
    length: command.length,
    receivedBytes: end,
    ...(command.checksum === undefined ? {} : { checksum: command.checksum }),
    at: context.now
  }
  return end === state.declaredSize
    ? accept<UploadEvent>(bytes, { _tag: "UploadReceived", uploadId: state.uploadId, size: end, at: context.now })
    : accept(bytes)
}

const cancel = (state: ExistingUpload, command: Command<"CancelUpload">, context: Context): UploadDecision => {
  if (context.actor.userId !== state.ownerId && !hasRole(context.actor, "admin")) {
    return reject(new NotOwner({ category: "upload", id: state.uploadId, action: "cancel it (or an admin)" }))
  }
  return accept({
    _tag: "UploadCancelled",
    uploadId: state.uploadId,
    cancelledBy: context.actor.userId,
    ...(command.reason === undefined ? {} : { reason: command.reason }),
    at: context.now
  })
}

const fail = (state: ExistingUpload, command: Command<"FailUpload">, context: Context): UploadDecision => {
  if (!hasRole(context.actor, "system", "admin")) {
    return reject(new Forbidden({ action: "fail an upload", allowed: "the system and admins" }))
  }
  return accept({ _tag: "UploadFailed", uploadId: state.uploadId, reason: command.reason, at: context.now })
}

const expire = (state: ExistingUpload, context: Context): UploadDecision => {
  if (!isSystem(context.actor)) return reject(new Forbidden({ action: "expire an upload", allowed: "the system" }))
  if (state.status !== "Created" && state.status !== "Receiving") {
    return reject(new InvalidUploadState({ uploadId: state.uploadId, status: state.status, action: "expire it" }))
  }
  const expiresAt = state.lastProgressAt + context.settings.uploadExpiryHours * HOUR
  if (context.now < expiresAt) return reject(new UploadNotExpired({ uploadId: state.uploadId, expiresAt }))
  return accept({ _tag: "UploadExpired", uploadId: state.uploadId, idleSince: state.lastProgressAt, at: context.now })
}

const PROCESSING_COMMANDS: ReadonlyArray<UploadCommand["_tag"]> = ["ClaimStep", "CompleteStep", "FailStep", "RecordChunk", "RecordMilestone"]

export const decideUpload = (command: UploadCommand, state: UploadState, context: Context): UploadDecision => {
  if (state.status === "Initial") {
    return command._tag === "CreateUpload"
      ? create(command, context)
      : command._tag === "AdoptStreamOriginal"
      ? adopt(command, context)
      : reject(new NotFound({ category: "upload", id: command.uploadId }))
  }
  if (command.uploadId !== state.uploadId) {
    return reject(new WrongAggregate({ category: "upload", expectedId: state.uploadId, commandId: command.uploadId }))
  }
  if (command._tag === "CreateUpload") return reject(new AlreadyExists({ category: "upload", id: state.uploadId }))
  if (command._tag === "AdoptStreamOriginal") return adoptAgain(state, command)
  if (PROCESSING_COMMANDS.includes(command._tag) && !isSystem(context.actor)) {
    return reject(new Forbidden({ action: "drive processing", allowed: "the system" }))
  }
  if (isTerminal(state)) return reject(new UploadTerminal({ uploadId: state.uploadId, status: state.status }))
  switch (command._tag) {
    case "AppendBytes":
      return append(state, command, context)
    case "ClaimStep":
      return claimStep(state, command, context)
    case "CompleteStep":
      return completeStep(state, command, context)
    case "FailStep":
      return failStep(state, command, context)
    case "RecordChunk":
      return recordChunk(state, command, context)
    case "RecordMilestone":
      return recordMilestone(state, command, context)
    case "CancelUpload":
      return cancel(state, command, context)
    case "FailUpload":
      return fail(state, command, context)
    case "ExpireUpload":
      return expire(state, context)
    default:
      return reject(new UnknownCommand({ category: "upload", command: tagOf(command) }))
  }
}

export const UploadDecider: Decider<UploadState, UploadCommand, UploadEvent, UploadError, DomainSettings> = {
  initialState: initialUploadState,
  decide: decideUpload,
  evolve: evolveUpload
}
