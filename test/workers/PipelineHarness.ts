/**
 * Test support for the media pipeline: the real app (tus routes, read models in memory, signed playback)
 * on @hono/node-server on a free port, the media workers in the same process (started with the server or later), an embedded event
 * store (or any given), an fs object store in a temp dir (or any given), real ffmpeg; plus tus-js-client
 * uploads, waits on an upload's state, and its events.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { serve } from "@hono/node-server"
import { getConnInfo } from "@hono/node-server/conninfo"
import { type Context, Effect, Exit, type FileSystem, Layer, Logger, ManagedRuntime, type Path, Result, Scope, Stream } from "effect"
import { sign } from "hono/jwt"
import { type DetailedError, Upload } from "tus-js-client"
import { allProjections } from "../../projections/index.ts"
import { ProjectionRunner } from "../../projections/ProjectionRunner.ts"
import { StreamPositions } from "../../projections/StreamPositions.ts"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import type { Digests } from "../../src/digest/Digests.ts"
import { QuotaAggregate } from "../../src/domain/quota/QuotaAggregate.ts"
import type { QuotaState } from "../../src/domain/quota/QuotaState.ts"
import { defaultDomainSettings, type DomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { UploadAggregate, UploadEventCodec } from "../../src/domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import type { UploadState } from "../../src/domain/upload/UploadState.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { NodeDigests } from "../../src/runtime/NodeDigests.ts"
import { nodeRequestBody } from "../../src/runtime/NodeRequestBody.ts"
import { NodeScratchSpace } from "../../src/runtime/NodeScratchSpace.ts"
import { makeApp } from "../../src/http/App.ts"
import { ReadSide } from "../../src/http/queries/ReadSide.ts"
import { MemoryReadStore } from "../../src/readstore/memory/MemoryReadStore.ts"
import { Playback } from "../../src/videos/Playback.ts"
import { hs256Verifier } from "../../src/http/auth/Auth.ts"
import { Media } from "../../src/media/Media.ts"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { Uploads } from "../../src/uploads/Uploads.ts"
import { MediaWorkers, type WorkerStatus } from "../../src/workers/MediaWorkers.ts"
import { ProcessingProgress } from "../../src/uploads/ProcessingProgress.ts"
import type { ScratchSpace } from "../../src/workers/ScratchSpace.ts"
import type { WorkerOptions } from "../../src/workers/WorkerOptions.ts"
import { freshPostgresSchema } from "../support/postgres.ts"

export const SECRET = "pipeline-test-secret-0123456789abcdef"
export const MiB = 1024 * 1024

export const token = (sub: string, roles: ReadonlyArray<string> = ["user"]) =>
  sign({ sub, roles: [...roles], exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET, "HS256")

export interface PipelineOptions {
  /** Merged onto the defaults: retries after 1 s, 30 s per attempt. */
  readonly settings?: Partial<DomainSettings>
  /** Default: embedded PGlite in memory (its first open takes seconds); "postgres": a fresh schema on the test server. */
  readonly eventStore?: Layer.Layer<EventStore, unknown> | "postgres"
  /** Default: fs under `<dir>/objects`. */
  readonly objectStore?: Layer.Layer<ObjectStore, unknown>
  readonly workers?: Partial<WorkerOptions>
  /** Lifetime of signed playback URLs (PLAYBACK_TOKEN_TTL_SECONDS), default 3600. */
  readonly playbackTtlSeconds?: number
  /** Start the workers with the server (default) or later with `startWorkers`. */
  readonly startWorkers?: boolean
}

type Services = Playback | ProjectionRunner | Uploads | ActorSystem | EventStore | ObjectStore | ReadSide | ProcessingProgress | Media | ScratchSpace | FileSystem.FileSystem | Path.Path | Digests

