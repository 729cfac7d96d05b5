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
 * End to end (`e2eSeconds`): the same source uploaded with tus-js-client to the real app (embedded event
 * store, fs object store, the media workers in process), timed from the last tus byte acknowledged to
 * the upload being ready (chunk, transcode, publish); `e2eSteps` splits it by step (claim to completion),
 * and `e2eOutsideTranscodeSeconds` is what the pipeline adds around the transcode step (sealing the
 * original, publishing, scheduling) in the same run.
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
import { serve } from "@hono/node-server"
import { Layer, Logger, ManagedRuntime } from "effect"
import { sign } from "hono/jwt"
import { Upload } from "tus-js-client"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { UploadAggregate } from "../../src/domain/upload/UploadAggregate.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { makeApp } from "../../src/http/App.ts"
import { ReadSide } from "../../src/http/queries/ReadSide.ts"
import { Playback } from "../../src/videos/Playback.ts"
import { hs256Verifier } from "../../src/http/auth/Auth.ts"
import { planLadder } from "../../src/media/HlsRenditions.ts"
import { Media, makeMedia } from "../../src/media/Media.ts"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { NodeDigests } from "../../src/runtime/NodeDigests.ts"
import { NodeScratchSpace } from "../../src/runtime/NodeScratchSpace.ts"
import { Uploads } from "../../src/uploads/Uploads.ts"
import { MediaWorkers } from "../../src/workers/MediaWorkers.ts"
import { ProcessingProgress } from "../../src/uploads/ProcessingProgress.ts"

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

/**
 * Uploads `file` with tus-js-client to the app with the workers running in this process, and returns the
 * seconds from the last acknowledged byte to ready, and each step's seconds from claim to completion.
 */
async function endToEnd(file: string, dir: string) {
  const settings = defaultDomainSettings
  const runtime = ManagedRuntime.make(
    MediaWorkers.layer({
      workerId: "bench-worker",
      concurrency: 2,
      processingTimeoutSeconds: settings.videoProcessingTimeoutSeconds,
      chunkSizeBytes: settings.chunkSizeBytes,
      jobMaxAttempts: settings.jobMaxAttempts,
      uploadExpiryHours: settings.uploadExpiryHours
    }).pipe(
      Layer.provide(Media.layer({ ...media.paths, preset: PRESET })),
      Layer.provide(NodeScratchSpace.layer({ root: join(dir, "scratch") })),
      // the tus routes hash checksummed bodies with it too
      Layer.provideMerge(NodeDigests.layer),
      Layer.provideMerge(ProcessingProgress.layer),
      Layer.provideMerge(Uploads.layer),
      Layer.provideMerge(Playback.layerEphemeral()),
      Layer.provideMerge(Layer.mergeAll(
        ActorSystem.layer({ mailboxSize: 1000, idleMillis: 60_000, maxLive: 10_000, maxConflictRetries: 5, settings }).pipe(
          Layer.provideMerge(PgliteEventStore.layer({}))
        ),
        FsObjectStore.layer({ root: join(dir, "objects") }),
        ReadSide.streamsOnly // no read models: GET /uploads/:id folds the upload's stream
      )),
      Layer.provideMerge(Logger.layer([]))
    )
  )
  await runtime.runPromise(Effect.void) // open PGlite and start the workers before the upload
  const secret = "bench-secret-0123456789abcdef0123"
  const app = makeApp({ runtime, auth: { verifyToken: hs256Verifier(secret) }, settings })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s))
  })
  try {
    const port = (server.address() as { port: number }).port
    const token = await sign({ sub: "bench", roles: ["user"], exp: Math.floor(Date.now() / 1000) + 3600 }, secret, "HS256")
    const url = await new Promise<string>((resolve, reject) => {
      const upload: Upload = new Upload(readFileSync(file), {
        endpoint: `http://127.0.0.1:${port}/files`,
        chunkSize: 8 * 1024 * 1024,
        metadata: { filename: "bench.mp4", filetype: "video/mp4" },
        headers: { Authorization: `Bearer ${token}` },
        onSuccess: () => resolve(upload.url!),
        onError: reject
      })
      upload.start()
    })
    const lastByte = performance.now()
    const id = url.slice(url.lastIndexOf("/") + 1)
    while (true) {
      const { state } = await runtime.runPromise(ActorSystem.use((a) => a.current(UploadAggregate, id)))
      if (state.status === "Ready") break
      if (state.status === "Failed") throw new Error(`the bench upload failed: ${state.reason}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    const seconds = (performance.now() - lastByte) / 1000
    const events = await runtime.runPromise(EventStore.use((s) => s.readStream(`upload-${id}`)))
    const steps: Record<string, number> = {}
    for (const claimed of events.filter((e) => e.type === "StepClaimed")) {
      const step = (claimed.data as { step: string }).step
      const done = events.find((e) => e.type === "StepCompleted" && (e.data as { step: string }).step === step)
      if (done !== undefined) steps[step] = (Date.parse(done.recordedAt) - Date.parse(claimed.recordedAt)) / 1000
    }
    return { seconds, steps }
  } finally {
    ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await runtime.dispose()
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
  const e2e = await endToEnd(source, work)
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
    target: 1.4,
    e2eSeconds: round(e2e.seconds),
    e2eOutsideTranscodeSeconds: round(e2e.seconds - (e2e.steps["transcode"] ?? 0)),
    e2eSteps: Object.fromEntries(Object.entries(e2e.steps).map(([k, v]) => [k, round(v)]))
  }))
} finally {
  await rm(work, { recursive: true, force: true })
}
