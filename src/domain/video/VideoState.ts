/** A video as the decider sees it (a status-tagged union), and how events change it. */
import type { Visibility } from "./VideoCommands.ts"
import type { VideoEvent } from "./VideoEvents.ts"

export interface Takedown {
  readonly reason: string
  readonly by: string
  readonly at: number
}

export type VideoState =
  | { readonly status: "Absent" }
  | {
    readonly status: "Active"
    readonly videoId: string
    readonly ownerId: string
    readonly title: string
    readonly description: string
    readonly category: string | null
    readonly visibility: Visibility
    readonly published: boolean
    /** When it was last published; null while it never was. */
    readonly publishedAt: number | null
    readonly takedown: Takedown | null
    /** Normalized web origins whose pages may play it (VideoOrigins.ts); empty = any. */
    readonly allowedOrigins: ReadonlyArray<string>
  }
  | { readonly status: "Deleted"; readonly videoId: string; readonly ownerId: string; readonly deletedAt: number }

export type ActiveVideo = Extract<VideoState, { status: "Active" }>

export const initialVideoState: VideoState = { status: "Absent" }

/** Others (not the owner, not an admin) may see it: the rule of src/videos/VideoAccess.ts `canSee` for a ready video. */
export const visibleToOthers = (state: ActiveVideo): boolean =>
  state.published && state.takedown === null && state.visibility !== "private"

export const evolveVideo = (state: VideoState, event: VideoEvent): VideoState => {
  if (event._tag === "VideoCreated") {
    if (state.status !== "Absent") return state
    return {
      status: "Active",
      videoId: event.videoId,
      ownerId: event.ownerId,
      title: event.title,
      description: "",
      category: null,
      visibility: event.visibility,
      published: event.published,
      publishedAt: event.published ? event.at : null,
      takedown: null,
      allowedOrigins: []
    }
  }
  // Every other event follows a VideoCreated, and nothing follows a VideoDeleted, in a well-formed stream.
  if (state.status !== "Active") return state
  switch (event._tag) {
    case "VideoDetailsEdited":
      return { ...state, title: event.title ?? state.title, description: event.description ?? state.description }
    case "VideoCategorySet":
      return { ...state, category: event.category }
    case "VideoVisibilitySet":
      return { ...state, visibility: event.visibility }
    case "VideoPublished":
      return { ...state, published: true, publishedAt: event.at }
    case "VideoUnpublished":
      return { ...state, published: false }
    case "VideoTakenDown":
      return { ...state, takedown: { reason: event.reason, by: event.by, at: event.at } }
    case "VideoRestored":
      return { ...state, takedown: null }
    case "VideoAllowedOriginsSet":
      return { ...state, allowedOrigins: event.origins }
    case "VideoDeleted":
      return { status: "Deleted", videoId: state.videoId, ownerId: state.ownerId, deletedAt: event.at }
  }
}
