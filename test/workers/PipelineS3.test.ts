/**
 * The media pipeline end to end on S3 and PostgreSQL (s3rver on a free port, behind a TCP proxy that can cut it off):
 * tus uploads → ready with the ladder checked over HTTP (a 720p clip, a rotated portrait phone clip) (playlists passed through by Keyframe, segments
 * and thumbnail redirected to presigned URLs); and S3 unreachable for a while → the step fails, is
 * retried after its backoff, and the upload is ready in the end.
 */
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { S3ObjectStore } from "../../src/objectstore/s3/S3ObjectStore.ts"
import { type S3TestServer, startS3 } from "../support/s3.ts"
import { testVideos } from "../support/videos.ts"
import { clip720 } from "./Clips.ts"
import { checkPublished, durationOf } from "./MediaChecks.ts"
import { type Pipeline, startPipeline } from "./PipelineHarness.ts"
import { startTcpProxy, type TcpProxy } from "./TcpProxy.ts"

let s3: S3TestServer
let proxy: TcpProxy
let p: Pipeline
beforeAll(async () => {
  s3 = await startS3()
  proxy = await startTcpProxy(Number(new URL(s3.endpoint).port))
  const endpoint = `http://127.0.0.1:${proxy.port}`
  p = await startPipeline({
    eventStore: "postgres",
    objectStore: S3ObjectStore.layer({ ...s3.options, endpoint, maxAttempts: 2, connectionTimeoutMs: 1000 }),
    startWorkers: false
  })
}, 60_000)
afterAll(async () => {
  await p?.stop()
  await proxy?.stop()
  await s3?.stop()
})

const ofType = <T extends UploadEvent["_tag"]>(events: ReadonlyArray<UploadEvent>, tag: T) =>
  events.filter((e): e is Extract<UploadEvent, { _tag: T }> => e._tag === tag)

describe("media pipeline on S3 (s3rver)", () => {
  it("retries a step while S3 is unreachable, then finishes once it is back", async () => {
    const source = (await testVideos()).tiny
    const id = await p.upload(new Uint8Array(readFileSync(source)), "erin", "tiny.mp4")
    expect((await p.state(id)).status).toBe("Received")
    await proxy.down()
    await p.startWorkers()
    // The first attempt at sealing the original finds no S3 and fails, to be retried after the backoff.
    const failed = await p.waitForEvents(id, (events) => ofType(events, "StepFailed").length >= 1, 30_000)
    const first = ofType(failed, "StepFailed")[0]!
    expect(first).toMatchObject({ step: "chunk", attempt: 1 })
    expect(first.reason).toMatch(/object store unavailable/)
    expect(first.retryAt).toBe(first.at + 1000)
    await proxy.up()
    const ready = await p.waitFor(id, ["Ready", "Failed"], 60_000)
    expect(ready.status).toBe("Ready")
    const events = await p.events(id)
    const chunkClaims = ofType(events, "StepClaimed").filter((e) => e.step === "chunk")
    expect(chunkClaims.length).toBeGreaterThanOrEqual(2)
    expect(chunkClaims[1]!.at).toBeGreaterThanOrEqual(first.retryAt!)
    expect(ofType(events, "StepCompleted").filter((e) => e.step === "chunk")).toHaveLength(1)
    expect(ofType(events, "UploadReady")).toHaveLength(1)
  }, 120_000)

  it("takes a tus upload of a 720p clip to ready, published to S3 and playable through Keyframe", async () => {
    const source = await clip720()
    const id = await p.upload(new Uint8Array(readFileSync(source)), "alice", "clip.mp4")
    const ready = await p.waitFor(id, ["Ready", "Failed"], 90_000)
    expect(ready.status).toBe("Ready")
    const media = ofType(await p.events(id), "UploadReady")[0]!.media!
    await checkPublished(media, { sourceSeconds: await durationOf(source), renditions: ["360p", "480p", "720p"], thumbnail: [640, 360], audio: true }, await p.playback(id, "alice"))

    // Segments: a redirect to a presigned URL of the object, with its content type and cache policy from S3.
    const segment = (await p.keys(`media/${id}/`)).find((k) => k.endsWith(".ts"))!
    const play = await p.playback(id, "alice")
    const redirect = await fetch(`${play.base}${segment.slice(`media/${id}/`.length)}`, { redirect: "manual" })
    expect(redirect.status).toBe(302)
    const location = redirect.headers.get("location")!
    expect(location).toMatch(/X-Amz-Signature=/)
    const fromS3 = await fetch(location)
    expect(fromS3.status).toBe(200)
    expect(fromS3.headers.get("content-type")).toBe("video/mp2t")
    expect(fromS3.headers.get("cache-control")).toBe("public, max-age=31536000, immutable")
    expect(new Uint8Array(await fromS3.arrayBuffer())[0]).toBe(0x47)
    // Playlists come through Keyframe, so their relative URIs lead back here.
    const playlist = await fetch(`${play.base}${media.renditions[0]!.playlistUrl.replace(`/media/${id}/`, "")}`, { redirect: "manual" })
    expect(playlist.status).toBe(200)
    expect(playlist.headers.get("content-type")).toBe("application/vnd.apple.mpegurl")
    expect(await playlist.text()).toMatch(/^segment_000\.ts$/m)
    // Settling an ended upload (deleting staging/) runs just after UploadReady: give it a moment.
    for (let i = 0; i < 100 && (await p.keys(`staging/${id}/`)).length > 0; i++) await new Promise((r) => setTimeout(r, 100))
    expect(await p.keys(`staging/${id}/`)).toEqual([])
  }, 120_000)

  it("turns a portrait phone clip (stored landscape, rotated 90°) into an upright portrait ladder", async () => {
    const source = (await testVideos()).portrait
    const id = await p.upload(new Uint8Array(readFileSync(source)), "frank", "phone.mp4")
    const ready = await p.waitFor(id, ["Ready", "Failed"], 90_000)
    expect(ready.status).toBe("Ready")
    const media = ofType(await p.events(id), "UploadReady")[0]!.media!
    expect([media.width, media.height]).toEqual([720, 1280])
    expect(media.renditions.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual(["360p 360x640", "480p 480x854", "720p 720x1280"])
    await checkPublished(media, { sourceSeconds: await durationOf(source), renditions: ["360p", "480p", "720p"], thumbnail: [640, 1138], audio: true }, await p.playback(id, "frank"))
  }, 120_000)
})
