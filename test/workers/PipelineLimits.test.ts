/**
 * The pipeline's bounds, with tiny settings: an attempt longer than VIDEO_PROCESSING_TIMEOUT is cut (its
 * ffmpeg killed) and retried with backoff until JOB_MAX_ATTEMPTS, then the upload fails with the reason
 * and its quota is released; the janitor expires an upload that stopped receiving bytes.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { clip720 } from "./Clips.ts"
import { type Pipeline, startPipeline, token } from "./PipelineHarness.ts"

const EXPIRY_SECONDS = 2

let p: Pipeline
beforeAll(async () => {
  p = await startPipeline({
    eventStore: "postgres",
    settings: { videoProcessingTimeoutSeconds: 1, uploadExpiryHours: EXPIRY_SECONDS / 3600, jobRetryDelaySeconds: 1 },
    workers: { processingTimeoutSeconds: 1, uploadExpiryHours: EXPIRY_SECONDS / 3600 }
  })
}, 60_000)
afterAll(() => p?.stop())

const ofType = <T extends UploadEvent["_tag"]>(events: ReadonlyArray<UploadEvent>, tag: T) =>
  events.filter((e): e is Extract<UploadEvent, { _tag: T }> => e._tag === tag)

/** ffmpeg processes started by this process. */
const ffmpegChildren = () => {
  try {
    return execFileSync("ps", ["-o", "comm=", "--ppid", String(process.pid)], { encoding: "utf8" }).split("\n").filter((c) => c.trim() === "ffmpeg")
  } catch {
    return []
  }
}

const released = async (userId: string, uploadId: string) => {
  for (let i = 0; i < 100; i++) {
    const quota = await p.quota(userId)
    if (quota.status === "Tracked" && quota.settled.some((s) => s.uploadId === uploadId && s.outcome === "released")) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

describe("pipeline limits", () => {
  it("cuts an attempt at VIDEO_PROCESSING_TIMEOUT, retries with a growing delay, then fails the upload and releases its quota", async () => {
    const id = await p.upload(new Uint8Array(readFileSync(await clip720())), "alice", "clip.mp4")
    const failed = await p.waitFor(id, ["Failed", "Ready"], 60_000)
    expect(failed.status).toBe("Failed")
    if (failed.status !== "Failed") return
    expect(failed.reason).toBe("Processing failed at the transcode step after 3 attempts: it took longer than VIDEO_PROCESSING_TIMEOUT (1 s)")
    const failures = ofType(await p.events(id), "StepFailed").filter((e) => e.step === "transcode")
    expect(failures.map((f) => f.attempt)).toEqual([1, 2, 3])
    // Backoff: JOB_RETRY_DELAY_SECONDS doubled per failed attempt; none after the last.
    expect(failures.map((f) => (f.retryAt === undefined ? undefined : f.retryAt - f.at))).toEqual([1000, 2000, undefined])
    const claims = ofType(await p.events(id), "StepClaimed").filter((e) => e.step === "transcode")
    expect(claims[1]!.at).toBeGreaterThanOrEqual(failures[0]!.retryAt!)
    expect(claims[2]!.at).toBeGreaterThanOrEqual(failures[1]!.retryAt!)
    // The timed-out ffmpeg processes were killed, not left running.
    expect(ffmpegChildren()).toEqual([])
    expect(await released("alice", id)).toBe(true)
  }, 90_000)

  it("expires an upload that stopped receiving bytes: quota released, staged bytes deleted", async () => {
    const auth = { Authorization: `Bearer ${await token("bob")}`, "Tus-Resumable": "1.0.0" }
    const created = await fetch(p.endpoint, {
      method: "POST",
      headers: { ...auth, "Upload-Length": "1000", "Upload-Metadata": `filename ${Buffer.from("idle.mp4").toString("base64")}` }
    })
    expect(created.status).toBe(201)
    const url = new URL(created.headers.get("Location")!, p.origin).toString()
    const id = url.slice(url.lastIndexOf("/") + 1)
    const patched = await fetch(url, {
      method: "PATCH",
      headers: { ...auth, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0" },
      body: new Uint8Array(100)
    })
    expect(patched.status).toBe(204)
    expect(await p.keys(`staging/${id}/`)).toHaveLength(1)

    const expired = await p.waitFor(id, ["Expired"], 30_000)
    expect(expired.status).toBe("Expired")
    const event = ofType(await p.events(id), "UploadExpired")[0]!
    expect(event.at - event.idleSince).toBeGreaterThanOrEqual(EXPIRY_SECONDS * 1000)
    expect(await released("bob", id)).toBe(true)
    for (let i = 0; i < 50 && (await p.keys(`staging/${id}/`)).length > 0; i++) await new Promise((r) => setTimeout(r, 100))
    expect(await p.keys(`staging/${id}/`)).toEqual([])
  }, 60_000)
})