export interface Pipeline {
  readonly origin: string
  readonly endpoint: string
  readonly dir: string
  readonly settings: DomainSettings
  readonly runtime: ManagedRuntime.ManagedRuntime<Services, unknown>
  /** Starts the workers (once); they run until `stopWorkers` or `stop`. */
  startWorkers(overrides?: Partial<WorkerOptions>): Promise<void>
  stopWorkers(): Promise<void>
  /** The running workers' status. */
  workerStatus(): Promise<WorkerStatus>
  /** Uploads with tus-js-client as `user`: the upload id. */
  upload(data: Uint8Array, user: string, filename: string): Promise<string>
  state(uploadId: string): Promise<UploadState>
  /** Polls until the upload is in one of `statuses`. */
  waitFor(uploadId: string, statuses: ReadonlyArray<UploadState["status"]>, timeoutMs?: number): Promise<UploadState>
  /** Polls until `predicate` holds for the upload's events. */
  waitForEvents(uploadId: string, predicate: (events: ReadonlyArray<UploadEvent>) => boolean, timeoutMs?: number): Promise<ReadonlyArray<UploadEvent>>
  events(uploadId: string): Promise<ReadonlyArray<UploadEvent>>
  quota(userId: string): Promise<QuotaState>
  /**
   * A signed playback URL (`…/play/<token>/master.m3u8`) for `user`, from `GET /videos/:id/playback`, retried
   * while the videos read model catches up; `base` is the URL of the video's folder under the token.
   */
  playback(videoId: string, user: string): Promise<{ readonly url: string; readonly base: string; readonly expiresAt: string }>
  /** Object keys under a prefix. */
  keys(prefix: string): Promise<ReadonlyArray<string>>
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const startPipeline = async (options: PipelineOptions = {}): Promise<Pipeline> => {
  const dir = mkdtempSync(join(tmpdir(), "kf-pipeline-"))
  const settings: DomainSettings = {
    ...defaultDomainSettings,
    jobRetryDelaySeconds: 1,
    videoProcessingTimeoutSeconds: 30,
    ...options.settings
  }
  const pg = options.eventStore === "postgres" ? await freshPostgresSchema("kf_pipeline") : undefined
  const eventStore = pg !== undefined
    ? PostgresEventStore.layer({ url: pg.url, schema: pg.schema })
    : options.eventStore === undefined || options.eventStore === "postgres"
    ? PgliteEventStore.layer({})
    : options.eventStore
  const services = Layer.mergeAll(
    Uploads.layer.pipe(Layer.provideMerge(Layer.mergeAll(
      ActorSystem.layer({ mailboxSize: 1000, idleMillis: 60_000, maxLive: 10_000, maxConflictRetries: 5, settings }),
      // the read models (memory), as Main.ts runs them: signed playback reads the videos model
      ReadSide.layer.pipe(Layer.provideMerge(ProjectionRunner.layer(allProjections)), Layer.provideMerge(MemoryReadStore.layer)),
      options.objectStore ?? FsObjectStore.layer({ root: join(dir, "objects") })
    ).pipe(Layer.provideMerge(StreamPositions.tracking(eventStore))))),
    ProcessingProgress.layer,
    // superfast: the ladder exactly as in production but quicker (CI has two cores)
    Media.layerChecked({ preset: "superfast" }),
    NodeScratchSpace.layer({ root: join(dir, "scratch") }),
    NodeDigests.layer
  ).pipe(Layer.provideMerge(Logger.layer(process.env.KF_TEST_LOGS ? [Logger.consolePretty()] : [])))
  const runtime = ManagedRuntime.make(Playback.layerEphemeral({ ttlSeconds: options.playbackTtlSeconds ?? 3600 }).pipe(Layer.provideMerge(services))) as ManagedRuntime.ManagedRuntime<Services, unknown>
  await runtime.runPromise(Effect.void)
  const app = makeApp({
    runtime,
    auth: { verifyToken: hs256Verifier(SECRET) },
    settings,
    // as src/runtime/node.ts serves it: bodies read straight from node:http, peers from its socket
    requestBody: nodeRequestBody,
    connInfo: getConnInfo
  })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s))
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  let workers: Scope.Closeable | undefined
  let built: Context.Context<MediaWorkers> | undefined
  const startWorkers = async (overrides: Partial<WorkerOptions> = {}) => {
    if (workers !== undefined) return
    const scope = await runtime.runPromise(Scope.make())
    const layer = MediaWorkers.layer({
      workerId: `test-worker-${Math.random().toString(16).slice(2, 10)}`,
      concurrency: 2,
      processingTimeoutSeconds: settings.videoProcessingTimeoutSeconds,
      chunkSizeBytes: 5 * MiB,
      jobMaxAttempts: settings.jobMaxAttempts,
      uploadExpiryHours: settings.uploadExpiryHours,
      leaseGraceMs: 200,
      pollMs: 200,
      retryMs: 500,
      ...options.workers,
      ...overrides
    })
    built = await runtime.runPromise(Layer.buildWithScope(layer, scope))
    workers = scope
  }
  const stopWorkers = async () => {
    const scope = workers
    workers = undefined
    if (scope !== undefined) await runtime.runPromise(Scope.close(scope, Exit.void))
  }
  if (options.startWorkers !== false) await startWorkers()

  const state = (uploadId: string) => runtime.runPromise(ActorSystem.use((a) => a.current(UploadAggregate, uploadId))).then((c) => c.state)
  const events = (uploadId: string) =>
    runtime.runPromise(EventStore.use((s) => s.readStream(`upload-${uploadId}`))).then((recorded) =>
      recorded.flatMap((r) => {
        const d = UploadEventCodec.decode({ type: r.type, data: r.data, schemaVersion: r.metadata.schemaVersion })
        return Result.isSuccess(d) ? [d.success] : []
      })
    )

  return {
    origin,
    endpoint: `${origin}/files`,
    dir,
    settings,
    runtime,
    startWorkers,
    stopWorkers,
    workerStatus: () => {
      if (built === undefined) return Promise.reject(new Error("the workers are not running"))
      return Effect.runPromiseWith(built)(MediaWorkers.use((w) => w.status))
    },
    upload: async (data, user, filename) => {
      const url = await new Promise<string>((resolve, reject) => {
        void token(user).then((t) => {
          const upload: Upload = new Upload(Buffer.from(data), {
            endpoint: `${origin}/files`,
            chunkSize: 5 * MiB,
            retryDelays: [],
            metadata: { filename, filetype: "video/mp4" },
            headers: { Authorization: `Bearer ${t}` },
            onSuccess: () => resolve(upload.url!),
            onError: (e) => reject(e as DetailedError)
          })
          upload.start()
        })
      })
      return url.slice(url.lastIndexOf("/") + 1)
    },
    state,
    waitFor: async (uploadId, statuses, timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs
      let last: UploadState | undefined
      while (Date.now() < until) {
        last = await state(uploadId)
        if (statuses.includes(last.status)) return last
        await sleep(100)
      }
      throw new Error(`upload ${uploadId} is ${last?.status} after ${timeoutMs} ms, not ${statuses.join("/")}: ${JSON.stringify(await events(uploadId))}`)
    },
    waitForEvents: async (uploadId, predicate, timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs
      while (Date.now() < until) {
        const seen = await events(uploadId)
        if (predicate(seen)) return seen
        await sleep(100)
      }
      throw new Error(`upload ${uploadId}: the events never matched: ${JSON.stringify(await events(uploadId))}`)
    },
    events,
    quota: (userId) => runtime.runPromise(ActorSystem.use((a) => a.current(QuotaAggregate, userId))).then((c) => c.state),
    playback: async (videoId, user) => {
      const until = Date.now() + 15_000
      for (;;) {
        const res = await fetch(`${origin}/videos/${videoId}/playback`, { headers: { Authorization: `Bearer ${await token(user)}` } })
        if (res.status === 200) {
          const body = (await res.json()) as { url: string; expiresAt: string }
          return { ...body, base: body.url.slice(0, -"master.m3u8".length) }
        }
        if (Date.now() > until) throw new Error(`GET /videos/${videoId}/playback: ${res.status} ${await res.text()}`)
        await sleep(100)
      }
    },
    keys: (prefix) => runtime.runPromise(ObjectStore.use((s) => Stream.runCollect(s.list(prefix)))).then((objects) => objects.map((o) => o.key)),
    stop: async () => {
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await stopWorkers()
      await runtime.dispose()
      await pg?.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** A file's bytes. */
export const bytesOf = (path: string): Uint8Array => new Uint8Array(readFileSync(path))
