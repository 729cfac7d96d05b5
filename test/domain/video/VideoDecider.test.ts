/** Given/when/then specifications of the video aggregate. */
import { describe, expect, it } from "vitest"
import { MAX_TITLE_LENGTH } from "../../../src/domain/video/VideoCommands.ts"
import { VideoAggregate } from "../../../src/domain/video/VideoAggregate.ts"
import type { VideoEvent } from "../../../src/domain/video/VideoEvents.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { T0, testActors } from "../../../src/testing/TestContext.ts"

const { alice, bob, carol, system } = testActors
const { given } = specFor(VideoAggregate, { actor: alice, now: T0 })
const v = "v-1"

const created: VideoEvent = { _tag: "VideoCreated", videoId: v, ownerId: "alice", title: "Holiday", source: "upload", visibility: "private", published: true, at: T0 }
const madePublic: VideoEvent = { _tag: "VideoVisibilitySet", videoId: v, visibility: "public", by: "alice", at: T0 }
const deleted: VideoEvent = { _tag: "VideoDeleted", videoId: v, ownerId: "alice", by: "alice", at: T0 }

describe("video: creation", () => {
  it("is created by the system, titled from the filename, published with the default visibility", () => {
    given([]).when({ _tag: "CreateVideo", videoId: v, ownerId: "alice", title: "Holiday.mp4", source: "upload" }, { actor: system })
      .then([{ ...created }])
    given([]).when({ _tag: "CreateVideo", videoId: v, ownerId: "alice", title: "Holiday.mp4", source: "upload" }, {
      actor: system,
      settings: { defaultVisibility: "public" }
    }).then([{ ...created, visibility: "public" }])
  })

  it("is created only by the system, once, and never again after a delete", () => {
    const create = { _tag: "CreateVideo", videoId: v, ownerId: "alice", title: "x.mp4", source: "upload" } as const
    given([]).when(create, { actor: alice }).then("FORBIDDEN")
    given([created]).when(create, { actor: system }).then([])
    given([created, deleted]).when(create, { actor: system }).then([])
  })

  it("knows no commands before it exists, and none but creation after a delete", () => {
    given([]).when({ _tag: "PublishVideo", videoId: v }).then("NOT_FOUND")
    given([created, deleted]).when({ _tag: "EditVideo", videoId: v, title: "New" }).then("NOT_FOUND")
  })
})

describe("video: the owner's edits", () => {
  it("records only what changed, trimmed", () => {
    given([created]).when({ _tag: "EditVideo", videoId: v, title: "  Holiday  ", description: " Sea " })
      .then([{ _tag: "VideoDetailsEdited", videoId: v, description: "Sea", by: "alice", at: T0 }])
    given([created]).when({ _tag: "EditVideo", videoId: v, title: "Holiday" }).then([])
  })

  it("refuses an empty or too long title and a too long description", () => {
    given([created]).when({ _tag: "EditVideo", videoId: v, title: " " }).then("VIDEO_TITLE_INVALID")
    const { error } = given([created]).when({ _tag: "EditVideo", videoId: v, title: "é".repeat(MAX_TITLE_LENGTH + 1) }).then("VIDEO_TITLE_INVALID")
    expect(error?.message).toBe(`The title is refused: it has ${MAX_TITLE_LENGTH + 1} characters, more than ${MAX_TITLE_LENGTH}.`)
    given([created]).when({ _tag: "EditVideo", videoId: v, description: "d".repeat(5001) }).then("VIDEO_DESCRIPTION_INVALID")
    given([created]).when({ _tag: "EditVideo", videoId: v, title: "é".repeat(MAX_TITLE_LENGTH) })
      .then([{ _tag: "VideoDetailsEdited", videoId: v, title: "é".repeat(MAX_TITLE_LENGTH), by: "alice", at: T0 }])
  })

  it("sets the category, visibility and publication; a repeat changes nothing", () => {
    given([created]).when({ _tag: "SetVideoCategory", videoId: v, category: "music" })
      .then([{ _tag: "VideoCategorySet", videoId: v, category: "music", by: "alice", at: T0 }])
    given([created]).when({ _tag: "SetVideoVisibility", videoId: v, visibility: "private" }).then([])
    given([created]).when({ _tag: "PublishVideo", videoId: v }).then([])
    given([created]).when({ _tag: "UnpublishVideo", videoId: v }).then([{ _tag: "VideoUnpublished", videoId: v, by: "alice", at: T0 }])
    const { state } = given([created, { _tag: "VideoUnpublished", videoId: v, by: "alice", at: T0 }])
      .when({ _tag: "PublishVideo", videoId: v }, { now: T0 + 5 })
      .then([{ _tag: "VideoPublished", videoId: v, by: "alice", at: T0 + 5 }])
    expect(state.status === "Active" && state.publishedAt).toBe(T0 + 5)
  })

  it("lets an admin act as the owner; hides a private video from others (404) and refuses changes to a visible one (403)", () => {
    given([created]).when({ _tag: "SetVideoVisibility", videoId: v, visibility: "public" }, { actor: carol })
      .then([{ _tag: "VideoVisibilitySet", videoId: v, visibility: "public", by: "carol", at: T0 }])
    given([created]).when({ _tag: "EditVideo", videoId: v, title: "Mine" }, { actor: bob }).then("NOT_FOUND")
    given([created, madePublic]).when({ _tag: "DeleteVideo", videoId: v }, { actor: bob }).then("NOT_OWNER")
  })

  it("lets the system clear a category (its category was removed), and nothing else", () => {
    const tagged: VideoEvent = { _tag: "VideoCategorySet", videoId: v, category: "music", by: "alice", at: T0 }
    given([created, tagged]).when({ _tag: "SetVideoCategory", videoId: v, category: null }, { actor: system })
      .then([{ _tag: "VideoCategorySet", videoId: v, category: null, by: "system", at: T0 }])
    given([created, tagged]).when({ _tag: "SetVideoCategory", videoId: v, category: "gaming" }, { actor: system }).then("NOT_FOUND")
    given([created, tagged]).when({ _tag: "PublishVideo", videoId: v }, { actor: system }).then("NOT_FOUND")
  })

  it("deletes once, with the owner in the event", () => {
    given([created]).when({ _tag: "DeleteVideo", videoId: v }).then([deleted])
    given([created, deleted]).when({ _tag: "DeleteVideo", videoId: v }).then("NOT_FOUND")
  })
})

