/** The media service: ffprobe facts, the HLS ladder and thumbnails, on the configured ffmpeg/ffprobe binaries. */
import { Context, Effect, Layer } from "effect"
import { checkFfmpeg, defaultPaths, type FfmpegPaths } from "./Ffmpeg.ts"
import { type HlsLadderOptions, type HlsLadderResult, hlsLadder } from "./HlsLadder.ts"
import type { FfmpegFailed, FfmpegNotFound, MediaFileError, ProbeError } from "./MediaError.ts"
import { DEFAULT_ACCEPTED_FORMATS, type MediaInfo, probeFile } from "./MediaProbe.ts"
import { thumbnail, type ThumbnailOptions, type ThumbnailResult } from "./Thumbnail.ts"

export interface MediaOptions {
  /** `FFMPEG_PATH`; default `ffmpeg` on PATH. */
  readonly ffmpegPath?: string | undefined
  /** `FFPROBE_PATH`; default `ffprobe` on PATH. */
  readonly ffprobePath?: string | undefined
  /** `ACCEPTED_VIDEO_FORMATS`; default mp4, mov, avi, mkv, webm. */
  readonly acceptedFormats?: ReadonlyArray<string> | undefined
  /** x264 preset for the ladder; default `veryfast`. */
  readonly preset?: string | undefined
}

export interface MediaShape {
  readonly paths: FfmpegPaths
  /** Probes a local file; fails with NotAVideo / UnsupportedContainer carrying a reason a person can read. */
  probe(path: string): Effect.Effect<MediaInfo, ProbeError | MediaFileError>
  /**
   * Transcodes a local file into the HLS ladder under `outputDir` (one ffmpeg process). Interruption, for
   * instance by Effect.timeout, kills ffmpeg.
   */
  hlsLadder(
    input: string,
    outputDir: string,
    options?: Omit<HlsLadderOptions, "acceptedFormats" | "preset">
  ): Effect.Effect<HlsLadderResult, ProbeError | FfmpegFailed | FfmpegNotFound | MediaFileError>
  /** Writes a JPEG thumbnail of a local file to `output`. */
  thumbnail(
    input: string,
    output: string,
    options?: Omit<ThumbnailOptions, "acceptedFormats">
  ): Effect.Effect<ThumbnailResult, ProbeError | FfmpegFailed | FfmpegNotFound | MediaFileError>
  /** For start-up and /readyz: the binaries run and have the needed encoders. */
  readonly check: Effect.Effect<{ readonly ffmpegVersion: string; readonly ffprobeVersion: string }, FfmpegNotFound>
}

export const makeMedia = (options: MediaOptions = {}): MediaShape => {
  const paths: FfmpegPaths = {
    ffmpegPath: options.ffmpegPath ?? defaultPaths.ffmpegPath,
    ffprobePath: options.ffprobePath ?? defaultPaths.ffprobePath
  }
  const acceptedFormats = options.acceptedFormats ?? DEFAULT_ACCEPTED_FORMATS
  return {
    paths,
    probe: (path) => probeFile(paths, path, { acceptedFormats }),
    hlsLadder: (input, outputDir, ladderOptions) =>
      hlsLadder(paths, input, outputDir, { ...ladderOptions, acceptedFormats, preset: options.preset }),
    thumbnail: (input, output, thumbOptions) => thumbnail(paths, input, output, { ...thumbOptions, acceptedFormats }),
    check: checkFfmpeg(paths)
  }
}

export class Media extends Context.Service<Media, MediaShape>()("keyframe/Media") {
  /** The service on the given binaries; it does not run them (see `layerChecked`). */
  static readonly layer = (options: MediaOptions = {}): Layer.Layer<Media> => Layer.succeed(Media, makeMedia(options))
  /** Same, but fails to build with FfmpegNotFound (a message saying how to install ffmpeg) when the binaries are unusable. */
  static readonly layerChecked = (options: MediaOptions = {}): Layer.Layer<Media, FfmpegNotFound> =>
    Layer.effect(Media, Effect.suspend(() => {
      const media = makeMedia(options)
      return Effect.as(media.check, media)
    }))
}

export { checkFfmpeg }
