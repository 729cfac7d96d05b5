/**
 * Benchmark: the HLS ladder in ONE ffmpeg process (decode once, split, encode every rendition) against a
 * baseline measured in the same run: one ffmpeg process per rendition, one after the other, with the
 * same settings (the same job builder with a one-rendition ladder). Target: one process ≥ 1.4× faster.
 *
 * Method: a 1080p30 source with a tone (lavfi testsrc2 + sine) is generated once at a phone-like bit rate
 * (12 Mb/s High profile, as uploads are) and cached in the temp dir; both variants transcode it with x264
 * `veryfast` into fresh directories. Prints one JSON line: wall seconds, realtime factor (media seconds
 * per wall second) for each, and the ratio baseline / one-process. On a shared machine wall time is noisy, so
 * the CPU seconds the ffmpeg children used (Linux: cutime + cstime of this process) are printed beside it.
 *
 * Use: node scripts/bench/transcode.ts [seconds=30]   (or `npm run bench -- transcode`; FFMPEG_PATH, FFPROBE_PATH)
 */
import { execFile } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { mkdtemp, rename, rm } from "node:fs/promises"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect } from "effect"
import { planLadder } from "../../src/media/HlsRenditions.ts"
import { makeMedia } from "../../src/media/Media.ts"

const SECONDS = Number(process.argv[2] ?? 30)
const PRESET = "veryfast"
const media = makeMedia({
  ffmpegPath: process.env.FFMPEG_PATH || undefined,
  ffprobePath: process.env.FFPROBE_PATH || undefined,
  preset: PRESET
})

const source = join(tmpdir(), `kf-bench-1080p-${SECONDS}s.mp4`)
if (!existsSync(source)) {
  const tmp = `${source}.${process.pid}.tmp`
  await promisify(execFile)(media.paths.ffmpegPath, [
    ...["-hide_banner", "-v", "error", "-y"],
    ...["-f", "lavfi", "-i", `testsrc2=size=1920x1080:rate=30:duration=${SECONDS}`],
    ...["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`],
    ...["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-b:v", "12M", "-pix_fmt", "yuv420p"],
    ...["-c:a", "aac", "-b:a", "128k", "-shortest", "-f", "mp4", tmp]
  ])
  await rename(tmp, source)
}

/** CPU seconds of this process's finished children (ffmpeg), from /proc/self/stat; undefined off Linux. */
function childCpuSeconds(): number | undefined {
  try {
    // Fields after the ")" that closes the command name: cutime and cstime are the 14th and 15th (clock ticks, 100/s).
    const fields = readFileSync("/proc/self/stat", "utf8").split(")").pop()!.trim().split(" ")
    return (Number(fields[13]) + Number(fields[14])) / 100
  } catch {
    return undefined
  }
}

const work = await mkdtemp(join(tmpdir(), "kf-bench-transcode-"))
try {
  const info = await Effect.runPromise(media.probe(source))
  const renditions = planLadder(info.width, info.height, info.frameRate)
  const timed = async (run: () => Promise<unknown>) => {
    const cpuBefore = childCpuSeconds()
    const started = performance.now()
    await run()
    const wall = (performance.now() - started) / 1000
    const cpuAfter = childCpuSeconds()
    return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore }
  }
  const one = await timed(() => Effect.runPromise(media.hlsLadder(source, join(work, "one"), { info })))
  const each = await timed(async () => {
    for (const r of renditions) {
      await Effect.runPromise(media.hlsLadder(source, join(work, `each-${r.name}`), { info, renditions: [r] }))
    }
  })
  const round = (n: number) => Math.round(n * 100) / 100
  const duration = info.durationSeconds ?? SECONDS
  console.log(JSON.stringify({
    bench: "transcode",
    source: { width: info.width, height: info.height, seconds: duration, fps: info.frameRate },
    renditions: renditions.map((r) => r.name),
    preset: PRESET,
    cpus: availableParallelism(),
    oneProcess: { wallSeconds: round(one.wall), realtimeFactor: round(duration / one.wall), cpuSeconds: one.cpu && round(one.cpu) },
    perRenditionBaseline: {
      processes: renditions.length,
      wallSeconds: round(each.wall),
      realtimeFactor: round(duration / each.wall),
      cpuSeconds: each.cpu && round(each.cpu)
    },
    ratio: round(each.wall / one.wall),
    cpuRatio: one.cpu && each.cpu ? round(each.cpu / one.cpu) : undefined,
    target: 1.4
  }))
} finally {
  await rm(work, { recursive: true, force: true })
}
