/** Property tests of the video aggregate: its laws, and the visibility rules over random command sequences. */
import { describe, expect, it } from "vitest"
import { isAdmin, isSystem } from "../../../src/domain/shared/ActorRoles.ts"
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH } from "../../../src/domain/video/VideoCommands.ts"
import { VideoAggregate } from "../../../src/domain/video/VideoAggregate.ts"
import { narrowsAccess } from "../../../src/domain/video/VideoEvents.ts"
import { MAX_ALLOWED_ORIGINS, normalizeOrigins } from "../../../src/domain/video/VideoOrigins.ts"
import { visibleToOthers } from "../../../src/domain/video/VideoState.ts"
import { checkInvariant } from "../../../src/testing/CheckInvariant.ts"
import { checkDeciderLaws } from "../../../src/testing/DeciderLaws.ts"
import { anyTestActor } from "../../../src/testing/Pools.ts"
import { videoArbitraries } from "../../../src/testing/VideoArbitraries.ts"
import { canSee } from "../../../src/videos/VideoAccess.ts"
import { type VideoDoc, videoAccessFacts } from "../../../projections/VideoDocument.ts"
import { evolveVideoDocByVideo } from "../../../projections/VideosProjection.ts"
import { noMedia } from "../../../projections/MediaDetails.ts"

/** A ready upload's catalog document before its Video exists. */
const bareReadyDoc: VideoDoc = {
  ...noMedia,
  id: "video-1",
  ownerId: "alice",
  title: "Holiday",
  description: "",
  category: null,
  visibility: "private",
  published: false,
  publishedAt: null,
  takenDown: false,
  takedown: null,
  accessEpoch: 0,
  allowedOrigins: [],
  views: 0,
  likes: 0,
  dislikes: 0,
  filename: "Holiday.mp4",
  contentType: "video/mp4",
  status: "ready",
  failureReason: null,
  sizeBytes: 1,
  createdAt: 0,
  readyAt: 0,
  failedAt: null,
  updatedAt: 0,
  position: 0,
  revision: 0
}

const sequences = {
  aggregate: VideoAggregate,
  commands: videoArbitraries.interacting,
  given: videoArbitraries.given,
  context: { actor: anyTestActor },
  maxCommands: 30,
  numRuns: 400
}

const ownerChanges = new Set(["VideoDetailsEdited", "VideoCategorySet", "VideoVisibilitySet", "VideoPublished", "VideoUnpublished", "VideoAllowedOriginsSet", "VideoDeleted"])

