/** The weekly quota period an instant falls in: starts on the configured UTC day and hour. */
import type { DomainSettings } from "../shared/DomainSettings.ts"

const HOUR = 3_600_000
const DAY = 24 * HOUR
export const WEEK_MS = 7 * DAY

/** `[start, end)` in epoch milliseconds. */
export interface QuotaPeriod {
  readonly start: number
  readonly end: number
}

// 1970-01-01 (epoch day 0) was a Thursday, day 4 of the week counted from Sunday.
const EPOCH_WEEKDAY = 4

/** The period containing `now`: the last `quotaResetDay` at `quotaResetHour`:00 UTC at or before `now`, plus a week. */
export const quotaPeriodAt = (
  now: number,
  settings: Pick<DomainSettings, "quotaResetDay" | "quotaResetHour">
): QuotaPeriod => {
  const anchor = (settings.quotaResetDay - EPOCH_WEEKDAY) * DAY + settings.quotaResetHour * HOUR
  const start = anchor + Math.floor((now - anchor) / WEEK_MS) * WEEK_MS
  return { start, end: start + WEEK_MS }
}
