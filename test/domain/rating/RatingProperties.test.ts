/** Ratings: one per user per video whatever the sequence; the counts folded from the events equal the users' last ratings. */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { RatingAggregate } from "../../../src/domain/rating/RatingAggregate.ts"
import type { RatingValue } from "../../../src/domain/rating/RatingCommands.ts"
import type { RatingEvent } from "../../../src/domain/rating/RatingEvents.ts"
import type { RatingState } from "../../../src/domain/rating/RatingDecider.ts"
import { EngagementProjection } from "../../../projections/EngagementProjection.ts"
import { foldSequential } from "../../../projections/ProjectionReplay.ts"
import { specFor, T0, testActors } from "../../../src/testing/index.ts"
import { type HistoryAppend, toRecorded } from "../../projections/RealisticHistory.ts"

const users = ["alice", "bob", "carol", "dave"] as const
const rating = fc.constantFrom<RatingValue>("like", "dislike", "none")

describe("rating: given/when/then", () => {
  const { given } = specFor(RatingAggregate, { now: T0 })
  const liked: RatingEvent = { _tag: "RatingChanged", videoId: "v1", userId: "alice", rating: "like", previous: "none", at: T0 }

  it("a first like records the change from none", () => {
    given([]).when({ _tag: "RateVideo", videoId: "v1", rating: "like" }).then([liked])
  })
  it("the same rating again is idempotent", () => {
    given([liked]).when({ _tag: "RateVideo", videoId: "v1", rating: "like" }).then([])
  })
  it("a like can become a dislike, or be taken back", () => {
    given([liked]).when({ _tag: "RateVideo", videoId: "v1", rating: "dislike" }).then([{ ...liked, rating: "dislike", previous: "like" }])
    given([liked]).when({ _tag: "RateVideo", videoId: "v1", rating: "none" }).then([{ ...liked, rating: "none", previous: "like" }])
  })
  it("nobody else may change a user's rating stream", () => {
    given([liked]).when({ _tag: "RateVideo", videoId: "v1", rating: "none" }, { actor: testActors.bob }).then("FORBIDDEN")
  })
})

describe("rating: one like per user per video", () => {
  it("holds over random sequences of ratings by a few users, in the decider and in the read model", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...users), rating), { maxLength: 60 }), (steps) => {
        const states = new Map<string, RatingState>()
        const appends: Array<HistoryAppend> = []
        let likes = 0
        let dislikes = 0
        for (const [user, value] of steps) {
          const state = states.get(user) ?? RatingAggregate.decider.initialState
          const result = RatingAggregate.decider.decide({ _tag: "RateVideo", videoId: "v1", rating: value }, state, {
            now: T0,
            actor: { userId: user, roles: ["user"] },
            settings: undefined as never
          })
          expect(result._tag).toBe("Success")
          if (result._tag !== "Success") return
          // at most one event per command, and only when the rating changes
          expect(result.success.length).toBe((state.status === "Rated" ? state.rating : "none") === value ? 0 : 1)
          for (const e of result.success) {
            likes += (e.rating === "like" ? 1 : 0) - (e.previous === "like" ? 1 : 0)
            dislikes += (e.rating === "dislike" ? 1 : 0) - (e.previous === "dislike" ? 1 : 0)
            states.set(user, RatingAggregate.decider.evolve(state, e))
            const stored = RatingAggregate.events.encode(e)
            appends.push({ stream: `rating-v1.${user}`, events: [{ type: stored.type, data: stored.data, metadata: { schemaVersion: stored.schemaVersion } }] })
          }
        }
        const last = new Map<string, RatingValue>()
        for (const [user, value] of steps) last.set(user, value)
        expect(likes).toBe([...last.values()].filter((v) => v === "like").length)
        expect(dislikes).toBe([...last.values()].filter((v) => v === "dislike").length)
        expect(likes + dislikes).toBeLessThanOrEqual(users.length)
        // the engagement read model folds the same events to the same counts, one rating document per user at most
        const model = foldSequential(EngagementProjection, toRecorded(appends))
        const counts = model.get("video")?.get("v1") as { likes: number; dislikes: number } | undefined
        expect(counts?.likes ?? 0).toBe(likes)
        expect(counts?.dislikes ?? 0).toBe(dislikes)
        const ratingDocs = [...(model.get("rating")?.values() ?? [])] as ReadonlyArray<{ userId: string; rating: string }>
        expect(new Set(ratingDocs.map((r) => r.userId)).size).toBe(ratingDocs.length)
        expect(ratingDocs.length).toBe(likes + dislikes)
        for (const r of ratingDocs) expect(r.rating).toBe(last.get(r.userId))
      }),
      { numRuns: 300 }
    )
  })
})
