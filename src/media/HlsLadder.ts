/** Transcodes a source into the H.264/AAC HLS ladder in ONE ffmpeg process (a cascade of scalers + var_stream_map), then writes the master playlist. */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { type FfmpegJob, type FfmpegPaths, type FfmpegProgress, runFfmpeg } from "./Ffmpeg.ts"
import { type FfmpegFailed, type FfmpegNotFound, MediaFileError, type ProbeError } from "./MediaError.ts"
import { inputWhitelist } from "./InputWhitelist.ts"
import { DEFAULT_ACCEPTED_FORMATS, type MediaInfo, type ProbeOptions, probeFile } from "./MediaProbe.ts"
import { masterPlaylist, measureBandwidth, parseMediaPlaylist, type VariantStream } from "./HlsPlaylist.ts"
import { AAC_LC, avcCodec, planLadder, type Rendition } from "./HlsRenditions.ts"

export const MASTER_PLAYLIST = "master.m3u8"

export interface HlsLadderOptions extends ProbeOptions {
  /** The source's probe, when the caller has it already (otherwise the source is probed first). */
  readonly info?: MediaInfo | undefined
  /** Target segment length; keyframes are forced at every multiple of it. Default 4 s. */
  readonly segmentSeconds?: number | undefined
  /** x264 preset; default `veryfast`. */
  readonly preset?: string | undefined
  /** Replaces the planned ladder (benchmarks run one rendition per process with the same settings). */
  readonly renditions?: ReadonlyArray<Rendition> | undefined
  readonly onProgress?: ((progress: FfmpegProgress) => void) | undefined
  readonly onStart?: ((pid: number | undefined) => void) | undefined
}

export interface RenditionOutput extends Rendition {
  /** The rendition's media playlist, relative to the output directory (`720p/index.m3u8`). */
  readonly playlist: string
  readonly bandwidth: number
  readonly averageBandwidth: number
  readonly codecs: ReadonlyArray<string>
  readonly frameRate: number
  readonly segments: number
  readonly durationSeconds: number
}

export interface HlsLadderResult {
  /** The master playlist, relative to the output directory. */
  readonly masterPlaylist: string
  readonly renditions: ReadonlyArray<RenditionOutput>
  /** Every file written, relative to the output directory, for publishing. */
  readonly files: ReadonlyArray<string>
}

/**
 * The scaling graph, as a cascade: the pixel format is converted once, the largest rendition is
 * scaled from the source and each smaller one from the next larger (a scaler reading 720p frames
 * instead of 1080p ones): ~7% less CPU for the whole ladder than one scaler per rendition from the
 * source. Output labels stay `[v<i>]` in the ladder's own order.
 */
export const cascadeFilter = (renditions: ReadonlyArray<Rendition>): string => {
  const largestFirst = renditions.map((r, i) => ({ r, i })).sort((a, b) => b.r.height - a.r.height)
  const steps = ["[0:v]format=yuv420p[src]"]
  let from = "src"
  largestFirst.forEach(({ i, r }, k) => {
    const scaled = `[${from}]scale=${r.width}:${r.height},setsar=1`
    if (k === largestFirst.length - 1) {
      steps.push(`${scaled}[v${i}]`)
    } else {
      steps.push(`${scaled},split=2[v${i}][next${k}]`)
      from = `next${k}`
    }
  })
  return steps.join(";")
}

/** The ffmpeg job: one decode, the cascade of scalers, one HLS muxer with a stream per rendition. */
export const ladderJob = (
  input: string,
  outputDir: string,
  renditions: ReadonlyArray<Rendition>,
  info: MediaInfo,
  options: HlsLadderOptions
): FfmpegJob => {
  const segment = options.segmentSeconds ?? 4
  const gop = Math.max(1, Math.round((info.frameRate || 30) * segment))
  const audio = info.audioCodec !== undefined
  const perStream = (f: (r: Rendition, i: number) => ReadonlyArray<string | number>) =>
    renditions.flatMap((r, i) => f(r, i).map(String))
  const filter = cascadeFilter(renditions)
  return {
    operation: "hls ladder",
    // The user's original: ffmpeg may open it only with an accepted container's demuxer, and nothing else.
    inputs: [{ path: input, options: inputWhitelist(options.acceptedFormats ?? DEFAULT_ACCEPTED_FORMATS) }],
    complexFilter: filter,
    outputOptions: [
      ...perStream((_, i) => (audio ? ["-map", `[v${i}]`, "-map", "0:a:0"] : ["-map", `[v${i}]`])),
      ...["-c:v", "libx264", "-preset", options.preset ?? "veryfast", "-profile:v", "high"],
      ...perStream((r, i) => [
        `-b:v:${i}`,
        r.videoBitrate,
        `-maxrate:v:${i}`,
        Math.round(r.videoBitrate * 1.1),
        `-bufsize:v:${i}`,
        r.videoBitrate * 2,
        `-level:v:${i}`,
        (r.level / 10).toFixed(1)
      ]),
      // Keyframes at every segment boundary, and only there: segments of all renditions line up.
      ...["-g", String(gop), "-keyint_min", String(gop), "-sc_threshold", "0"],
      ...["-force_key_frames", `expr:gte(t,n_forced*${segment})`],
      ...(audio ? ["-c:a", "aac", "-ac", "2", "-ar", "48000", ...perStream((r, i) => [`-b:a:${i}`, r.audioBitrate])] : []),
      ...["-max_muxing_queue_size", "2048", "-f", "hls", "-hls_time", String(segment), "-hls_playlist_type", "vod"],
      ...["-hls_list_size", "0", "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts"],
      ...["-hls_segment_filename", join(outputDir, "%v", "segment_%03d.ts")],
      "-var_stream_map",
      renditions.map((r, i) => (audio ? `v:${i},a:${i},name:${r.name}` : `v:${i},name:${r.name}`)).join(" ")
    ],
    output: join(outputDir, "%v", "index.m3u8"),
    durationSeconds: info.durationSeconds,
    onProgress: options.onProgress,
    onStart: options.onStart
  }
}

