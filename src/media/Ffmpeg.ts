/**
 * The only module that runs ffmpeg/ffprobe processes. ffmpeg runs through fluent-ffmpeg (its repository was
 * archived in 2025: replacing it means replacing this one file); ffprobe's JSON is read directly.
 */
import type { ChildProcess, ExecFileException } from "node:child_process"
import { execFile } from "node:child_process"
import { Effect } from "effect"
import ffmpeg from "fluent-ffmpeg"
import { readableLine, refusedDemuxer } from "./FfmpegLog.ts"
import { FfmpegFailed, FfmpegNotFound, FormatRefused, NotAVideo } from "./MediaError.ts"

export interface FfmpegPaths {
  /** `FFMPEG_PATH`; default `ffmpeg` on PATH. */
  readonly ffmpegPath: string
  /** `FFPROBE_PATH`; default `ffprobe` on PATH. */
  readonly ffprobePath: string
}

export const defaultPaths: FfmpegPaths = { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" }

export interface FfmpegProgress {
  /** How far the output has got, in seconds of media (ffmpeg's `out_time`). */
  readonly outTimeSeconds: number
  /** 0–100 from `out_time` and the job's duration; undefined when the duration is unknown. */
  readonly percent: number | undefined
}

export interface FfmpegJob {
  /** Names the job in errors ("hls ladder", "thumbnail"). */
  readonly operation: string
  /**
   * Each input with its options (placed before its `-i`); one argv element per array element. A user's file
   * gets InputWhitelist's options, so ffmpeg opens nothing but that file.
   */
  readonly inputs: ReadonlyArray<{ readonly path: string; readonly options?: ReadonlyArray<string> }>
  readonly complexFilter?: string | undefined
  /** Output options, one argv element each (never split on spaces: `-var_stream_map` values contain spaces). */
  readonly outputOptions: ReadonlyArray<string>
  readonly output: string
  readonly durationSeconds?: number | undefined
  readonly onProgress?: ((progress: FfmpegProgress) => void) | undefined
  /** Called once the process is spawned, with its pid (tests use it to check nothing is left running). */
  readonly onStart?: ((pid: number | undefined) => void) | undefined
}

/** fluent-ffmpeg splits a lone `"a b"` argument in two; passing two or more arguments keeps each one whole. */
const addArgs = (add: (...args: Array<string>) => unknown, args: ReadonlyArray<string>) => {
  if (args.length === 0) return
  if (args.length === 1 && args[0]!.includes(" ")) throw new Error(`ambiguous single ffmpeg argument: ${args[0]}`)
  add(...args)
}

const PROGRESS_LINE = /^[a-z_0-9]+=\S*$/
const isMissing = (error: unknown) => /ENOENT|EACCES/.test(String((error as Error)?.message ?? error))

/**
 * Runs one ffmpeg process. Interrupting the effect (Effect.timeout included) kills the process with SIGKILL
 * and waits until it has exited, so nothing is left running.
 */
export const runFfmpeg = (paths: FfmpegPaths, job: FfmpegJob): Effect.Effect<void, FfmpegFailed | FfmpegNotFound> =>
  Effect.callback<void, FfmpegFailed | FfmpegNotFound>((resume) => {
    const command = ffmpeg({ stdoutLines: 0 }).setFfmpegPath(paths.ffmpegPath).setFfprobePath(paths.ffprobePath)
    job.inputs.forEach((input, i) => {
      command.input(input.path)
      // Global options ride on the first input: quiet logs, no stdin, machine-readable progress on stderr.
      const globals = i === 0 ? ["-hide_banner", "-nostdin", "-v", "error", "-nostats", "-progress", "pipe:2"] : []
      addArgs((...a) => command.inputOptions(...a), [...globals, ...(input.options ?? [])])
    })
    if (job.complexFilter !== undefined) command.complexFilter(job.complexFilter)
    command.output(job.output)
    addArgs((...a) => command.outputOptions(...a), job.outputOptions)

    let process: ChildProcess | undefined
    let killRequested = false
    const errorLines: Array<string> = []
    let settle: () => void = () => {}
    const finished = new Promise<void>((resolve) => (settle = resolve))

    command.on("start", () => {
      process = (command as unknown as { readonly ffmpegProc?: ChildProcess }).ffmpegProc
      if (killRequested) process?.kill("SIGKILL")
      else job.onStart?.(process?.pid)
    })
    command.on("stderr", (line: string) => {
      const progress = /^out_time_us=(\d+)$/.exec(line)
      if (progress !== null) {
        const seconds = Number(progress[1]) / 1e6
        const d = job.durationSeconds
        job.onProgress?.({
          outTimeSeconds: seconds,
          percent: d !== undefined && d > 0 ? Math.min(100, Math.round((seconds / d) * 1000) / 10) : undefined
        })
      } else if (!PROGRESS_LINE.test(line) && line.trim() !== "") {
        errorLines.push(line.trim())
        if (errorLines.length > 20) errorLines.shift()
      }
    })
    command.on("error", (error: Error) => {
      settle()
      if (isMissing(error)) {
        const reason = /ENOENT/.test(error.message) ? "no such executable" : "not executable"
        resume(Effect.fail(new FfmpegNotFound({ binary: "ffmpeg", path: paths.ffmpegPath, reason })))
        return
      }
      const refused = refusedDemuxer(errorLines.join("\n"))
      const reason = refused !== undefined
        ? new FormatRefused({ demuxer: refused }).message
        : errorLines.length > 0
        ? errorLines.slice(-3).map(readableLine).join("; ")
        : readableLine(error.message)
      resume(Effect.fail(new FfmpegFailed({ operation: job.operation, reason })))
    })
    command.on("end", () => {
      settle()
      job.onProgress?.({ outTimeSeconds: job.durationSeconds ?? 0, percent: job.durationSeconds ? 100 : undefined })
      resume(Effect.void)
    })
    command.run()
    return Effect.promise(() => {
      killRequested = true
      process?.kill("SIGKILL")
      return finished
    })
  })

/** What `ffprobe -print_format json -show_format -show_streams` prints (the fields Keyframe reads). */
export interface FfprobeOutput {
  readonly streams?: ReadonlyArray<{
    readonly codec_type?: string
    readonly codec_name?: string
    readonly profile?: string
    readonly level?: number
    readonly width?: number
    readonly height?: number
    readonly sample_aspect_ratio?: string
    readonly avg_frame_rate?: string
    readonly r_frame_rate?: string
    readonly duration?: string
    readonly bit_rate?: string
    readonly disposition?: { readonly attached_pic?: number }
    readonly tags?: Readonly<Record<string, string>>
    readonly side_data_list?: ReadonlyArray<{ readonly side_data_type?: string; readonly rotation?: number }>
  }>
  readonly format?: {
    readonly format_name?: string
    readonly duration?: string
    readonly bit_rate?: string
    readonly size?: string
    readonly tags?: Readonly<Record<string, string>>
  }
}

const run = (file: string, args: ReadonlyArray<string>, signal: AbortSignal) =>
  new Promise<{ readonly stdout: string; readonly stderr: string; readonly error: ExecFileException | null }>(
    (resolve) => {
      execFile(
        file,
        args,
        { maxBuffer: 32 * 1024 * 1024, signal, killSignal: "SIGKILL", timeout: 120_000 },
        (error, stdout, stderr) => resolve({ stdout, stderr, error })
      )
    }
  )

/**
 * ffprobe's view of a file, read with `inputOptions` (InputWhitelist's, for a user's file). A file whose
 * demuxer the whitelist refuses is FormatRefused; one ffprobe cannot read is NotAVideo, with ffprobe's reason.
 */
export const ffprobe = (
  paths: FfmpegPaths,
  path: string,
  inputOptions: ReadonlyArray<string>
): Effect.Effect<FfprobeOutput, FfmpegNotFound | NotAVideo | FormatRefused> =>
  Effect.gen(function*() {
    const args = ["-v", "error", ...inputOptions, "-print_format", "json", "-show_format", "-show_streams", path]
    const result = yield* Effect.promise((signal) => run(paths.ffprobePath, args, signal))
    if (result.error?.code === "ENOENT" || result.error?.code === "EACCES") {
      const reason = result.error.code === "ENOENT" ? "no such executable" : "not executable"
      return yield* new FfmpegNotFound({ binary: "ffprobe", path: paths.ffprobePath, reason })
    }
    if (result.error !== null) {
      const refused = refusedDemuxer(result.stderr)
      if (refused !== undefined) return yield* new FormatRefused({ demuxer: refused })
      // ffprobe ends with "<path>: <reason>"; the path is noise for a person reading an upload's failure.
      const last = result.stderr.trim().split("\n").pop()?.replace(`${path}: `, "").trim()
      return yield* new NotAVideo({ reason: `ffprobe could not read it (${readableLine(last || result.error.message)})` })
    }
    try {
      return JSON.parse(result.stdout) as FfprobeOutput
    } catch {
      return yield* new NotAVideo({ reason: "ffprobe printed no readable description" })
    }
  })

const versionOf = (paths: FfmpegPaths, binary: "ffmpeg" | "ffprobe") =>
  Effect.gen(function*() {
    const path = binary === "ffmpeg" ? paths.ffmpegPath : paths.ffprobePath
    const result = yield* Effect.promise((signal) => run(path, ["-hide_banner", "-version"], signal))
    if (result.error !== null) {
      const reason = result.error.code === "ENOENT"
        ? "no such executable"
        : result.error.code === "EACCES"
        ? "not executable"
        : result.error.message
      return yield* new FfmpegNotFound({ binary, path, reason })
    }
    return result.stdout.split("\n")[0]?.trim() ?? binary
  })

/**
 * For start-up: both binaries run and ffmpeg has the encoders the ladder uses (libx264, aac, mjpeg).
 * Returns their version lines.
 */
export const checkFfmpeg = (paths: FfmpegPaths = defaultPaths) =>
  Effect.gen(function*() {
    const ffmpegVersion = yield* versionOf(paths, "ffmpeg")
    const ffprobeVersion = yield* versionOf(paths, "ffprobe")
    const encoders = yield* Effect.promise((signal) => run(paths.ffmpegPath, ["-hide_banner", "-encoders"], signal))
    const missing = ["libx264", "aac", "mjpeg"].filter((e) => !new RegExp(`^\\s*\\S+\\s+${e}\\s`, "m").test(encoders.stdout))
    if (missing.length > 0) {
      return yield* new FfmpegNotFound({ binary: "ffmpeg", path: paths.ffmpegPath, reason: `it lacks the ${missing.join(", ")} encoder(s)` })
    }
    return { ffmpegVersion, ffprobeVersion }
  })
