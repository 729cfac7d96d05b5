/**
 * Uploads that point elsewhere, end to end (tus → chunk → transcode): an HLS playlist listing a local .ts or
 * an http:// segment and an ffconcat list, each named .mp4, end `failed` for good with a reason a person
 * can read (no paths), and ffprobe never opens what they list (tripwires: a named pipe, a TCP listener).
 * A WebM upload still goes to ready through the same whitelists.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { ffconcatList, fileTripwire, hlsPlaylist, mentionsAbsolutePath, socketTripwire } from "../media/IndirectInputs.ts"
import { type Pipeline, startPipeline } from "./PipelineHarness.ts"

const exec = promisify(execFile)
const text = (s: string) => new TextEncoder().encode(s)
const ACCEPTED = "accepted: mp4, mov, avi, mkv, webm"

let p: Pipeline
let wires = ""
beforeAll(async () => {
  wires = mkdtempSync(join(tmpdir(), "kf-wires-"))
  p = await startPipeline()
}, 60_000)
afterAll(async () => {
  await p?.stop()
  rmSync(wires, { recursive: true, force: true })
})

const ofType = <T extends UploadEvent["_tag"]>(events: ReadonlyArray<UploadEvent>, tag: T) =>
  events.filter((e): e is Extract<UploadEvent, { _tag: T }> => e._tag === tag)

/** Uploads `bytes` as `filename` and waits for the end: the reason it failed, checked to be final (one attempt). */
const failureOf = async (bytes: Uint8Array, filename: string): Promise<string> => {
  const id = await p.upload(bytes, "mallory", filename)
  const ended = await p.waitFor(id, ["Failed", "Ready"], 90_000)
  const claims = ofType(await p.events(id), "StepClaimed").filter((e) => e.step === "transcode")
  expect(claims).toHaveLength(1)
  return ended.status === "Failed" ? ended.reason : `unexpectedly ${ended.status}`
}

describe("uploads that point elsewhere", () => {
  it("an HLS playlist named .mp4 listing a local .ts fails without the .ts being opened", async () => {
    const wire = fileTripwire(join(wires, "seg0.ts"))
    try {
      const reason = await failureOf(text(hlsPlaylist(wire.path)), "holiday.mp4")
      expect(wire.opened()).toBe(false)
      expect(reason).toBe(`Processing failed at the transcode step after 1 attempt: container 'hls' is not accepted; ${ACCEPTED}`)
      expect(mentionsAbsolutePath(reason)).toBe(false)
    } finally {
      wire.close()
    }
  }, 120_000)

  it("an HLS playlist named .mp4 listing an http:// segment fails; the listener gets no connection", async () => {
    const listener = await socketTripwire()
    try {
      const reason = await failureOf(text(hlsPlaylist(listener.url)), "holiday.mp4")
      expect(listener.connections()).toBe(0)
      expect(reason).toBe(`Processing failed at the transcode step after 1 attempt: container 'hls' is not accepted; ${ACCEPTED}`)
    } finally {
      await listener.close()
    }
  }, 120_000)

  it("an ffconcat list named .mp4 fails without the file it lists being opened", async () => {
    const wire = fileTripwire(join(wires, "part.ts"))
    try {
      const reason = await failureOf(text(ffconcatList(wire.path)), "holiday.mp4")
      expect(wire.opened()).toBe(false)
      expect(reason).toBe(`Processing failed at the transcode step after 1 attempt: container 'concat' is not accepted; ${ACCEPTED}`)
      expect(mentionsAbsolutePath(reason)).toBe(false)
    } finally {
      wire.close()
    }
  }, 120_000)

  it("a WebM upload still goes to ready", async () => {
    const source = join(wires, "clip.webm")
    await exec("ffmpeg", [
      ...["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "300k"],
      ...["-c:a", "libopus", "-shortest", "-f", "webm", source]
    ])
    const id = await p.upload(new Uint8Array(readFileSync(source)), "mallory", "clip.webm")
    const ready = await p.waitFor(id, ["Ready", "Failed"], 90_000)
    expect(ready.status, JSON.stringify(ready)).toBe("Ready")
    expect(ofType(await p.events(id), "MilestoneReached").find((e) => e.milestone === "probed")?.details).toMatchObject({ container: "webm" })
  }, 120_000)
})
