/** How far ahead a playback command takes effect: max(2 × p95 of the members' round trips, 300 ms). */
import { MAX_PLAYBACK_LEAD_MS } from "../domain/room/RoomCommands.ts"

export const MIN_PLAYBACK_LEAD_MS = 300

/** The 95th percentile (nearest rank) of `samples`; 0 when there are none. */
export const p95 = (samples: ReadonlyArray<number>): number => {
  if (samples.length === 0) return 0
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.ceil(0.95 * sorted.length) - 1]!
}

/** `rtts`: each connected member's round trip (its best recent sample), ms. */
export const playbackLead = (rtts: ReadonlyArray<number>): number =>
  Math.min(MAX_PLAYBACK_LEAD_MS, Math.max(MIN_PLAYBACK_LEAD_MS, Math.ceil(2 * p95(rtts))))
