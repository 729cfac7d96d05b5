/**
 * The change feed of one upload (and of the video it becomes), for SSE and WebSocket: the upload's stream is
 * read and folded with the read models' own pure evolve functions, so each message carries the
 * document as it is after that event. Messages for stored events have `id` = the event's global
 * position (resume with Last-Event-ID); ephemeral processing percentages have no id.
 */
import {
  decodeUploadEvent,
  evolveUploadDoc,
  TERMINAL_UPLOAD_STATUSES,
  UPLOAD_EVENT_TYPES,
  type UploadDoc
} from "../../../projections/UploadsProjection.ts"
import { evolveVideoDoc, type VideoDoc } from "../../../projections/VideosProjection.ts"
import type { RecordedEvent } from "../../eventstore/EventStoreTypes.ts"
import type { FeedMessage } from "../../feeds/FeedMessage.ts"

export type FeedKind = "upload" | "video"

/** Which feed, and how an upload document is shown (the query API's view). */
export interface FeedSpec {
  readonly kind: FeedKind
  readonly viewUpload: (doc: UploadDoc) => unknown
}

/** What the feed folds: both documents, since a video feed also reports its upload's progress. */
export interface FeedState {
  readonly upload: UploadDoc | undefined
  readonly video: VideoDoc | undefined
}

export const emptyFeed: FeedState = { upload: undefined, video: undefined }

const UPLOAD_EVENTS: ReadonlySet<string> = new Set(UPLOAD_EVENT_TYPES)

export const foldFeed = (state: FeedState, event: RecordedEvent): FeedState => {
  if (!UPLOAD_EVENTS.has(event.type)) return state
  const decoded = decodeUploadEvent(event)
  return { upload: evolveUploadDoc(state.upload, decoded, event), video: evolveVideoDoc(state.video, decoded, event) }
}

export const isFinished = (state: FeedState): boolean =>
  state.upload !== undefined && TERMINAL_UPLOAD_STATUSES.includes(state.upload.status)

/** The compact progress a video feed carries besides the video. */
const progressOf = (u: UploadDoc) => ({
  status: u.status,
  offset: u.offset,
  declaredSize: u.declaredSize,
  progress: u.progress,
  step: u.step,
  stepState: u.stepState,
  attempts: u.attempts,
  lastError: u.lastError
})

/** The message for a stored event: "state" when the status changed, "progress" otherwise. */
export const messageFor = ({ kind, viewUpload }: FeedSpec, before: FeedState, after: FeedState, event: RecordedEvent): FeedMessage => {
  const status = (s: FeedState) => (kind === "upload" ? s.upload?.status : s.video?.status ?? (s.upload ? "removed" : undefined))
  const changed = status(before) !== status(after)
  const base = { type: event.type, position: event.position, revision: event.revision, recordedAt: event.recordedAt }
  return {
    id: String(event.position),
    event: changed ? "state" : "progress",
    data: kind === "upload"
      ? { ...base, upload: after.upload && viewUpload(after.upload) }
      : { ...base, video: after.video ?? null, upload: after.upload ? progressOf(after.upload) : null }
  }
}

export const snapshotMessage = ({ kind, viewUpload }: FeedSpec, state: FeedState, position: number): FeedMessage => ({
  id: String(position),
  event: "snapshot",
  data: kind === "upload"
    ? { position, upload: state.upload && viewUpload(state.upload) }
    : { position, video: state.video ?? null, upload: state.upload ? progressOf(state.upload) : null }
})

/** The upload is ready, failed, cancelled or expired: nothing more will come (a resume answers 204). */
export const endMessage = (state: FeedState): FeedMessage => ({
  event: "end",
  data: { status: state.upload?.status ?? null, reason: "finished", reconnect: false }
})
