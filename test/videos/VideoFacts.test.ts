/** The adapter from the videos read model's document to the facts engagement reads, and the engagement stream ids. */
import { describe, expect, it } from "vitest"
import type { VideoDoc } from "../../projections/VideosProjection.ts"
import { noMedia } from "../../projections/MediaDetails.ts"
import { engagementStreams, userKey } from "../../src/videos/EngagementCommandIds.ts"
import { canSee, canWatch, isListedFor } from "../../src/videos/VideoAccess.ts"
import { factsOfVideoDoc } from "../../src/videos/VideoFacts.ts"

const doc: VideoDoc = {
  ...noMedia,
  durationSeconds: 42,
  id: "v1",
  ownerId: "alice",
  title: "clip",
  description: "",
  category: null,
  visibility: "public",
  published: true,
  publishedAt: 2,
  takenDown: false,
  takedown: null,
  accessEpoch: 0,
  allowedOrigins: [],
  views: 0,
  likes: 0,
  dislikes: 0,
  filename: "clip.mp4",
  contentType: "video/mp4",
  status: "ready",
  failureReason: null,
  sizeBytes: 10,
  createdAt: 1,
  readyAt: 2,
  failedAt: null,
  updatedAt: 2,
  position: 5,
  revision: 4
}
const bob = { userId: "bob", roles: ["user"] } as const

describe("factsOfVideoDoc", () => {
  it("reads a public, published document as watchable by others, and an unready one as hidden", () => {
    const facts = factsOfVideoDoc(doc)
    expect(facts).toMatchObject({ id: "v1", ownerId: "alice", visibility: "public", published: true, takenDown: false, accessEpoch: 0, durationSeconds: 42 })
    expect(canWatch(facts, bob)).toBe(true)
    expect(canSee(factsOfVideoDoc({ ...doc, status: "processing" }), bob)).toBe(false)
  })

  it("takes visibility, publication and takedown from the document", () => {
    const withFields = (extra: Record<string, unknown>) => factsOfVideoDoc({ ...doc, ...extra } as VideoDoc)
    expect(canSee(withFields({ visibility: "private" }), bob)).toBe(false)
    expect(canSee(withFields({ visibility: "private" }), { userId: "alice", roles: ["user"] })).toBe(true)
    expect(isListedFor(withFields({ visibility: "unlisted" }), bob)).toBe(false)
    expect(canSee(withFields({ published: false }), bob)).toBe(false)
    expect(canWatch(withFields({ takenDown: true }), bob)).toBe(false)
  })
})

describe("engagement stream ids", () => {
  it("hash the user into a short key, so any user id fits a stream name", () => {
    const long = `u${"x".repeat(99)}`
    expect(userKey(long)).toMatch(/^[0-9a-f]{32}$/)
    expect(userKey("alice")).not.toBe(userKey("bob"))
    expect(`view-${engagementStreams.view("v".repeat(100), long)}`.length).toBeLessThanOrEqual(200)
    expect(engagementStreams.thread("v1", "t1.abc")).toBe("v1.t1")
  })
})
