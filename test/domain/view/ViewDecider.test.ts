/** Views: counted after 10 s (or over half a short video), never more watch time than the session's age, once per session, once per viewer per hour. */
import { describe, expect, it } from "vitest"
import { VIEW_RECOUNT_AFTER_MS } from "../../../src/domain/view/ViewCommands.ts"
import { requiredWatchSeconds } from "../../../src/domain/view/ViewDecider.ts"
import { ViewAggregate } from "../../../src/domain/view/ViewAggregate.ts"
import type { ViewEvent } from "../../../src/domain/view/ViewEvents.ts"
import { specFor, T0 } from "../../../src/testing/index.ts"

const { given } = specFor(ViewAggregate, { now: T0 })
const report = (over: Partial<{ sessionId: string; watchedSeconds: number; sessionIssuedAt: number; durationSeconds: number | null }> = {}) => ({
  _tag: "CountView" as const,
  videoId: "v1",
  viewerKey: "k1",
  sessionId: over.sessionId ?? "s1",
  sessionIssuedAt: over.sessionIssuedAt ?? T0 - 30_000,
  watchedSeconds: over.watchedSeconds ?? 12,
  durationSeconds: over.durationSeconds === undefined ? 120 : over.durationSeconds
})
const counted: ViewEvent = { _tag: "ViewCounted", videoId: "v1", viewerKey: "k1", sessionId: "s1", watchedSeconds: 12, at: T0 }

describe("views", () => {
  it("counts 10 s or more of a long video", () => {
    given([]).when(report()).then([counted])
    given([]).when(report({ watchedSeconds: 9.5 })).then("VIEW_NOT_QUALIFIED")
  })
  it("counts over half of a video shorter than 20 s", () => {
    expect(requiredWatchSeconds(8)).toBe(4)
    expect(requiredWatchSeconds(null)).toBe(10)
    given([]).when(report({ durationSeconds: 8, watchedSeconds: 4.5 })).then([{ ...counted, watchedSeconds: 4.5 }])
    given([]).when(report({ durationSeconds: 8, watchedSeconds: 4 })).then("VIEW_NOT_QUALIFIED")
  })
  it("refuses more watch time than the session has existed (a forged report)", () => {
    given([]).when(report({ sessionIssuedAt: T0 - 2_000, watchedSeconds: 10 })).then("WATCH_TIME_IMPLAUSIBLE")
  })
  it("a replayed session never counts again, even after the hour", () => {
    given([counted]).when(report(), { now: T0 + 1000 }).then([])
    given([counted]).when(report({ sessionIssuedAt: T0 }), { now: T0 + 2 * VIEW_RECOUNT_AFTER_MS }).then([])
  })
  it("the same viewer is counted again only after an hour", () => {
    given([counted]).when(report({ sessionId: "s2", sessionIssuedAt: T0 }), { now: T0 + 60_000 }).then([])
    const later = T0 + VIEW_RECOUNT_AFTER_MS
    given([counted]).when(report({ sessionId: "s2", sessionIssuedAt: later - 20_000 }), { now: later }).then([{ ...counted, sessionId: "s2", at: later }])
  })
})