describe("video: moderation", () => {
  const takenDown: VideoEvent = { _tag: "VideoTakenDown", videoId: v, reason: "spam", by: "carol", at: T0 }

  it("is taken down and restored by admins only", () => {
    given([created, madePublic]).when({ _tag: "TakeDownVideo", videoId: v, reason: "spam" }, { actor: carol }).then([takenDown])
    given([created, madePublic]).when({ _tag: "TakeDownVideo", videoId: v, reason: "spam" }, { actor: bob }).then("FORBIDDEN")
    given([created, madePublic]).when({ _tag: "TakeDownVideo", videoId: v, reason: "spam" }, { actor: alice }).then("FORBIDDEN")
    given([created, madePublic, takenDown]).when({ _tag: "TakeDownVideo", videoId: v, reason: "spam" }, { actor: carol }).then([])
    given([created, madePublic, takenDown]).when({ _tag: "RestoreVideo", videoId: v }, { actor: alice }).then("FORBIDDEN")
    given([created, madePublic, takenDown]).when({ _tag: "RestoreVideo", videoId: v }, { actor: carol })
      .then([{ _tag: "VideoRestored", videoId: v, by: "carol", at: T0 }])
    given([created]).when({ _tag: "RestoreVideo", videoId: v }, { actor: carol }).then([])
  })

  it("keeps the owner's publishing from lifting a takedown, and hides a taken-down video from others", () => {
    const { state } = given([created, madePublic, takenDown, { _tag: "VideoUnpublished", videoId: v, by: "alice", at: T0 }])
      .when({ _tag: "PublishVideo", videoId: v })
      .then([{ _tag: "VideoPublished", videoId: v, by: "alice", at: T0 }])
    expect(state.status === "Active" && state.takedown?.reason).toBe("spam")
    given([created, madePublic, takenDown]).when({ _tag: "EditVideo", videoId: v, title: "x" }, { actor: bob }).then("NOT_FOUND")
  })
})

describe("video: allowed origins (hotlink protection)", () => {
  const set = (origins: ReadonlyArray<string>) => ({ _tag: "SetVideoAllowedOrigins", videoId: v, origins }) as const
  const allowed: VideoEvent = { _tag: "VideoAllowedOriginsSet", videoId: v, origins: ["https://player.example"], by: "alice", at: T0 }

  it("records the list normalized (lower case, default port dropped, duplicates removed); the same set again changes nothing", () => {
    const { state } = given([created]).when(set(["HTTPS://Player.Example:443/", "http://localhost:8080", "https://player.example"]))
      .then([{ ...allowed, origins: ["https://player.example", "http://localhost:8080"] }])
    expect(state.status === "Active" && state.allowedOrigins).toEqual(["https://player.example", "http://localhost:8080"])
    given([created, allowed]).when(set(["https://player.example/"])).then([])
    given([created, { ...allowed, origins: ["https://a.example", "https://b.example"] }]).when(set(["https://b.example", "https://a.example"])).then([])
    given([created]).when(set([])).then([])
  })

  it("clears the list with [] (any origin again)", () => {
    const { state } = given([created, allowed]).when(set([])).then([{ ...allowed, origins: [] }])
    expect(state.status === "Active" && state.allowedOrigins).toEqual([])
  })

  it("refuses what is not an origin, and more than 20, with VIDEO_ORIGINS_INVALID", () => {
    for (const bad of ["not a url", "https://player.example/watch", "https://player.example?x=1", "https://player.example#top", "ftp://player.example", "https://user:pw@player.example", "https://*.example", "player.example", "https://", " "]) {
      given([created]).when(set([bad])).then("VIDEO_ORIGINS_INVALID")
    }
    const many = Array.from({ length: 21 }, (_, i) => `https://site${i}.example`)
    const { error } = given([created]).when(set(many)).then("VIDEO_ORIGINS_INVALID")
    expect(error?.message).toBe("The allowed origins are refused: more than 20 distinct origins.")
    given([created]).when(set(many.slice(0, 20))).then([{ ...allowed, origins: many.slice(0, 20) }])
  })

  it("is the owner's (or an admin's): 404 to one who may not see it, 403 NOT_OWNER to one who may, nothing for the system", () => {
    given([created]).when(set(["https://player.example"]), { actor: carol }).then([{ ...allowed, by: "carol" }])
    given([created]).when(set(["https://player.example"]), { actor: bob }).then("NOT_FOUND")
    given([created, madePublic]).when(set(["https://player.example"]), { actor: bob }).then("NOT_OWNER")
    given([created]).when(set(["https://player.example"]), { actor: system }).then("NOT_FOUND")
    given([]).when(set(["https://player.example"])).then("NOT_FOUND")
    given([created, deleted]).when(set(["https://player.example"])).then("NOT_FOUND")
  })
})
