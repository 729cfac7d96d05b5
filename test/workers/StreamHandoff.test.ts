/**
 * The hand-off from live streams to the media pipeline, on S3 (s3rver) and PostgreSQL with real ffmpeg: a
 * stream's original sealed at `originals/<id>` (a multipart upload, as the ingester makes it) plus its
 * StreamStarted and StreamFinalized events become an upload of the same id, transcoded and published under
 * `media/<id>/`, with the stream's quota reservation committed, a Video (source: stream), and the uploads
 * read model saying where it came from. Adopting again (a restarted hand-off) changes nothing.
 */
import { createHash, randomUUID } from "node:crypto"
import { readFileSync } from "node:fs"
import { Effect, Exit, Layer, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../src/domain/quota/QuotaAggregate.ts"
import { StreamEventCodec } from "../../src/domain/stream/StreamAggregate.ts"
import type { StreamEvent } from "../../src/domain/stream/StreamEvents.ts"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { S3ObjectStore } from "../../src/objectstore/s3/S3ObjectStore.ts"
import { SYSTEM_ACTOR } from "../../src/uploads/SystemActor.ts"
import { Uploads } from "../../src/uploads/Uploads.ts"
import { Videos } from "../../src/videos/Videos.ts"
import { StreamHandoff } from "../../src/workers/StreamHandoff.ts"
import { VideoCatalogWorker } from "../../src/workers/VideoCatalogWorker.ts"
import { type S3TestServer, startS3 } from "../support/s3.ts"
import { testVideos } from "../support/videos.ts"
import { clip720 } from "./Clips.ts"
import { checkPublished, durationOf } from "./MediaChecks.ts"
import { type Pipeline, startPipeline, token } from "./PipelineHarness.ts"

let s3: S3TestServer
let p: Pipeline
beforeAll(async () => {
  s3 = await startS3()
  p = await startPipeline({ eventStore: "postgres", objectStore: S3ObjectStore.layer(s3.options) })
}, 60_000)
afterAll(async () => {
  await p?.stop()
  await s3?.stop()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const run = <A, E>(effect: Effect.Effect<A, E, Uploads | ActorSystem | EventStore | ObjectStore>) => p.runtime.runPromise(effect)

/** Starts the hand-off (and the catalog worker) over the pipeline's services; returns how to stop them. */
const startHandoff = async () => {
  const scope = await p.runtime.runPromise(Scope.make())
  const layer = Layer.merge(StreamHandoff.layer({ retryMs: 200 }), VideoCatalogWorker.layer({ retryMs: 200 }).pipe(Layer.provide(Videos.layer)))
  const built = await p.runtime.runPromise(Layer.buildWithScope(layer, scope))
  return {
    status: () => Effect.runPromiseWith(built)(StreamHandoff.use((h) => h.status)),
    stop: () => p.runtime.runPromise(Scope.close(scope, Exit.void))
  }
}

interface LiveStream {
  readonly id: string
  readonly owner: string
  readonly bytes: Uint8Array
  readonly sha256: string
}

/**
 * What the stream side leaves behind when a stream is finalized: the quota reserved under the stream's id,
 * the original completed at `originals/<id>` from its parts, and the stream's events.
 */
const finalizedStream = async (
  source: string,
  owner: string,
  started: { readonly title?: string; readonly sourceRef?: string }
): Promise<LiveStream> => {
  const id = randomUUID()
  const bytes = new Uint8Array(readFileSync(source))
  const sha256 = createHash("sha256").update(bytes).digest("hex")
  const at = Date.now()
  await run(ActorSystem.use((a) =>
    a.send(QuotaAggregate, owner, {
      command: { _tag: "GrowReservation", userId: owner, uploadId: id, bytes: bytes.byteLength },
      actor: SYSTEM_ACTOR,
      commandId: `test-stream-reserve:${id}`
    })
  ))
  const key = `originals/${id}`
  const { multipart, etag } = await run(ObjectStore.use((store) =>
    Effect.gen(function*() {
      const multipart = yield* store.createMultipartUpload(key, { contentType: "video/mp4" })
      const etag = yield* store.uploadPart(key, multipart, 1, bytes, bytes.byteLength)
      yield* store.completeMultipartUpload(key, multipart, [{ partNumber: 1, etag }])
      return { multipart, etag }
    })
  ))
  const size = bytes.byteLength
  // the stream's own events, encoded by its codec (the shapes the ingester records)
  const history: ReadonlyArray<StreamEvent> = [
    { _tag: "StreamStarted", streamId: id, ownerId: owner, source: "watch", ...started, chunkSizeBytes: 10 * 1024 * 1024, at },
    { _tag: "StreamMultipartStarted", streamId: id, key, multipartUploadId: multipart, at },
    { _tag: "StreamPartUploaded", streamId: id, partNumber: 1, offset: 0, size, etag, sha256, observedBytes: size, at },
    { _tag: "StreamEnded", streamId: id, reason: "timeout", at },
    { _tag: "StreamFinalized", streamId: id, totalSize: size, chunkCount: 1, parts: [{ partNumber: 1, etag, size, sha256 }], rewrittenParts: [], sha256, at }
  ]
  await run(EventStore.use((store) =>
    store.append(`stream-${id}`, history.map((event) => {
      const encoded = StreamEventCodec.encode(event)
      return { type: encoded.type, data: encoded.data, metadata: { schemaVersion: encoded.schemaVersion } }
    }))
  ))
  return { id, owner, bytes, sha256 }
}

const ofType = <T extends UploadEvent["_tag"]>(events: ReadonlyArray<UploadEvent>, tag: T) =>
  events.filter((e): e is Extract<UploadEvent, { _tag: T }> => e._tag === tag)

const until = async <A>(read: () => Promise<A>, done: (a: A) => boolean, timeoutMs: number): Promise<A> => {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > end) return value
    await sleep(100)
  }
}

describe("stream hand-off", () => {
  it("turns a finalized stream into a published video from the transcode step, its quota committed", async () => {
    const source = await clip720()
    const handoff = await startHandoff()
    const stream = await finalizedStream(source, "gina", { title: "Morning show", sourceRef: "cam1.mp4" })

    const ready = await p.waitFor(stream.id, ["Ready", "Failed"], 90_000)
    expect(ready).toMatchObject({ status: "Ready", source: "stream", ownerId: "gina", filename: "Morning show", declaredSize: stream.bytes.byteLength })
    const events = await p.events(stream.id)
    expect(events[0]).toMatchObject({ _tag: "UploadAdoptedFromStream", uploadId: stream.id, size: stream.bytes.byteLength, sha256: stream.sha256 })
    // no tus bytes, no chunk step: the stream sealed the original
    expect(events.filter((e) => e._tag === "BytesReceived" || e._tag === "ChunkUploaded")).toEqual([])
    expect(ofType(events, "StepClaimed").map((e) => e.step)).toEqual(["transcode", "publish"])

    const media = ofType(events, "UploadReady")[0]!.media!
    expect({ sizeBytes: media.sizeBytes, sha256: media.sha256 }).toEqual({ sizeBytes: stream.bytes.byteLength, sha256: stream.sha256 })
    const keys = await p.keys(`media/${stream.id}/`)
    expect(keys).toContain(`media/${stream.id}/master.m3u8`)
    expect(keys).toContain(`media/${stream.id}/thumbnail.jpg`)
    await checkPublished(
      media,
      { sourceSeconds: await durationOf(source), renditions: ["360p", "480p", "720p"], thumbnail: [640, 360], audio: true },
      await p.playback(stream.id, "gina")
    )

    // the reservation the stream made under its id is the one the upload's settlement commits
    const quota = await until(() => p.quota("gina"), (q) => q.status === "Tracked" && q.reservations.length === 0, 10_000)
    if (quota.status !== "Tracked") throw new Error("no quota")
    expect(quota.reservations).toEqual([])
    expect(quota.settled).toEqual([expect.objectContaining({ uploadId: stream.id, outcome: "committed", bytes: stream.bytes.byteLength })])
    expect(quota.periods.reduce((n, period) => n + period.committedBytes, 0)).toBe(stream.bytes.byteLength)

    // the Video, from the stream
    const video = await until(
      () => p.runtime.runPromise(Effect.provide(Videos.use((v) => v.current(stream.id)), Videos.layer)),
      (v) => v.state.status === "Active",
      20_000
    )
    expect(video.state).toMatchObject({ status: "Active", ownerId: "gina", title: "Morning show" })
    const videoEvents = await run(EventStore.use((s) => s.readStream(`video-${stream.id}`)))
    expect(videoEvents.map((e) => [e.type, (e.data as { source?: string }).source])).toEqual([["VideoCreated", "stream"]])

    // the uploads read model says where it came from
    const view = await until(
      async () => (await fetch(`${p.origin}/uploads/${stream.id}`, { headers: { Authorization: `Bearer ${await token("gina")}` } })).json() as Promise<Record<string, unknown>>,
      (doc) => doc["status"] === "ready",
      10_000
    )
    expect(view).toMatchObject({ id: stream.id, source: "stream", status: "ready", offset: stream.bytes.byteLength, progress: 1 })
    expect(view["stepsDone"]).toEqual(["chunk", "transcode", "publish"])

    // a restarted hand-off replays from its checkpoint (or from the start): still one adoption
    await sleep(1200)
    await handoff.stop()
    const again = await startHandoff()
    await until(() => again.status(), (s) => s.caughtUp && s.pending === 0, 10_000)
    expect((await again.status()).adopted).toBe(0)
    const adoptedAgain = await run(Uploads.use((u) =>
      u.adoptStreamOriginal({ streamId: stream.id, ownerId: "gina", title: "Morning show", size: stream.bytes.byteLength, sha256: stream.sha256 })
    ))
    expect(adoptedAgain.deduplicated || adoptedAgain.events.length === 0).toBe(true)
    expect(ofType(await p.events(stream.id), "UploadAdoptedFromStream")).toHaveLength(1)
    await again.stop()
  }, 150_000)

  it("names a stream without a title after its source", async () => {
    const handoff = await startHandoff()
    const stream = await finalizedStream((await testVideos()).tiny, "hank", { sourceRef: "dock-cam.mp4" })
    const ready = await p.waitFor(stream.id, ["Ready", "Failed"], 90_000)
    expect(ready).toMatchObject({ status: "Ready", source: "stream", filename: "dock-cam.mp4" })
    expect(ofType(await p.events(stream.id), "UploadAdoptedFromStream")[0]!.sha256).toBe(stream.sha256)
    await handoff.stop()
  }, 120_000)

  it("adopts nothing while the original is missing or stored at another size", async () => {
    const missing = randomUUID()
    const refused = await run(Effect.flip(Uploads.use((u) =>
      u.adoptStreamOriginal({ streamId: missing, ownerId: "ivan", size: 10, sha256: "0".repeat(64) })
    )))
    expect(refused._tag).toBe("StreamOriginalMissing")
    expect(await p.events(missing)).toEqual([])

    // a stored original of another size than the stream recorded
    const stream = await finalizedStream((await testVideos()).short, "ivan", { title: "x" })
    const wrongSize = await run(Effect.flip(Uploads.use((u) =>
      u.adoptStreamOriginal({ streamId: stream.id, ownerId: "ivan", size: stream.bytes.byteLength + 1, sha256: stream.sha256 })
    )))
    expect(wrongSize._tag).toBe("StreamOriginalMismatch")
    expect(await p.events(stream.id)).toEqual([])
  }, 60_000)
})
