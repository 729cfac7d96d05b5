/** Typed failures of the ffprobe/ffmpeg wrappers; each message is meant for a person (it may end up as an upload's failure reason). */
import { Data } from "effect"
import { readableLine } from "./FfmpegLog.ts"

/** ffmpeg or ffprobe cannot be run (missing, not executable, or lacking an encoder Keyframe needs). */
export class FfmpegNotFound extends Data.TaggedError("FfmpegNotFound")<{
  readonly binary: "ffmpeg" | "ffprobe"
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    const setting = this.binary === "ffmpeg" ? "FFMPEG_PATH" : "FFPROBE_PATH"
    const state = this.reason === "no such executable" ? "not found" : "not usable"
    return `${this.binary} ${state} at ${this.path} (${this.reason}); install it with \`apt-get install ffmpeg\` or ` +
      `\`brew install ffmpeg\`, or set ${setting}`
  }
}

/** The file is not a video ffprobe can read (garbage, audio only, an image). */
export class NotAVideo extends Data.TaggedError("NotAVideo")<{ readonly reason: string }> {
  override get message() {
    return `not a video file: ${this.reason}`
  }
}

/** A video in a container the settings do not accept (ACCEPTED_VIDEO_FORMATS). */
export class UnsupportedContainer extends Data.TaggedError("UnsupportedContainer")<{
  readonly container: string
  readonly accepted: ReadonlyArray<string>
}> {
  override get message() {
    return `container '${this.container}' is not accepted; accepted: ${this.accepted.join(", ")}`
  }
}

/**
 * ffprobe/ffmpeg detected a demuxer that is not on the input whitelist (InputWhitelist.ts) and stopped before
 * reading the file: the probe turns it into UnsupportedContainer.
 */
export class FormatRefused extends Data.TaggedError("FormatRefused")<{ readonly demuxer: string }> {
  override get message() {
    return `its input's format (${this.demuxer}) is not on the whitelist of accepted containers`
  }
}

/** ffmpeg ran and failed (or was killed); `reason` is the tail of what it printed. */
export class FfmpegFailed extends Data.TaggedError("FfmpegFailed")<{
  readonly operation: string
  readonly reason: string
}> {
  override get message() {
    return `ffmpeg failed (${this.operation}): ${this.reason}`
  }
}

/** Reading or writing the local files around ffmpeg failed (output directory, playlists); the message names no directories. */
export class MediaFileError extends Data.TaggedError("MediaFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return readableLine(`${this.path}: ${this.reason}`)
  }
}

export type ProbeError = FfmpegNotFound | NotAVideo | UnsupportedContainer
export type MediaError = FfmpegNotFound | NotAVideo | UnsupportedContainer | FfmpegFailed | MediaFileError
