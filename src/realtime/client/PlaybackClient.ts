/**
 * The client side of synchronized playback, runtime neutral (browsers, Node, Deno): the server clock
 * from ping/pong (NTP-style, the lowest-delay sample of the last 8), the expected position from the
 * welcome snapshot and the playback events (the same fold as the server's, PlaybackTimeline.ts), and
 * what to do about drift — Jellyfin SyncPlay's figures: under 60 ms nothing, 60–3000 ms a playback-rate
 * correction over one second, above 3000 ms a seek.
 */
import { type Playback, type PlaybackEvent, playbackFrom, positionAt } from "../../domain/room/PlaybackTimeline.ts"

export interface ClockSample {
  /** Server time minus local time, ms. */
  readonly offsetMs: number
  /** Round trip less nothing (the server answers at once), ms. */
  readonly delayMs: number
}

/** Offset estimation from pings: each pong gives a sample; the one with the least delay is the most trustworthy. */
export class ClockSync {
  private readonly samples: Array<ClockSample> = []
  private readonly window: number
  constructor(window = 8) {
    this.window = window
  }

  /** `sentAt`: local time the ping left (its clientTime); `serverTime`: the pong's; `receivedAt`: local time the pong came. */
  add(sentAt: number, serverTime: number, receivedAt: number): void {
    this.samples.push({ offsetMs: serverTime - (sentAt + receivedAt) / 2, delayMs: Math.max(0, receivedAt - sentAt) })
    if (this.samples.length > this.window) this.samples.shift()
  }

  best(): ClockSample | undefined {
    return this.samples.reduce<ClockSample | undefined>((best, s) => (best === undefined || s.delayMs < best.delayMs ? s : best), undefined)
  }

  serverNow(localNow: number): number {
    return localNow + (this.best()?.offsetMs ?? 0)
  }
}

export interface DriftPolicy {
  /** Below this, leave playback alone, ms. */
  readonly rateAboveMs: number
  /** Above this, seek instead of changing the rate, ms. */
  readonly seekAboveMs: number
  /** A rate correction catches up over this long, ms. */
  readonly correctOverMs: number
  readonly minRate: number
  readonly maxRate: number
}

export const syncPlayPolicy: DriftPolicy = { rateAboveMs: 60, seekAboveMs: 3000, correctOverMs: 1000, minRate: 0.5, maxRate: 2 }

export type Correction =
  | { readonly kind: "none" }
  | { readonly kind: "rate"; readonly rate: number; readonly forMs: number }
  | { readonly kind: "seek"; readonly positionMs: number }

/** What a player at `actualMs` should do when the room expects `expectedMs` (rates only while playing). */
export const correctionFor = (expectedMs: number, actualMs: number, playing: boolean, policy: DriftPolicy = syncPlayPolicy): Correction => {
  const drift = expectedMs - actualMs // > 0: behind
  if (Math.abs(drift) < policy.rateAboveMs) return { kind: "none" }
  if (!playing || Math.abs(drift) > policy.seekAboveMs) return { kind: "seek", positionMs: expectedMs }
  const rate = Math.min(policy.maxRate, Math.max(policy.minRate, 1 + drift / policy.correctOverMs))
  return { kind: "rate", rate, forMs: policy.correctOverMs }
}

/** The frames the client reads (a subset of the protocol's ServerFrame). */
export type PlaybackFrame =
  | { readonly type: "welcome"; readonly room: { readonly playback: Playback } }
  | { readonly type: "event"; readonly event: string; readonly data: unknown }
  | { readonly type: "pong"; readonly clientTime?: number | undefined; readonly serverTime: number }
  | { readonly type: string }

/** One member's view of the room's playback: feed it every frame, ask it where playback should be. */
export class PlaybackClient {
  readonly clock: ClockSync
  private base: Playback = { status: "idle", playing: false, positionMs: 0, updatedAt: 0, waitingSince: null }
  private events: Array<PlaybackEvent> = []
  private readonly localNow: () => number

  constructor(localNow: () => number, window = 8) {
    this.localNow = localNow
    this.clock = new ClockSync(window)
  }

  /** A ping frame to send: the client time for the offset, and the best round trip so far for the server's lead. */
  ping(id: string): { type: "ping"; id: string; clientTime: number; rttMs?: number } {
    const best = this.clock.best()
    return { type: "ping", id, clientTime: this.localNow(), ...(best === undefined ? {} : { rttMs: Math.round(best.delayMs) }) }
  }

  receive(frame: PlaybackFrame): void {
    if (frame.type === "welcome" && "room" in frame) {
      this.base = frame.room.playback
      this.events = []
    } else if (frame.type === "event" && "event" in frame && (frame.event === "PlaybackChanged" || frame.event === "PlaybackReady")) {
      this.events.push({ ...(frame.data as object), _tag: frame.event } as PlaybackEvent)
    } else if (frame.type === "pong" && "serverTime" in frame && frame.clientTime !== undefined) {
      this.clock.add(frame.clientTime, frame.serverTime, this.localNow())
    }
  }

  serverNow(): number {
    return this.clock.serverNow(this.localNow())
  }

  /** The room's playback now (idle / waiting / paused / playing). */
  state(): Playback {
    return playbackFrom(this.base, this.events, this.serverNow())
  }

  expectedPositionMs(): number {
    const now = this.serverNow()
    return positionAt(playbackFrom(this.base, this.events, now), now)
  }

  /** Drift correction for a player whose position is `actualMs` now. */
  correction(actualMs: number, policy: DriftPolicy = syncPlayPolicy): Correction {
    const state = this.state()
    return correctionFor(this.expectedPositionMs(), actualMs, state.status === "playing", policy)
  }
}
