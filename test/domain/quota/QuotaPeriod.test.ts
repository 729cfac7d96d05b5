/** The weekly period function: where periods start, how long they last, how they roll over. */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { quotaPeriodAt, WEEK_MS } from "../../../src/domain/quota/QuotaPeriod.ts"

// From 1970 to 2200: any instant the service will see.
const instant = fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) })
const resetDay = fc.integer({ min: 0, max: 6 })
const resetHour = fc.integer({ min: 0, max: 23 })
const settings = fc.record({ quotaResetDay: resetDay, quotaResetHour: resetHour })

describe("quotaPeriodAt", () => {
  it("starts at or before now and ends a week later, after now", () => {
    fc.assert(fc.property(instant, settings, (now, s) => {
      const period = quotaPeriodAt(now, s)
      expect(period.start).toBeLessThanOrEqual(now)
      expect(period.end).toBeGreaterThan(now)
      expect(period.end - period.start).toBe(WEEK_MS)
    }), { numRuns: 500 })
  })

  it("starts on the configured UTC weekday and hour, on the hour", () => {
    fc.assert(fc.property(instant, settings, (now, s) => {
      const start = new Date(quotaPeriodAt(now, s).start)
      expect(start.getUTCDay()).toBe(s.quotaResetDay)
      expect(start.getUTCHours()).toBe(s.quotaResetHour)
      expect(start.getUTCMinutes() + start.getUTCSeconds() + start.getUTCMilliseconds()).toBe(0)
    }), { numRuns: 500 })
  })

  it("rolls over exactly at the end: the next period starts where the last one ended", () => {
    fc.assert(fc.property(instant, settings, (now, s) => {
      const period = quotaPeriodAt(now, s)
      expect(quotaPeriodAt(period.end - 1, s)).toEqual(period)
      expect(quotaPeriodAt(period.end, s)).toEqual({ start: period.end, end: period.end + WEEK_MS })
      expect(quotaPeriodAt(period.start, s)).toEqual(period)
    }), { numRuns: 500 })
  })

  it("is the same period for any two instants of the same week, and later periods for later instants", () => {
    fc.assert(fc.property(instant, instant, settings, (a, b, s) => {
      const [early, late] = a <= b ? [a, b] : [b, a]
      const pa = quotaPeriodAt(early, s)
      const pb = quotaPeriodAt(late, s)
      expect(pb.start).toBeGreaterThanOrEqual(pa.start)
      if (late < pa.end) expect(pb).toEqual(pa)
    }), { numRuns: 500 })
  })

  it("with the defaults, a week runs from Sunday 00:00 UTC", () => {
    const wednesday = Date.UTC(2026, 0, 7, 15, 30)
    expect(quotaPeriodAt(wednesday, { quotaResetDay: 0, quotaResetHour: 0 })).toEqual({
      start: Date.UTC(2026, 0, 4),
      end: Date.UTC(2026, 0, 11)
    })
    // Monday 09:00 reset, asked on Monday 08:59: still last week's period.
    expect(quotaPeriodAt(Date.UTC(2026, 0, 5, 8, 59), { quotaResetDay: 1, quotaResetHour: 9 }).start).toBe(
      Date.UTC(2025, 11, 29, 9)
    )
    expect(quotaPeriodAt(Date.UTC(2026, 0, 5, 9), { quotaResetDay: 1, quotaResetHour: 9 }).start).toBe(Date.UTC(2026, 0, 5, 9))
  })
})