const fileError = (path: string) => (e: unknown) => new MediaFileError({ path, reason: (e as Error).message })

/** Measures what ffmpeg wrote for one rendition. */
const describeRendition = (outputDir: string, r: Rendition, info: MediaInfo) =>
  Effect.tryPromise({
    try: async (): Promise<RenditionOutput> => {
      const playlist = `${r.name}/index.m3u8`
      const segments = parseMediaPlaylist(await readFile(join(outputDir, playlist), "utf8"))
      if (segments.length === 0) throw new Error("ffmpeg wrote a playlist without segments")
      const sized = await Promise.all(
        segments.map(async (s) => ({ ...s, bytes: (await stat(join(outputDir, r.name, s.uri))).size }))
      )
      const { average, peak } = measureBandwidth(sized)
      return {
        ...r,
        playlist,
        bandwidth: peak,
        averageBandwidth: average,
        codecs: info.audioCodec !== undefined ? [avcCodec(r.level), AAC_LC] : [avcCodec(r.level)],
        frameRate: info.frameRate || 30,
        segments: segments.length,
        durationSeconds: segments.reduce((n, s) => n + s.durationSeconds, 0)
      }
    },
    catch: fileError(join(outputDir, r.name))
  })

/**
 * Transcodes `input` into `outputDir`: `<rendition>/index.m3u8` + segments per rendition and `master.m3u8`.
 * Interrupting it (or Effect.timeout) kills ffmpeg. Earlier output of the same renditions is replaced.
 */
export const hlsLadder = (
  paths: FfmpegPaths,
  input: string,
  outputDir: string,
  options: HlsLadderOptions = {}
): Effect.Effect<HlsLadderResult, ProbeError | FfmpegFailed | FfmpegNotFound | MediaFileError> =>
  Effect.gen(function*() {
    const info = options.info ?? (yield* probeFile(paths, input, options))
    const renditions = options.renditions ?? planLadder(info.width, info.height, info.frameRate)
    yield* Effect.tryPromise({
      try: async () => {
        await rm(join(outputDir, MASTER_PLAYLIST), { force: true })
        for (const r of renditions) {
          await rm(join(outputDir, r.name), { recursive: true, force: true })
          await mkdir(join(outputDir, r.name), { recursive: true })
        }
      },
      catch: fileError(outputDir)
    })
    yield* runFfmpeg(paths, ladderJob(input, outputDir, renditions, info, options))
    const outputs = yield* Effect.forEach(renditions, (r) => describeRendition(outputDir, r, info))
    const variants: ReadonlyArray<VariantStream> = outputs.map((o) => ({
      uri: o.playlist,
      bandwidth: o.bandwidth,
      averageBandwidth: o.averageBandwidth,
      codecs: o.codecs,
      width: o.width,
      height: o.height,
      frameRate: o.frameRate
    }))
    const master = join(outputDir, MASTER_PLAYLIST)
    const files = yield* Effect.tryPromise({
      try: async () => {
        await writeFile(`${master}.tmp`, masterPlaylist(variants))
        await rename(`${master}.tmp`, master)
        const perRendition = await Promise.all(
          renditions.map(async (r) => (await readdir(join(outputDir, r.name))).sort().map((f) => `${r.name}/${f}`))
        )
        return [MASTER_PLAYLIST, ...perRendition.flat()]
      },
      catch: fileError(master)
    })
    return { masterPlaylist: MASTER_PLAYLIST, renditions: outputs, files }
  })
