/** What the transcode step leaves beside its output (`work/<id>/a<n>/manifest.json`) for the publish step. */
import { Schema } from "effect"

/** Written by the transcode step beside its output, last: a manifest means the whole output is there. */
export const MANIFEST = "manifest.json"

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const Dimension = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

export const TranscodeManifest = Schema.Struct({
  /** Every output file, relative to the output directory; the master playlist is among them. */
  files: Schema.Array(Schema.String),
  masterPlaylist: Schema.String,
  renditions: Schema.Array(Schema.Struct({
    name: Schema.String,
    width: Dimension,
    height: Dimension,
    bandwidth: Dimension,
    averageBandwidth: Dimension,
    codecs: Schema.String,
    frameRate: Schema.Finite,
    /** Relative to the output directory, e.g. `720p/index.m3u8`. */
    playlist: Schema.String,
    segments: Count
  })),
  thumbnail: Schema.Struct({ file: Schema.String, width: Dimension, height: Dimension }),
  durationSeconds: Schema.Finite,
  width: Dimension,
  height: Dimension
})
export type TranscodeManifest = typeof TranscodeManifest.Type

export const TranscodeManifestJson = Schema.fromJsonString(TranscodeManifest)
