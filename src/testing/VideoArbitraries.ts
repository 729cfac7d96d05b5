/** Arbitraries for the video aggregate, derived from its schemas. */
import * as fc from "fast-check"
import { MAX_TITLE_LENGTH, VideoCommand } from "../domain/video/VideoCommands.ts"
import { VideoEvent } from "../domain/video/VideoEvents.ts"
import { oneIn, pick, weighted } from "./Pools.ts"
import { byTag, fromSchema } from "./SchemaArbitrary.ts"
import { T0 } from "./TestContext.ts"

const videos = ["video-1", "video-1", "video-1", "video-1", "video-1", "video-2"] as const
const categories = ["music", "gaming", null] as const
const tooMany = Array.from({ length: 21 }, (_, i) => `https://site${i}.example`)
/** Allowed-origin lists: none, the same set written differently, duplicates, a path, a non-URL, one too many. */
const originLists: ReadonlyArray<ReadonlyArray<string>> = [
  [],
  ["https://player.example"],
  ["HTTPS://Player.Example:443/"],
  ["https://player.example", "http://localhost:8080"],
  ["http://localhost:8080", "https://player.example", "https://player.example"],
  ["https://player.example/watch"],
  ["not a url"],
  tooMany,
  tooMany.slice(0, 20)
]

/** Ids into small pools; some titles blank or too long, categories from a few slugs, origin lists from a few good and bad ones. */
const intoPools = (command: VideoCommand): VideoCommand => {
  const videoId = pick(videos, command.videoId)
  switch (command._tag) {
    case "CreateVideo":
      return { ...command, videoId, ownerId: "alice" }
    case "EditVideo": {
      const title = command.title === undefined
        ? undefined
        : oneIn(8, command.title)
        ? "x".repeat(MAX_TITLE_LENGTH + 1)
        : oneIn(7, command.title)
        ? "  "
        : command.title
      return { ...command, videoId, ...(title === undefined ? {} : { title }) }
    }
    case "SetVideoCategory":
      return { ...command, videoId, category: pick(categories, String(command.category)) }
    case "SetVideoAllowedOrigins":
      return { ...command, videoId, origins: pick(originLists, command.origins.join(" ")) }
    default:
      return { ...command, videoId }
  }
}

const commands = byTag(VideoCommand)

/** video-1 of alice, private and published at `T0`. */
const created = byTag(VideoEvent).VideoCreated.map((event): VideoEvent => ({
  ...event,
  videoId: "video-1",
  ownerId: "alice",
  title: "Holiday",
  visibility: "private",
  published: true,
  at: T0
}))

export const videoArbitraries = {
  /** Any valid video command. */
  command: fromSchema(VideoCommand) as fc.Arbitrary<VideoCommand>,
  /** Any valid video event. */
  event: fromSchema(VideoEvent) as fc.Arbitrary<VideoEvent>,
  commands,
  events: byTag(VideoEvent),
  /** Commands on one or two videos, weighted toward visibility, publishing and moderation. */
  interacting: weighted(commands, {
    CreateVideo: 1,
    EditVideo: 3,
    SetVideoCategory: 2,
    SetVideoVisibility: 4,
    PublishVideo: 3,
    UnpublishVideo: 3,
    DeleteVideo: 1,
    TakeDownVideo: 2,
    RestoreVideo: 2,
    SetVideoAllowedOrigins: 2
  }).map(intoPools),
  /** Mostly from a created video, sometimes from nothing. */
  given: fc.oneof(
    { arbitrary: fc.constant<ReadonlyArray<VideoEvent>>([]), weight: 1 },
    { arbitrary: created.map((event) => [event]), weight: 4 }
  )
}
