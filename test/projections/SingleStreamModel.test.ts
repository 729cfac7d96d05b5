/** `singleStreamModel`: a read model of one document per aggregate, its subscription and decoding derived from the aggregate. */
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { eventTypesOf } from "../../projections/DomainEvents.ts"
import { VideoEvent } from "../../src/domain/video/VideoEvents.ts"
import { RoomsProjection, StreamsProjection, UploadsProjection, VideosProjection } from "../../projections/index.ts"
import { foldSequential } from "../../projections/ProjectionReplay.ts"
import { singleStreamModel } from "../../projections/SingleStreamModel.ts"
import { RoomEvent } from "../../src/domain/room/RoomEvents.ts"
import { makeEventCodec } from "../../src/domain/shared/VersionedEventCodec.ts"
import { StreamEvent } from "../../src/domain/stream/StreamEvents.ts"
import { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { type HistoryAppend, toRecorded } from "./RealisticHistory.ts"

const Counted = Schema.TaggedStruct("Counted", { tallyId: Schema.String, by: Schema.Finite })
const Renamed = Schema.TaggedStruct("Renamed", { tallyId: Schema.String, name: Schema.String })
const Pinged = Schema.TaggedStruct("Pinged", { tallyId: Schema.String })
const TallyEvent = Schema.Union([Counted, Renamed, Pinged])
type TallyEvent = typeof TallyEvent.Type
const TallyCodec = makeEventCodec(TallyEvent)

interface Tally {
  readonly name: string
  readonly total: number
  readonly revision: number
}

const Tallies = singleStreamModel({
  name: "tallies",
  version: 3,
  model: "tally",
  aggregate: { category: "tally", events: TallyCodec },
  events: TallyEvent,
  ignores: ["Pinged"],
  evolve: (doc: Tally | undefined, event, place): Tally | undefined => {
    // @ts-expect-error an ignored event type is never handed to evolve
    if (event._tag === "Pinged") return doc
    if (event._tag === "Counted") return { name: doc?.name ?? "", total: (doc?.total ?? 0) + event.by, revision: place.revision }
    return doc === undefined || doc.name === event.name ? doc : { ...doc, name: event.name, revision: place.revision }
  },
  indexes: (doc, id) => [{ index: "byName", value: doc.name, score: doc.total }, { index: "all", score: id.length }]
})

const stored = (stream: string, ...events: Array<TallyEvent>): HistoryAppend => ({
  stream,
  events: events.map((e) => {
    const { type, data, schemaVersion } = TallyCodec.encode(e)
    return { type, data, metadata: { schemaVersion } }
  })
})

describe("singleStreamModel", () => {
  it("subscribes to the event union's types less the ignored ones, on the aggregate's streams", () => {
    expect(Tallies).toMatchObject({ name: "tallies", version: 3, handles: ["Counted", "Renamed"], streamPrefixes: ["tally-"] })
    expect(Object.keys(Tallies.models)).toEqual(["tally"])
    expect(Tallies.models.tally.indexes?.({ name: "n", total: 5, revision: 0 }, "a-1")).toEqual([
      { index: "byName", value: "n", score: 5 },
      { index: "all", score: 3 }
    ])
    expect(() =>
      singleStreamModel({
        name: "x",
        version: 1,
        model: "x",
        aggregate: { category: "tally", events: TallyCodec },
        events: TallyEvent,
        // @ts-expect-error only the union's own types can be ignored
        ignores: ["Nope"],
        evolve: (doc: Tally | undefined) => doc,
        indexes: () => []
      })
    ).not.toThrow()
  })

  it("touches the document named by the stream's id, folds decoded events, and reports no change for the same document", () => {
    const [counted, renamed, same, pinged] = toRecorded([
      stored("tally-a-1", { _tag: "Counted", tallyId: "a-1", by: 2 }, { _tag: "Renamed", tallyId: "a-1", name: "apples" }),
      stored("tally-a-1", { _tag: "Renamed", tallyId: "a-1", name: "apples" }, { _tag: "Pinged", tallyId: "a-1" })
    ])
    expect(Tallies.touches(counted!)).toEqual([{ model: "tally", id: "a-1" }])
    const first = Tallies.evolve({ get: () => undefined }, counted!)
    expect(first).toEqual([{ model: "tally", id: "a-1", doc: { name: "", total: 2, revision: 0 } }])
    const named = { name: "apples", total: 2, revision: 1 }
    expect(Tallies.evolve({ get: () => first[0]!.doc }, renamed!)).toEqual([{ model: "tally", id: "a-1", doc: named }])
    expect(Tallies.evolve({ get: () => named }, same!)).toEqual([])
    expect(Tallies.evolve({ get: () => named }, pinged!), "an ignored event delivered anyway").toEqual([])
    expect(foldSequential(Tallies, [counted!, renamed!, same!, pinged!]).get("tally")).toEqual(new Map([["a-1", named]]))
  })

  it("a stored event that does not decode throws, naming where it is", () => {
    const [bad] = toRecorded([{ stream: "tally-b", events: [{ type: "Counted", data: { tallyId: "b", by: "many" }, metadata: { schemaVersion: 1 } }] }])
    expect(() => Tallies.evolve({ get: () => undefined }, bad!)).toThrow(/tally-b@0 \(Counted\) does not decode/)
  })

  it("Keyframe's single-stream read models take their subscriptions from their aggregates' event unions (videos: five, with the views and ratings it counts)", () => {
    expect(RoomsProjection).toMatchObject({ handles: eventTypesOf(RoomEvent), streamPrefixes: ["room-"] })
    expect(StreamsProjection).toMatchObject({ handles: eventTypesOf(StreamEvent), streamPrefixes: ["stream-"] })
    expect(UploadsProjection).toMatchObject({ handles: eventTypesOf(UploadEvent), streamPrefixes: ["upload-"] })
    const catalogIgnores = ["BytesReceived", "StepClaimed", "StepFailed", "ChunkUploaded"]
    expect(VideosProjection).toMatchObject({ streamPrefixes: ["upload-", "video-", "catalog-", "view-", "rating-"] })
    expect(VideosProjection.handles).toEqual(expect.arrayContaining([...eventTypesOf(UploadEvent).filter((t) => !catalogIgnores.includes(t)), ...eventTypesOf(VideoEvent)]))
    for (const ignored of catalogIgnores) expect(VideosProjection.handles).not.toContain(ignored)
    expect(eventTypesOf(RoomEvent)).toEqual(["RoomOpened", "MemberJoined", "MemberLeft", "ChatPosted", "PlaybackChanged", "PlaybackReady", "PlaybackControlChanged", "HostHandedOver", "RoomClosed"])
  })
})
