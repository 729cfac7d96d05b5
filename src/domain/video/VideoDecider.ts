/** The video decider: created once by the system, then edited, published and deleted by its owner (or an admin); taken down by admins. */
import { isAdmin, isSystem } from "../shared/ActorRoles.ts"
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { boundedText } from "../shared/BoundedText.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { Forbidden, NotFound, NotOwner, tagOf, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, type VideoCommand } from "./VideoCommands.ts"
import { VideoOriginsInvalid, VideoTextInvalid, type VideoError } from "./VideoErrors.ts"
import type { VideoEvent } from "./VideoEvents.ts"
import { normalizeOrigins, sameOrigins } from "./VideoOrigins.ts"
import { type ActiveVideo, evolveVideo, initialVideoState, type VideoState, visibleToOthers } from "./VideoState.ts"

type Context = DecideContext<DomainSettings>
type VideoDecision = Decision<VideoEvent, VideoError>
type Command<Tag extends VideoCommand["_tag"]> = Extract<VideoCommand, { _tag: Tag }>

/** A filename's title: without its extension, cut to the longest title; "Untitled" when nothing is left. */
export const titleFromFilename = (filename: string): string => {
  const dot = filename.lastIndexOf(".")
  const base = (dot > 0 ? filename.slice(0, dot) : filename).trim()
  return base === "" ? "Untitled" : Array.from(base).slice(0, MAX_TITLE_LENGTH).join("").trim()
}

const create = (command: Command<"CreateVideo">, context: Context): VideoDecision => {
  return accept({
    _tag: "VideoCreated",
    videoId: command.videoId,
    ownerId: command.ownerId,
    title: titleFromFilename(command.title),
    source: command.source,
    visibility: context.settings.defaultVisibility,
    // published from the start: DEFAULT_VISIBILITY (private unless configured) is what keeps a new video to its owner
    published: true,
    at: context.now
  })
}

const edit = (state: ActiveVideo, command: Command<"EditVideo">, context: Context): VideoDecision => {
  let title: string | undefined
  let description: string | undefined
  if (command.title !== undefined) {
    const checked = boundedText(command.title, 1, MAX_TITLE_LENGTH)
    if ("problem" in checked) return reject(new VideoTextInvalid({ field: "title", reason: checked.problem }))
    if (checked.text !== state.title) title = checked.text
  }
  if (command.description !== undefined) {
    const checked = boundedText(command.description, 0, MAX_DESCRIPTION_LENGTH)
    if ("problem" in checked) return reject(new VideoTextInvalid({ field: "description", reason: checked.problem }))
    if (checked.text !== state.description) description = checked.text
  }
  if (title === undefined && description === undefined) return unchanged
  return accept({
    _tag: "VideoDetailsEdited",
    videoId: state.videoId,
    ...(title === undefined ? {} : { title }),
    ...(description === undefined ? {} : { description }),
    by: context.actor.userId,
    at: context.now
  })
}

const setOrigins = (state: ActiveVideo, command: Command<"SetVideoAllowedOrigins">, context: Context): VideoDecision => {
  const checked = normalizeOrigins(command.origins)
  if ("problem" in checked) return reject(new VideoOriginsInvalid({ reason: checked.problem }))
  if (sameOrigins(checked.origins, state.allowedOrigins)) return unchanged
  return accept({ _tag: "VideoAllowedOriginsSet", videoId: state.videoId, origins: checked.origins, by: context.actor.userId, at: context.now })
}

const byOwner = (state: ActiveVideo, command: VideoCommand, context: Context): VideoDecision => {
  const { videoId } = state
  const by = context.actor.userId
  const at = context.now
  switch (command._tag) {
    case "EditVideo":
      return edit(state, command, context)
    case "SetVideoCategory":
      return command.category === state.category ? unchanged : accept({ _tag: "VideoCategorySet", videoId, category: command.category, by, at })
    case "SetVideoVisibility":
      return command.visibility === state.visibility
        ? unchanged
        : accept({ _tag: "VideoVisibilitySet", videoId, visibility: command.visibility, by, at })
    case "PublishVideo":
      return state.published ? unchanged : accept({ _tag: "VideoPublished", videoId, by, at })
    case "UnpublishVideo":
      return state.published ? accept({ _tag: "VideoUnpublished", videoId, by, at }) : unchanged
    case "SetVideoAllowedOrigins":
      return setOrigins(state, command, context)
    case "DeleteVideo":
      return accept({ _tag: "VideoDeleted", videoId, ownerId: state.ownerId, by, at })
    default:
      return reject(new UnknownCommand({ category: "video", command: command._tag }))
  }
}

const moderate = (state: ActiveVideo, command: Command<"TakeDownVideo" | "RestoreVideo">, context: Context): VideoDecision => {
  if (!isAdmin(context.actor)) return reject(new Forbidden({ action: "take down or restore a video", allowed: "admins" }))
  const { videoId } = state
  if (command._tag === "RestoreVideo") {
    return state.takedown === null ? unchanged : accept({ _tag: "VideoRestored", videoId, by: context.actor.userId, at: context.now })
  }
  if (state.takedown !== null && state.takedown.reason === command.reason) return unchanged
  return accept({ _tag: "VideoTakenDown", videoId, reason: command.reason, by: context.actor.userId, at: context.now })
}

export const decideVideo = (command: VideoCommand, state: VideoState, context: Context): VideoDecision => {
  // creation is the system's, in every state, so the answer to anyone else says nothing of the video
  if (command._tag === "CreateVideo" && !isSystem(context.actor)) return reject(new Forbidden({ action: "create a video", allowed: "the system" }))
  if (state.status === "Absent") {
    return command._tag === "CreateVideo" ? create(command, context) : reject(new NotFound({ category: "video", id: command.videoId }))
  }
  if (command.videoId !== state.videoId) {
    return reject(new WrongAggregate({ category: "video", expectedId: state.videoId, commandId: command.videoId }))
  }
  // a repeated creation (a replayed reaction) never brings a deleted video back
  if (command._tag === "CreateVideo") return unchanged
  if (state.status === "Deleted") return reject(new NotFound({ category: "video", id: state.videoId }))
  // the system clears the category of videos whose category was removed (the catalog worker)
  const owns = context.actor.userId === state.ownerId || isAdmin(context.actor) ||
    (command._tag === "SetVideoCategory" && command.category === null && isSystem(context.actor))
  switch (command._tag) {
    case "TakeDownVideo":
    case "RestoreVideo":
      // one who may not even see it learns nothing of it
      return owns || visibleToOthers(state) ? moderate(state, command, context) : reject(new NotFound({ category: "video", id: state.videoId }))
    case "EditVideo":
    case "SetVideoCategory":
    case "SetVideoVisibility":
    case "PublishVideo":
    case "UnpublishVideo":
    case "SetVideoAllowedOrigins":
    case "DeleteVideo":
      if (owns) return byOwner(state, command, context)
      return visibleToOthers(state)
        ? reject(new NotOwner({ category: "video", id: state.videoId, action: "change it (or an admin)" }))
        : reject(new NotFound({ category: "video", id: state.videoId }))
    default:
      return reject(new UnknownCommand({ category: "video", command: tagOf(command) }))
  }
}

export const VideoDecider: Decider<VideoState, VideoCommand, VideoEvent, VideoError, DomainSettings> = {
  initialState: initialVideoState,
  decide: decideVideo,
  evolve: evolveVideo
}