describe("video properties", () => {
  it("obeys the decider laws (never throws, coded rejections, deterministic, replayable)", () => {
    checkDeciderLaws(sequences)
  })

  it("never throws and rejects with coded errors on any schema-valid command, ids unconstrained", () => {
    checkDeciderLaws({ ...sequences, commands: videoArbitraries.command })
  })

  it("changes a video only for its owner or an admin, and moderates only for admins", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, events, { previous, context }) => {
        for (const event of events) {
          if (ownerChanges.has(event._tag)) {
            const clearedBySystem = event._tag === "VideoCategorySet" && event.category === null && isSystem(context.actor)
            expect(previous.status === "Active" && (previous.ownerId === context.actor.userId || isAdmin(context.actor) || clearedBySystem)).toBe(true)
          }
          if (event._tag === "VideoTakenDown" || event._tag === "VideoRestored") expect(isAdmin(context.actor)).toBe(true)
          if (event._tag === "VideoCreated") expect(isSystem(context.actor)).toBe(true)
        }
      }
    })
  })

  it("tells someone who may not see the video nothing but NOT_FOUND (creation is FORBIDDEN to all but the system, in any state)", () => {
    checkInvariant({
      ...sequences,
      invariant: (_state, _events, { command, previous, context, error }) => {
        // a command routed to another aggregate (AGGREGATE_ID_MISMATCH) is a bug of the caller, not a client's probe
        if (previous.status !== "Absent" && command.videoId !== previous.videoId) return
        if (command._tag === "CreateVideo" && !isSystem(context.actor)) expect(error?.code).toBe("FORBIDDEN")
        if (previous.status !== "Active" || error === undefined || isSystem(context.actor) || command._tag === "CreateVideo") return
        const owns = previous.ownerId === context.actor.userId || isAdmin(context.actor)
        if (!owns && !visibleToOthers(previous)) expect(error.code).toBe("NOT_FOUND")
      }
    })
  })

  it("keeps a taken-down video hidden from others until an admin restores it, whatever the owner does", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events, { previous }) => {
        if (previous.status !== "Active" || previous.takedown === null) return
        if (events.some((e) => e._tag === "VideoRestored")) return
        if (state.status === "Active") expect(visibleToOthers(state)).toBe(false)
      }
    })
  })

  it("marks every step that narrows who may watch (private, unpublished, taken down, deleted) as narrowing", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events, { previous }) => {
        const before = previous.status === "Active" && visibleToOthers(previous)
        const after = state.status === "Active" && visibleToOthers(state)
        if (before && !after) expect(events.some(narrowsAccess)).toBe(true)
      }
    })
  })

  it("keeps titles of 1 to 200 characters and descriptions of at most 5,000, trimmed", () => {
    checkInvariant({
      ...sequences,
      invariant: (state) => {
        if (state.status !== "Active") return
        const title = Array.from(state.title).length
        expect(title).toBeGreaterThan(0)
        expect(title).toBeLessThanOrEqual(MAX_TITLE_LENGTH)
        expect(state.title).toBe(state.title.trim())
        expect(Array.from(state.description).length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH)
      }
    })
  })

  it("keeps the allowed origins normalized, distinct and at most 20; a refused list changes nothing", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events, { command, previous, error }) => {
        if (state.status === "Active") {
          expect(state.allowedOrigins.length).toBeLessThanOrEqual(MAX_ALLOWED_ORIGINS)
          expect(normalizeOrigins(state.allowedOrigins)).toEqual({ origins: state.allowedOrigins })
        }
        if (command._tag === "SetVideoAllowedOrigins" && "problem" in normalizeOrigins(command.origins)) {
          expect(events).toEqual([])
          if (previous.status === "Active" && command.videoId === previous.videoId) expect(error?.code).toMatch(/^(VIDEO_ORIGINS_INVALID|NOT_FOUND|NOT_OWNER)$/)
        }
        // setting origins never narrows who may watch: tokens stay valid, each request is checked against the list
        for (const event of events) if (event._tag === "VideoAllowedOriginsSet") expect(narrowsAccess(event)).toBe(false)
      }
    })
  })

  it("agrees with the read model: the catalog document of the same history lets strangers see it exactly when the decider does", () => {
    const stranger = { userId: "mallory", roles: ["user"] } as const
    checkInvariant({
      ...sequences,
      invariant: (state, _events, { history }) => {
        const base = { ...bareReadyDoc, ownerId: "alice" }
        const doc = history.reduce<VideoDoc | undefined>((d, e, i) => evolveVideoDocByVideo(d ?? (e._tag === "VideoCreated" ? base : undefined), e, { position: i + 1, revision: i }), undefined)
        if (state.status !== "Active") return expect(doc).toBeUndefined()
        expect(doc).toBeDefined()
        expect(canSee(videoAccessFacts(doc!), stranger)).toBe(visibleToOthers(state))
        expect(doc!.takenDown).toBe(state.takedown !== null)
        expect(doc!.allowedOrigins).toEqual(state.allowedOrigins)
      }
    })
  })

  it("accepts nothing after a delete (a repeated creation is a no-op)", () => {
    checkInvariant({
      ...sequences,
      invariant: (state, events, { previous }) => {
        if (previous.status === "Deleted") {
          expect(events).toEqual([])
          expect(state).toEqual(previous)
        }
      }
    })
  })
})
