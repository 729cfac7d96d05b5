/** Probes a media file with ffprobe: the facts the pipeline needs, and whether it is an accepted video at all. */
import { stat } from "node:fs/promises"
import { Effect } from "effect"
import { ffprobe, type FfmpegPaths, type FfprobeOutput } from "./Ffmpeg.ts"
import { inputWhitelist, isSelfContained, whitelistOptions } from "./InputWhitelist.ts"
import { type FormatRefused, MediaFileError, NotAVideo, type ProbeError, UnsupportedContainer } from "./MediaError.ts"

export const DEFAULT_ACCEPTED_FORMATS: ReadonlyArray<string> = ["mp4", "mov", "avi", "mkv", "webm"]

export interface MediaInfo {
  /** Seconds; undefined when the container does not say (e.g. some MediaRecorder WebM files). */
  readonly durationSeconds: number | undefined
  /** Display dimensions: after rotation (a portrait phone clip is taller than wide) and square pixels. */
  readonly width: number
  readonly height: number
  /** Clockwise rotation the player applies to the stored frames: 0, 90, 180 or 270. */
  readonly rotation: 0 | 90 | 180 | 270
  readonly videoCodec: string
  /** Undefined when the file has no audio stream. */
  readonly audioCodec: string | undefined
  /** Frames per second (average), rounded to 3 decimals. */
  readonly frameRate: number
  /** ffprobe's format name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  readonly formatName: string
  /** The container as the settings name it: mp4, mov, mkv, webm, avi, or ffprobe's name for others. */
  readonly container: string
  /** Overall bit rate, bits per second, when known. */
  readonly bitRate: number | undefined
  readonly sizeBytes: number
}

const num = (s: string | undefined): number | undefined => {
  const n = s === undefined ? Number.NaN : Number(s)
  return Number.isFinite(n) ? n : undefined
}

const ratio = (s: string | undefined): number | undefined => {
  const [a, b] = (s ?? "").split(/[/:]/).map(Number)
  return a !== undefined && b !== undefined && a > 0 && b > 0 ? a / b : undefined
}

const WEBM_CODECS = new Set(["vp8", "vp9", "av1", "opus", "vorbis"])

/** ffprobe groups containers by demuxer; the brand (mp4 family) and the codecs (Matroska) tell them apart. */
const containerOf = (probe: FfprobeOutput): string => {
  const formatName = probe.format?.format_name ?? "unknown"
  if (formatName.startsWith("mov,mp4")) {
    const brand = (probe.format?.tags?.["major_brand"] ?? "").trim().toLowerCase()
    if (brand === "qt" || brand === "") return "mov"
    if (brand.startsWith("3g")) return "3gp"
    if (brand === "m4a") return "m4a"
    return "mp4"
  }
  if (formatName === "matroska,webm") {
    const codecs = (probe.streams ?? []).map((s) => s.codec_name ?? "").filter((c) => c !== "")
    return codecs.every((c) => WEBM_CODECS.has(c)) ? "webm" : "mkv"
  }
  return formatName.split(",")[0] ?? formatName
}

/** Clockwise degrees from the display matrix (counter-clockwise in ffprobe) or the legacy `rotate` tag. */
const rotationOf = (stream: NonNullable<FfprobeOutput["streams"]>[number]): 0 | 90 | 180 | 270 => {
  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === "number")?.rotation
  const degrees = matrix !== undefined ? -matrix : num(stream.tags?.["rotate"]) ?? 0
  const cw = (((Math.round(degrees / 90) * 90) % 360) + 360) % 360
  return cw as 0 | 90 | 180 | 270
}

/** The facts from ffprobe's output, or why it is not an accepted video. Pure, for tests and reuse. */
export const describeProbe = (
  probe: FfprobeOutput,
  sizeBytes: number,
  accepted: ReadonlyArray<string>
): Effect.Effect<MediaInfo, NotAVideo | UnsupportedContainer> =>
  Effect.gen(function*() {
    const streams = probe.streams ?? []
    const video = streams.find((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1)
    if (video === undefined || !video.width || !video.height) {
      return yield* new NotAVideo({ reason: "ffprobe found no video stream" })
    }
    const container = containerOf(probe)
    if (!accepted.includes(container)) return yield* new UnsupportedContainer({ container, accepted })
    const audio = streams.find((s) => s.codec_type === "audio")
    const rotation = rotationOf(video)
    const sar = ratio(video.sample_aspect_ratio) ?? 1
    // Square the pixels (anamorphic sources), then turn: what a player shows.
    const storedWidth = Math.round(video.width * sar)
    const [width, height] = rotation === 90 || rotation === 270 ? [video.height, storedWidth] : [storedWidth, video.height]
    const fps = ratio(video.avg_frame_rate) ?? ratio(video.r_frame_rate) ?? 0
    return {
      durationSeconds: num(probe.format?.duration) ?? num(video.duration),
      width,
      height,
      rotation,
      videoCodec: video.codec_name ?? "unknown",
      audioCodec: audio?.codec_name,
      frameRate: Math.round(fps * 1000) / 1000,
      formatName: probe.format?.format_name ?? "unknown",
      container,
      bitRate: num(probe.format?.bit_rate),
      sizeBytes
    }
  })

export interface ProbeOptions {
  /** Containers accepted (ACCEPTED_VIDEO_FORMATS); default mp4, mov, avi, mkv, webm. */
  readonly acceptedFormats?: ReadonlyArray<string> | undefined
}

/**
 * A file ffprobe refused before reading it (its demuxer is not on the whitelist). A demuxer that reads only
 * its own file is probed again on its own, so the reason names the container as the settings do (an mp4 when
 * only webm is accepted); any other (a playlist, a list) is refused by its demuxer's name, unopened.
 */
const refusedContainer = (
  paths: FfmpegPaths,
  path: string,
  refused: FormatRefused,
  accepted: ReadonlyArray<string>
): Effect.Effect<FfprobeOutput, ProbeError> =>
  isSelfContained(refused.demuxer)
    ? ffprobe(paths, path, whitelistOptions([refused.demuxer])).pipe(
      Effect.catchTag("FormatRefused", () => Effect.fail(new NotAVideo({ reason: "ffprobe refused its format" })))
    )
    : Effect.fail(new UnsupportedContainer({ container: refused.demuxer.split(",")[0] ?? refused.demuxer, accepted }))

/**
 * Probes a local file: its facts, or a typed reason a person can read why it is not an accepted video.
 * ffprobe runs with the input whitelist of the accepted containers, so it opens nothing but this file.
 */
export const probeFile = (
  paths: FfmpegPaths,
  path: string,
  options?: ProbeOptions
): Effect.Effect<MediaInfo, ProbeError | MediaFileError> =>
  Effect.gen(function*() {
    const st = yield* Effect.tryPromise({
      try: () => stat(path),
      catch: (e) => new MediaFileError({ path, reason: (e as Error).message })
    })
    if (!st.isFile()) return yield* new MediaFileError({ path, reason: "not a file" })
    if (st.size === 0) return yield* new NotAVideo({ reason: "the file is empty" })
    const accepted = options?.acceptedFormats ?? DEFAULT_ACCEPTED_FORMATS
    const probe = yield* ffprobe(paths, path, inputWhitelist(accepted)).pipe(
      Effect.catchTag("FormatRefused", (refused) => refusedContainer(paths, path, refused, accepted))
    )
    return yield* describeProbe(probe, st.size, accepted)
  })
