/**
 * The media pipeline end to end on the embedded stack (PGlite, fs object store, real ffmpeg): a tus upload
 * by tus-js-client → chunk → transcode → publish → ready, checked the way a player sees it over HTTP;
 * a source without audio; random bytes named .mp4 → failed with a readable reason, quota released.
 */
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { Effect, Fiber, Stream } from "effect"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { ProcessingProgress, type ProgressUpdate } from "../../src/uploads/ProcessingProgress.ts"
import { runStep } from "../../src/workers/StepRunner.ts"
import { testVideos } from "../support/videos.ts"
import { clip720 } from "./Clips.ts"
import { checkPublished, durationOf } from "./MediaChecks.ts"
import { type Pipeline, startPipeline } from "./PipelineHarness.ts"

let p: Pipeline
beforeAll(async () => {
  p = await startPipeline({ settings: { chunkSizeBytes: 5 * 1024 * 1024 } })
}, 60_000)
afterAll(() => p?.stop())

const ofType = <T extends UploadEvent["_tag"]>(events: ReadonlyArray<UploadEvent>, tag: T) =>
  events.filter((e): e is Extract<UploadEvent, { _tag: T }> => e._tag === tag)

describe("media pipeline (embedded: PGlite + fs)", () => {
  it("takes a tus upload of a 720p clip to ready: three renditions that play, a thumbnail, the quota committed", async () => {
    const source = await clip720()
    const data = new Uint8Array(readFileSync(source))
    // Progress is ephemeral: subscribe before the upload to see it go by.
    const seen: Array<ProgressUpdate> = []
    const watching = p.runtime.runFork(Effect.scoped(Effect.gen(function*() {
      const updates = yield* (yield* ProcessingProgress).subscribe
      yield* Stream.runForEach(updates, (u) => Effect.sync(() => void seen.push(u)))
    })))

    const id = await p.upload(data, "alice", "clip.mp4")
    const ready = await p.waitFor(id, ["Ready", "Failed"], 90_000)
    await p.runtime.runPromise(Fiber.interrupt(watching))
    const events = await p.events(id)
    expect(seen.filter((u) => u.uploadId === id).map((u) => u.step)).toEqual(expect.arrayContaining(["chunk", "transcode", "publish"]))
    expect(seen.some((u) => u.uploadId === id && u.step === "transcode" && u.percent === 100)).toBe(true)
    expect(ready.status, JSON.stringify(events.filter((e) => e._tag === "StepFailed" || e._tag === "UploadFailed"))).toBe("Ready")

    // Each step claimed and completed once; the original sealed in one part, with its size and SHA-256.
    for (const step of ["chunk", "transcode", "publish"] as const) {
      expect(ofType(events, "StepClaimed").filter((e) => e.step === step)).toHaveLength(1)
      expect(ofType(events, "StepCompleted").filter((e) => e.step === step)).toHaveLength(1)
    }
    expect(ofType(events, "ChunkUploaded").map((e) => e.partNumber)).toEqual([1])
    const chunked = ofType(events, "StepCompleted").find((e) => e.step === "chunk")!
    const { createHash } = await import("node:crypto")
    expect(chunked.details).toMatchObject({ original: `originals/${id}`, sizeBytes: data.length, sha256: createHash("sha256").update(data).digest("hex") })
    expect(ofType(events, "MilestoneReached").map((e) => e.milestone)).toEqual(["probed", "transcoded", "thumbnailed"])
    // the bytes published, for the storage statistics: playlists, segments and the thumbnail
    const publishedStep = ofType(events, "StepCompleted").find((e) => e.step === "publish")!
    expect(publishedStep.details?.mediaBytes).toBeGreaterThan(10_000)

    const readyEvent = ofType(events, "UploadReady")[0]!
    const media = readyEvent.media!
    expect(media).toMatchObject({
      masterPlaylistUrl: `/media/${id}/master.m3u8`,
      thumbnailUrl: `/media/${id}/thumbnail.jpg`,
      width: 1280,
      height: 720,
      sizeBytes: data.length
    })
    await checkPublished(media, {
      sourceSeconds: await durationOf(source),
      renditions: ["360p", "480p", "720p"],
      thumbnail: [640, 360],
      audio: true
    }, await p.playback(id, "alice"))

    // Published under media/<id>/ only; staging and transcode output cleaned up; the original kept.
    const published = await p.keys(`media/${id}/`)
    expect(published).toContain(`media/${id}/master.m3u8`)
    expect(published.filter((k) => k.endsWith(".ts")).length).toBeGreaterThanOrEqual(3)
    // Settling an ended upload (deleting staging/ and work/) runs just after UploadReady: give it a moment.
    for (let i = 0; i < 100 && (await p.keys(`staging/${id}/`)).length + (await p.keys(`work/${id}/`)).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(await p.keys(`staging/${id}/`)).toEqual([])
    expect(await p.keys(`work/${id}/`)).toEqual([])
    expect(await p.keys(`originals/${id}`)).toEqual([`originals/${id}`])

    const quota = await p.quota("alice")
    expect(quota.status === "Tracked" && quota.settled.find((s) => s.uploadId === id)).toMatchObject({ outcome: "committed", bytes: data.length })
  }, 120_000)

  it("does not run a finished step again when a lagging view claims it once more (the claim comes back deduplicated)", async () => {
    const ready = (await p.keys("media/")).find((k) => k.endsWith("/master.m3u8"))!
    const id = ready.split("/")[1]!
    const events = await p.events(id)
    const claim = ofType(events, "StepClaimed").find((e) => e.step === "transcode")!
    const head = () => p.runtime.runPromise(EventStore.use((s) => s.headPosition))
    const before = await head()
    const started = Date.now()
    await p.runtime.runPromise(runStep(id, "transcode", 1, {
      workerId: claim.workerId,
      concurrency: 1,
      processingTimeoutSeconds: 30,
      chunkSizeBytes: 5 * 1024 * 1024,
      jobMaxAttempts: 3,
      uploadExpiryHours: 24
    }))
    expect(Date.now() - started).toBeLessThan(1000)
    expect(await head()).toBe(before)
  })

  it("serves the HLS files over HTTP with their content types, cache policy, ETag and byte ranges", async () => {
    const id = await p.upload(new Uint8Array(readFileSync((await testVideos()).tiny)), "carol", "tiny.mp4")
    await p.waitFor(id, ["Ready"], 90_000)
    const segment = (await p.keys(`media/${id}/`)).find((k) => k.endsWith(".ts"))!
    const play = await p.playback(id, "carol")
    const url = `${play.base}${segment.slice(`media/${id}/`.length)}`

    const whole = await fetch(url)
    expect(whole.status).toBe(200)
    expect(whole.headers.get("content-type")).toBe("video/mp2t")
    // cacheable per token: private, never past the token's end
    expect(whole.headers.get("cache-control")).toMatch(/^private, max-age=\d+, immutable$/)
    expect(whole.headers.get("accept-ranges")).toBe("bytes")
    const bytes = new Uint8Array(await whole.arrayBuffer())
    expect(Number(whole.headers.get("content-length"))).toBe(bytes.length)
    expect(bytes[0]).toBe(0x47) // MPEG-TS sync byte

    const ranged = await fetch(url, { headers: { Range: "bytes=188-375" } })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get("content-range")).toBe(`bytes 188-375/${bytes.length}`)
    expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(bytes.subarray(188, 376))
    const suffix = await fetch(url, { headers: { Range: "bytes=-100" } })
    expect(suffix.status).toBe(206)
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 100))
    const past = await fetch(url, { headers: { Range: `bytes=${bytes.length}-` } })
    expect(past.status).toBe(416)
    expect(past.headers.get("content-range")).toBe(`bytes */${bytes.length}`)
    expect((await past.json()).error.code).toBe("RANGE_NOT_SATISFIABLE")

    const etag = whole.headers.get("etag")!
    expect((await fetch(url, { headers: { "If-None-Match": etag } })).status).toBe(304)
    const head = await fetch(url, { method: "HEAD" })
    expect(head.status).toBe(200)
    expect(head.headers.get("content-length")).toBe(String(bytes.length))

    const playlist = await fetch(play.url)
    expect(playlist.headers.get("content-type")).toBe("application/vnd.apple.mpegurl")
    expect(playlist.headers.get("cache-control")).toBe("private, max-age=300")
    // no open route to the files any more: /media serves public thumbnails only
    expect((await fetch(`${p.origin}/${segment}`)).status).toBe(404)
    const missing = await fetch(`${play.base}nope.ts`)
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.code).toBe("NOT_FOUND")
  }, 120_000)

  it("takes a source without audio to a video-only ladder", async () => {
    const source = (await testVideos()).noAudio
    const id = await p.upload(new Uint8Array(readFileSync(source)), "bob", "silent.mp4")
    const ready = await p.waitFor(id, ["Ready", "Failed"], 90_000)
    expect(ready.status).toBe("Ready")
    const media = ofType(await p.events(id), "UploadReady")[0]!.media!
    await checkPublished(media, { sourceSeconds: await durationOf(source), renditions: ["360p"], thumbnail: [640, 360], audio: false }, await p.playback(id, "bob"))
  }, 120_000)

  it("fails random bytes named .mp4 with a reason a person can read, once, and releases the quota", async () => {
    const garbage = new Uint8Array(readFileSync((await testVideos()).garbage))
    const id = await p.upload(garbage, "dave", "holiday.mp4")
    const failed = await p.waitFor(id, ["Failed", "Ready"], 90_000)
    expect(failed.status).toBe("Failed")
    if (failed.status !== "Failed") return
    expect(failed.reason).toMatch(/^Processing failed at the transcode step after 1 attempt: not a video file: ffprobe could not read it/)
    const events = await p.events(id)
    // Not retried: the file itself is the problem.
    expect(ofType(events, "StepClaimed").filter((e) => e.step === "transcode")).toHaveLength(1)
    expect(ofType(events, "StepFailed")[0]).not.toHaveProperty("retryAt")
    // The reaction releases the reservation and removes what was stored.
    const settled = async () => {
      const quota = await p.quota("dave")
      return {
        released: quota.status === "Tracked" && quota.settled.some((s) => s.uploadId === id && s.outcome === "released"),
        stored: [...(await p.keys(`staging/${id}/`)), ...(await p.keys(`originals/${id}`)), ...(await p.keys(`work/${id}/`))]
      }
    }
    const done = { released: true, stored: [] }
    for (let i = 0; i < 100 && JSON.stringify(await settled()) !== JSON.stringify(done); i++) await new Promise((r) => setTimeout(r, 100))
    expect(await settled()).toEqual(done)

    // A video, but in a container the settings do not accept (a GIF named .mp4): the same, with its reason.
    const gif = await p.upload(new Uint8Array(readFileSync((await testVideos()).gif)), "dave", "party.mp4")
    const refused = await p.waitFor(gif, ["Failed", "Ready"], 90_000)
    expect(refused.status === "Failed" && refused.reason).toBe(
      "Processing failed at the transcode step after 1 attempt: container 'gif' is not accepted; accepted: mp4, mov, avi, mkv, webm"
    )
  }, 120_000)

  it("replays the whole history with a fresh checkpoint without acting twice: nothing is appended", async () => {
    const idle = async () => {
      for (let i = 0; i < 100; i++) {
        const status = await p.workerStatus()
        if (status.caughtUp && status.tracked === 0 && status.runningSteps === 0) break
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(await p.workerStatus()).toMatchObject({ caughtUp: true, tracked: 0, runningSteps: 0 })
    }
    await idle() // everything settled by the running workers
    await p.stopWorkers()
    const head = () => p.runtime.runPromise(EventStore.use((s) => s.headPosition))
    const before = await head()
    await p.startWorkers({ checkpointName: "replay-from-scratch", workerId: "replayer" })
    await idle()
    expect(await head()).toBe(before)
  }, 60_000)
})
