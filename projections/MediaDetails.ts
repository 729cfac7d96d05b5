/**
 * A video's media facts as the read models keep them. The authoritative source is the
 * `PublishedMedia` on `UploadReady` (what publishing produced); before that, the flat
 * `details` of `MilestoneReached` / `StepCompleted` fill in what the workers already know
 * (keys: durationSeconds | duration (s) | durationMs, width, height, sizeBytes | size, sha256).
 */
import { Schema } from "effect"
import { type PublishedMedia, PublishedRendition, type StepDetails as StepDetailsSchema } from "../src/domain/upload/UploadCommands.ts"

export type StepDetails = typeof StepDetailsSchema.Type

const NullableNumber = Schema.NullOr(Schema.Finite)
const NullableString = Schema.NullOr(Schema.String)

export const MediaFacts = Schema.Struct({
  durationSeconds: NullableNumber,
  width: NullableNumber.annotate({ description: "display width of the source (after rotation)" }),
  height: NullableNumber,
  renditions: Schema.Array(PublishedRendition),
  masterPlaylistUrl: NullableString.annotate({
    description: "where the master playlist sits among the video's files (`/media/<id>/master.m3u8`, or an absolute URL): not served there; " +
      "play it at the signed URL of `GET /videos/{id}/playback` (`/play/<token>/master.m3u8`: the same path below `/play/<token>/`)"
  }),
  thumbnailUrl: NullableString.annotate({ description: "`/media/<id>/thumbnail.jpg`: served there without a token for a public video, else below `/play/<token>/`" }),
  thumbnailWidth: NullableNumber,
  thumbnailHeight: NullableNumber,
  sizeBytes: NullableNumber,
  sha256: NullableString
})
export type MediaFacts = typeof MediaFacts.Type

export const noMedia: MediaFacts = {
  durationSeconds: null,
  width: null,
  height: null,
  renditions: [],
  masterPlaylistUrl: null,
  thumbnailUrl: null,
  thumbnailWidth: null,
  thumbnailHeight: null,
  sizeBytes: null,
  sha256: null
}

const num = (v: unknown): number | null => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN
  return Number.isFinite(n) ? n : null
}
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null)
const first = <A>(d: StepDetails, keys: ReadonlyArray<string>, read: (v: unknown) => A | null): A | null => {
  for (const k of keys) {
    const v = k in d ? read(d[k]) : null
    if (v !== null) return v
  }
  return null
}

/** The facts a step's `details` adds to `current` (absent keys leave a fact as it was). */
export const mergeMediaDetails = (current: MediaFacts, details: StepDetails | undefined): MediaFacts => {
  if (details === undefined) return current
  const seconds = first(details, ["durationSeconds", "duration"], num)
  const ms = first(details, ["durationMs"], num)
  return {
    ...current,
    durationSeconds: seconds ?? (ms !== null ? ms / 1000 : current.durationSeconds),
    width: first(details, ["width"], num) ?? current.width,
    height: first(details, ["height"], num) ?? current.height,
    sizeBytes: first(details, ["sizeBytes", "size"], num) ?? current.sizeBytes,
    sha256: first(details, ["sha256"], str) ?? current.sha256
  }
}

/** What publishing produced replaces everything known before. */
export const publishedMedia = (media: typeof PublishedMedia.Type): MediaFacts => ({
  durationSeconds: media.durationSeconds,
  width: media.width,
  height: media.height,
  renditions: media.renditions.map((r) => ({ ...r })),
  masterPlaylistUrl: media.masterPlaylistUrl,
  thumbnailUrl: media.thumbnailUrl,
  thumbnailWidth: media.thumbnailWidth,
  thumbnailHeight: media.thumbnailHeight,
  sizeBytes: media.sizeBytes,
  sha256: media.sha256
})
