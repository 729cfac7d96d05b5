/** A JPEG poster frame: at 1 s, or at the midpoint of clips shorter than 2 s, at a bounded width. */
import { mkdir, rm, stat } from "node:fs/promises"
import { dirname } from "node:path"
import { Effect } from "effect"
import { type FfmpegPaths, runFfmpeg } from "./Ffmpeg.ts"
import { type FfmpegFailed, type FfmpegNotFound, MediaFileError, type ProbeError } from "./MediaError.ts"
import { inputWhitelist } from "./InputWhitelist.ts"
import { DEFAULT_ACCEPTED_FORMATS, type MediaInfo, type ProbeOptions, probeFile } from "./MediaProbe.ts"

export interface ThumbnailOptions extends ProbeOptions {
  readonly info?: MediaInfo | undefined
  /** Largest width; narrower sources keep theirs. Default 640. */
  readonly maxWidth?: number | undefined
}

export interface ThumbnailResult {
  readonly path: string
  readonly width: number
  readonly height: number
  readonly atSeconds: number
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2))

/** When to take the frame: 1 s in, or the middle of a clip shorter than 2 s (unknown duration: 1 s). */
export const thumbnailTime = (durationSeconds: number | undefined): number =>
  durationSeconds !== undefined && durationSeconds < 2 ? Math.round((durationSeconds / 2) * 1000) / 1000 : 1

/** Writes the thumbnail JPEG to `output` (its directory is created), keeping the display aspect ratio. */
export const thumbnail = (
  paths: FfmpegPaths,
  input: string,
  output: string,
  options: ThumbnailOptions = {}
): Effect.Effect<ThumbnailResult, ProbeError | FfmpegFailed | FfmpegNotFound | MediaFileError> =>
  Effect.gen(function*() {
    const info = options.info ?? (yield* probeFile(paths, input, options))
    const width = even(Math.min(options.maxWidth ?? 640, info.width))
    const height = even((info.height * width) / info.width)
    const whitelist = inputWhitelist(options.acceptedFormats ?? DEFAULT_ACCEPTED_FORMATS)
    const fail = (e: unknown) => new MediaFileError({ path: output, reason: (e as Error).message })
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dirname(output), { recursive: true })
        await rm(output, { force: true })
      },
      catch: fail
    })
    const grab = (atSeconds: number) =>
      runFfmpeg(paths, {
        operation: "thumbnail",
        // The whitelist: the user's original opens nothing else. -ss before -i: a fast seek to the nearest
        // earlier keyframe, then decode up to the exact time.
        inputs: [{ path: input, options: [...whitelist, "-ss", atSeconds.toFixed(3)] }],
        outputOptions: ["-frames:v", "1", "-vf", `scale=${width}:${height},setsar=1`, "-q:v", "3", "-f", "image2", "-update", "1"],
        output
      }).pipe(Effect.andThen(Effect.promise(() => stat(output).then((s) => s.size > 0, () => false))))
    let atSeconds = thumbnailTime(info.durationSeconds)
    // A container that overstates its duration can leave nothing at 1 s: fall back to the first frame.
    if (!(yield* grab(atSeconds)) && atSeconds > 0) {
      atSeconds = 0
      if (!(yield* grab(0))) return yield* fail(new Error("ffmpeg wrote no frame"))
    }
    return { path: output, width, height, atSeconds }
  })
