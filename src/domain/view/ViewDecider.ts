/**
 * The view decider: a report counts when the watch time qualifies and is possible for the session's age,
 * once per session ever and once per viewer per hour. A repeat is accepted and changes nothing.
 */
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import {
  VIEW_MIN_WATCH_SECONDS,
  VIEW_RECOUNT_AFTER_MS,
  VIEW_SESSIONS_REMEMBERED,
  VIEW_SHORT_VIDEO_FRACTION,
  type ViewCommand,
  WATCH_CLOCK_SLACK_SECONDS
} from "./ViewCommands.ts"
import { type ViewError, ViewNotQualified, WatchTimeImplausible } from "./ViewErrors.ts"
import type { ViewEvent } from "./ViewEvents.ts"

export interface ViewState {
  readonly videoId: string | null
  readonly lastCountedAt: number | null
  /** The newest counted sessions, oldest first. */
  readonly sessions: ReadonlyArray<string>
  readonly views: number
}

export const initialViewState: ViewState = { videoId: null, lastCountedAt: null, sessions: [], views: 0 }

/** Seconds of watching that make a view of a video this long (null: unknown length). */
export const requiredWatchSeconds = (durationSeconds: number | null): number =>
  durationSeconds !== null && durationSeconds * VIEW_SHORT_VIDEO_FRACTION < VIEW_MIN_WATCH_SECONDS
    ? durationSeconds * VIEW_SHORT_VIDEO_FRACTION
    : VIEW_MIN_WATCH_SECONDS

export const evolveView = (state: ViewState, event: ViewEvent): ViewState => ({
  videoId: event.videoId,
  lastCountedAt: event.at,
  sessions: [...state.sessions, event.sessionId].slice(-VIEW_SESSIONS_REMEMBERED),
  views: state.views + 1
})

const round = (x: number) => Math.round(x * 10) / 10

export const decideView = (command: ViewCommand, state: ViewState, context: DecideContext<DomainSettings>): Decision<ViewEvent, ViewError> => {
  if (state.videoId !== null && state.videoId !== command.videoId) {
    return reject(new WrongAggregate({ category: "view", expectedId: state.videoId, commandId: command.videoId }))
  }
  if (command._tag !== "CountView") return reject(new UnknownCommand({ category: "view", command: String((command as { _tag?: unknown })._tag) }))
  // a replay of a counted session, or the same viewer within the hour: accepted, not counted
  if (state.sessions.includes(command.sessionId)) return unchanged
  const required = requiredWatchSeconds(command.durationSeconds)
  // "over half" of a short video: strictly more; the 10 s rule: at least
  const enough = required < VIEW_MIN_WATCH_SECONDS ? command.watchedSeconds > required : command.watchedSeconds >= required
  if (!enough) return reject(new ViewNotQualified({ watchedSeconds: command.watchedSeconds, requiredSeconds: round(required) }))
  const ageSeconds = Math.max(0, (context.now - command.sessionIssuedAt) / 1000)
  if (command.watchedSeconds > ageSeconds + WATCH_CLOCK_SLACK_SECONDS) {
    return reject(new WatchTimeImplausible({ watchedSeconds: command.watchedSeconds, sessionAgeSeconds: round(ageSeconds) }))
  }
  if (state.lastCountedAt !== null && context.now - state.lastCountedAt < VIEW_RECOUNT_AFTER_MS) return unchanged
  return accept({
    _tag: "ViewCounted",
    videoId: command.videoId,
    viewerKey: command.viewerKey,
    sessionId: command.sessionId,
    watchedSeconds: command.watchedSeconds,
    at: context.now
  })
}

export const ViewDecider: Decider<ViewState, ViewCommand, ViewEvent, ViewError, DomainSettings> = {
  initialState: initialViewState,
  decide: decideView,
  evolve: evolveView
}
