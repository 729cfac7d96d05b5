/**
 * Test support for the read side over HTTP: the real app (makeApp) on @hono/node-server on a free
 * port, with an event store (embedded in memory by default, or PostgreSQL), the actor system, a
 * read store (memory by default, or Redis) and the ProjectionRunner running every read model, plus
 * helpers that drive real domain activity through the actors (uploads, quotas, rooms, streams).
 */
import { mkdtempSync, rmSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { serve } from "@hono/node-server"
import { getConnInfo } from "@hono/node-server/conninfo"
import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { sign } from "hono/jwt"
import { allProjections } from "../../../projections/index.ts"
import { ProjectionRunner } from "../../../projections/ProjectionRunner.ts"
import { StreamPositions } from "../../../projections/StreamPositions.ts"
import { ActorSystem } from "../../../src/actors/ActorSystem.ts"
import { Videos } from "../../../src/videos/Videos.ts"
import { Digests } from "../../../src/digest/Digests.ts"
import { QuotaAggregate } from "../../../src/domain/quota/QuotaAggregate.ts"
import { RoomAggregate } from "../../../src/domain/room/RoomAggregate.ts"
import type { Principal } from "../../../src/domain/shared/Decider.ts"
import { defaultDomainSettings } from "../../../src/domain/shared/DomainSettings.ts"
import { StreamAggregate } from "../../../src/domain/stream/StreamAggregate.ts"
import { UploadAggregate } from "../../../src/domain/upload/UploadAggregate.ts"
import { PgliteEventStore } from "../../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../../src/eventstore/EventStore.ts"
import { makeApp } from "../../../src/http/App.ts"
import { jwtVerifier } from "../../../src/http/auth/Auth.ts"
import { ReadSide } from "../../../src/http/queries/ReadSide.ts"
import { Playback } from "../../../src/videos/Playback.ts"
import { defaultReadSideSettings } from "../../../src/http/queries/ReadSideRoutes.ts"
import type { FeedOptions } from "../../../src/feeds/FeedOptions.ts"
import { FsObjectStore } from "../../../src/objectstore/fs/FsObjectStore.ts"
import { MemoryReadStore } from "../../../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore } from "../../../src/readstore/ReadStore.ts"
import { ProcessingProgress } from "../../../src/uploads/ProcessingProgress.ts"
import { Uploads } from "../../../src/uploads/Uploads.ts"
import type { PlaybackSessionVerifier } from "../../../src/videos/PlaybackSessionVerifier.ts"

export const SECRET = "read-side-test-secret-0123456789"

export const token = (sub: string, roles: ReadonlyArray<string> = ["user"]) =>
  sign({ sub, roles: [...roles], exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET, "HS256")

export const auth = async (sub: string, roles?: ReadonlyArray<string>) => ({ Authorization: `Bearer ${await token(sub, roles)}` })

export const system: Principal = { userId: "system", roles: ["system"] }
const user = (userId: string): Principal => ({ userId, roles: ["user"] })

export interface HarnessOptions {
  readonly eventStore?: Layer.Layer<EventStore, unknown>
  readonly readStore?: Layer.Layer<ReadStore, unknown>
  readonly waitMillis?: number
  readonly sseHeartbeatMillis?: number
  /** Live feed caps, lifetime, tickets and the hub (src/feeds/FeedOptions.ts). */
  readonly feeds?: FeedOptions
  /** How views' playback sessions are verified (default: not configured). */
  readonly playbackSessions?: Layer.Layer<PlaybackSessionVerifier>
}

/** A commit delay the test can turn on, to make the read models lag behind on purpose. */
export const commitDelay = { millis: 0 }

const slowable = Layer.effect(
  ReadStore,
  Effect.map(ReadStore, (store) =>
    ReadStore.of({
      ...store,
      commit: (batch) => Effect.andThen(Effect.suspend(() => (commitDelay.millis > 0 ? Effect.sleep(commitDelay.millis) : Effect.void)), store.commit(batch))
    }))
)

export const startHarness = async (options: HarnessOptions = {}) => {
  const readStore = slowable.pipe(Layer.provide(options.readStore ?? MemoryReadStore.layer))
  // The app's object store (only /readyz touches it here).
  const objectsDir = mkdtempSync(join(tmpdir(), "keyframe-readside-"))
  const services = Layer.mergeAll(
    Uploads.layer.pipe(Layer.provideMerge(Layer.mergeAll(
      FsObjectStore.layer({ root: objectsDir }),
      ActorSystem.layer({ mailboxSize: 1000, idleMillis: 60_000, maxLive: 10_000, maxConflictRetries: 5, settings: defaultDomainSettings })
    ))),
    Digests.layer,
    ReadSide.layer.pipe(
      Layer.provideMerge(ProjectionRunner.layer(allProjections, { runner: { probeInterval: "20 millis" } })),
      Layer.provideMerge(readStore)
    ),
    // the feeds' processing percentages, as a process with workers has them
    ProcessingProgress.layer
  ).pipe(
    // as Main.ts: the process's event store notes the positions it appends and its subscriptions deliver
    Layer.provideMerge(StreamPositions.tracking(options.eventStore ?? PgliteEventStore.layer({}))),
    Layer.provideMerge(Logger.layer([]))
  )
  const runtime = ManagedRuntime.make(Playback.layerEphemeral().pipe(Layer.provideMerge(services)))
  await runtime.runPromise(Effect.void)
  const app = makeApp({
    runtime,
    auth: { verifyToken: jwtVerifier({ secret: SECRET }) }, // as Main.ts: verified tokens cached
    connInfo: getConnInfo,
    playbackSessions: options.playbackSessions,
    readSide: {
      settings: { ...defaultReadSideSettings, waitMillis: options.waitMillis ?? 3_000 },
      sseHeartbeatMillis: options.sseHeartbeatMillis,
      feeds: options.feeds
    }
  })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s))
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const send = <A>(effect: Effect.Effect<A, unknown, ActorSystem | EventStore | ProjectionRunner | ReadStore | ProcessingProgress>) =>
    runtime.runPromise(effect)

  /** Reserves quota and creates the upload as its owner; returns the last global position written. */
  const createUpload = (owner: string, uploadId: string, size: number, filename = `${uploadId}.mp4`) =>
    send(Effect.gen(function*() {
      const actors = yield* ActorSystem
      yield* actors.send(QuotaAggregate, owner, { command: { _tag: "ReserveUpload", userId: owner, uploadId, bytes: size }, actor: user(owner) })
      const r = yield* actors.send(UploadAggregate, uploadId, {
        command: { _tag: "CreateUpload", uploadId, filename, declaredSize: size, contentType: "video/mp4" },
        actor: user(owner)
      })
      return r.position
    }))

  const appendBytes = (owner: string, uploadId: string, offset: number, length: number) =>
    send(Effect.map(
      ActorSystem.use((a) => a.send(UploadAggregate, uploadId, { command: { _tag: "AppendBytes", uploadId, offset, length }, actor: user(owner) })),
      (r) => r.position
    ))

  /** One processing step as a worker does it: claim, (chunk part / milestone), complete. */
  const step = (uploadId: string, which: "chunk" | "transcode" | "publish", size: number) =>
    send(Effect.gen(function*() {
      const actors = yield* ActorSystem
      const workerId = "w1"
      const claimed = yield* actors.send(UploadAggregate, uploadId, { command: { _tag: "ClaimStep", uploadId, step: which, workerId }, actor: system })
      const attempt = (claimed.events[0] as { attempt: number }).attempt
      if (which === "chunk") {
        yield* actors.send(UploadAggregate, uploadId, {
          command: { _tag: "RecordChunk", uploadId, workerId, attempt, multipartUploadId: "mp1", partNumber: 1, etag: '"e1"', size },
          actor: system
        })
      }
      if (which === "transcode") {
        yield* actors.send(UploadAggregate, uploadId, {
          command: { _tag: "RecordMilestone", uploadId, step: which, workerId, attempt, milestone: "probed", details: { durationSeconds: 4, width: 1280, height: 720 } },
          actor: system
        })
      }
      const media = which !== "publish" ? undefined : {
        masterPlaylistUrl: `/media/${uploadId}/master.m3u8`,
        thumbnailUrl: `/media/${uploadId}/thumbnail.jpg`,
        thumbnailWidth: 640,
        thumbnailHeight: 360,
        durationSeconds: 4,
        width: 1280,
        height: 720,
        renditions: [{ name: "720p", width: 1280, height: 720, bandwidth: 3_000_000, averageBandwidth: 2_500_000, codecs: "avc1.64001f,mp4a.40.2", frameRate: 30, playlistUrl: `/media/${uploadId}/720p/index.m3u8` }],
        sizeBytes: size,
        sha256: "ab".repeat(32)
      }
      const done = yield* actors.send(UploadAggregate, uploadId, {
        command: { _tag: "CompleteStep", uploadId, step: which, workerId, attempt, ...(media ? { media } : {}) },
        actor: system
      })
      return done.position
    }))

  /**
   * Creates, receives and processes an upload to ready, committing its quota, then (as the catalog worker
   * does) makes it a Video, with `visibility` set by its owner (default public; false: no Video yet).
   * Returns the last position.
   */
  const readyUpload = async (owner: string, uploadId: string, size = 1000, visibility: "public" | "unlisted" | "private" | false = "public") => {
    await createUpload(owner, uploadId, size)
    await appendBytes(owner, uploadId, 0, size)
    for (const s of ["chunk", "transcode", "publish"] as const) await step(uploadId, s, size)
    const committed = await send(Effect.map(
      ActorSystem.use((a) => a.send(QuotaAggregate, owner, { command: { _tag: "CommitUpload", userId: owner, uploadId, receivedBytes: size }, actor: system })),
      (r) => r.position
    ))
    if (visibility === false) return committed
    return runtime.runPromise(Effect.provide(
      Effect.gen(function*() {
        const videos = yield* Videos
        const created = yield* videos.createFromUpload(uploadId)
        if (visibility === "private") return created!.position
        return (yield* videos.change({ actor: user(owner) }, uploadId, { visibility })).position
      }),
      Videos.layer
    ))
  }

  /** A request with a user's token and a JSON body. */
  const request = async (method: string, path: string, sub: string, roles?: ReadonlyArray<string>, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${origin}${path}`, {
      method,
      headers: { ...(await auth(sub, roles)), ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })

  const failUpload = (uploadId: string, reason: string) =>
    send(Effect.map(
      ActorSystem.use((a) => a.send(UploadAggregate, uploadId, { command: { _tag: "FailUpload", uploadId, reason }, actor: system })),
      (r) => r.position
    ))

  const openRoom = (host: string, roomId: string, guests: ReadonlyArray<string> = []) =>
    send(Effect.gen(function*() {
      const actors = yield* ActorSystem
      let r = yield* actors.send(RoomAggregate, roomId, { command: { _tag: "OpenRoom", roomId, title: `room ${roomId}`, sponsored: false }, actor: user(host) })
      for (const g of guests) r = yield* actors.send(RoomAggregate, roomId, { command: { _tag: "JoinRoom", roomId }, actor: user(g) })
      return r.position
    }))

  const closeRoom = (host: string, roomId: string) =>
    send(Effect.map(ActorSystem.use((a) => a.send(RoomAggregate, roomId, { command: { _tag: "CloseRoom", roomId }, actor: user(host) })), (r) => r.position))

  const startStream = (owner: string, streamId: string, chunks: number) =>
    send(Effect.gen(function*() {
      const actors = yield* ActorSystem
      let r = yield* actors.send(StreamAggregate, streamId, { command: { _tag: "StartStream", streamId, source: "push", sourceRef: "test" }, actor: user(owner) })
      const size = defaultDomainSettings.chunkSizeBytes
      if (chunks > 0) {
        r = yield* actors.send(StreamAggregate, streamId, {
          command: { _tag: "ReceiveStreamBytes", streamId, offset: 0, length: chunks * size },
          actor: user(owner)
        })
        r = yield* actors.send(StreamAggregate, streamId, {
          command: { _tag: "RecordMultipartStarted", streamId, key: `originals/${streamId}`, multipartUploadId: "mp-1" },
          actor: system
        })
        r = yield* actors.send(StreamAggregate, streamId, {
          command: { _tag: "RecordStreamPart", streamId, partNumber: 1, offset: 0, size, etag: '"p1"', sha256: "0".repeat(64), observedBytes: chunks * size },
          actor: system
        })
      }
      return r.position
    }))

  return {
    origin,
    app,
    runtime,
    send,
    createUpload,
    appendBytes,
    step,
    readyUpload,
    request,
    failUpload,
    openRoom,
    closeRoom,
    startStream,
    /** GET with a user's token. */
    get: async (path: string, sub: string, roles?: ReadonlyArray<string>, headers: Record<string, string> = {}) =>
      fetch(`${origin}${path}`, { headers: { ...(await auth(sub, roles)), ...headers } }),
    stop: async () => {
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await runtime.dispose()
      rmSync(objectsDir, { recursive: true, force: true })
    }
  }
}

export type Harness = Awaited<ReturnType<typeof startHarness>>
