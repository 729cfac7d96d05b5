/**
 * Synchronized playback as a pure fold over the room's playback events: the state a room is in
 * (idle / waiting / paused / playing) and the expected position at any server instant, from events alone.
 */
import type { RoomEvent } from "./RoomEvents.ts"

export type PlaybackStatus = "idle" | "waiting" | "paused" | "playing"

export interface Playback {
  readonly status: PlaybackStatus
  /** The room is meant to play: playing, or waiting to (re)start playing once members are ready. */
  readonly playing: boolean
  readonly positionMs: number
  /** Server time the position refers to; while playing the position advances 1:1 from it. */
  readonly updatedAt: number
  /** While waiting: the `at` of the play/seek that started the wait (names it, so a late ready is ignored). */
  readonly waitingSince: number | null
}

export type PlaybackEvent = Extract<RoomEvent, { _tag: "PlaybackChanged" | "PlaybackReady" }>

export const idlePlayback = (at: number): Playback => ({ status: "idle", playing: false, positionMs: 0, updatedAt: at, waitingSince: null })

export const isPlaybackEvent = (event: RoomEvent): event is PlaybackEvent => event._tag === "PlaybackChanged" || event._tag === "PlaybackReady"

/** The server instant an event takes effect (play/pause/seek are scheduled ahead so every member can apply them together). */
export const effectiveAt = (event: PlaybackEvent): number => event._tag === "PlaybackReady" ? event.startsAt : event.effectiveAt ?? event.at

/** Where playback stands at server time `t` (≥ `updatedAt`) in this state. */
export const positionAt = (playback: Playback, t: number): number =>
  playback.status === "playing" ? playback.positionMs + Math.max(0, t - playback.updatedAt) : playback.positionMs

export const applyPlayback = (playback: Playback, event: PlaybackEvent): Playback => {
  const at = effectiveAt(event)
  if (event._tag === "PlaybackReady") {
    return { status: event.playing ? "playing" : "paused", playing: event.playing, positionMs: event.positionMs, updatedAt: at, waitingSince: null }
  }
  switch (event.action) {
    case "pause":
      return { status: "paused", playing: false, positionMs: event.positionMs, updatedAt: at, waitingSince: null }
    case "play":
      return { status: "waiting", playing: true, positionMs: event.positionMs, updatedAt: at, waitingSince: event.at }
    case "seek":
      return { status: "waiting", playing: playback.playing, positionMs: event.positionMs, updatedAt: at, waitingSince: event.at }
  }
}

/** From `base`, the playback events in effect by server time `t` (effective times never decrease along a stream). */
export const playbackFrom = (base: Playback, events: ReadonlyArray<PlaybackEvent>, t: number): Playback => {
  let playback = base
  for (const event of events) if (effectiveAt(event) <= t) playback = applyPlayback(playback, event)
  return playback
}

/** The playback state at server time `t`, from the room's events. */
export const playbackAt = (events: ReadonlyArray<RoomEvent>, t: number): Playback => {
  const opened = events.find((e) => e._tag === "RoomOpened")
  return playbackFrom(idlePlayback(opened?.at ?? 0), events.filter(isPlaybackEvent), t)
}

/** The expected position at server time `t`, derived from the room's events alone. */
export const playbackPosition = (events: ReadonlyArray<RoomEvent>, t: number): number => positionAt(playbackAt(events, t), t)
