/**
 * `npm run worker` as a real process (src/runtime/worker.ts) on PostgreSQL and the fs object store:
 * killed with SIGKILL in the middle of a transcode, then started again — its lease runs out, the new
 * process re-claims the step, and the upload is ready with exactly one completion and no duplicate objects.
 * Also: a worker without a usable ffmpeg refuses to start with a message that says what to do.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { readText } from "../../src/workers/ByteStreams.ts"
import { TEST_POSTGRES_URL, withAdminSql } from "../support/postgres.ts"
import { testVideos } from "../support/videos.ts"
import { type Pipeline, startPipeline } from "./PipelineHarness.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const database = `kf_worker_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
const url = (() => {
  const u = new URL(TEST_POSTGRES_URL)
  u.pathname = `/${database}`
  return u.toString()
})()

let p: Pipeline
const workers: Array<ChildProcess> = []
const output: Array<string> = []

beforeAll(async () => {
  await withAdminSql((sql) => sql.unsafe(`CREATE DATABASE "${database}"`))
  p = await startPipeline({ eventStore: PostgresEventStore.layer({ url }), startWorkers: false })
}, 60_000)

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.pid !== undefined) killGroup(w.pid, "SIGKILL")
  await p?.stop()
  await withAdminSql((sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`))
})

/** Starts `npm run worker`'s program in its own process group (so the group can be killed like a machine dying). */
const startWorker = (env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, ["src/runtime/worker.ts"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATA_DIR: p.dir,
      EVENTSTORE_URL: url,
      // Long enough for this clip's ladder on a busy CI machine; also how long the killed worker's lease lasts.
      VIDEO_PROCESSING_TIMEOUT: "10",
      JOB_RETRY_DELAY_SECONDS: "1",
      WORKER_CONCURRENCY: "1",
      LOG_FORMAT: "pretty",
      ...env
    }
  })
  child.stdout!.on("data", (d) => output.push(String(d)))
  child.stderr!.on("data", (d) => output.push(String(d)))
  workers.push(child)
  return child
}

const killGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))))

/** The commands running in a process group. */
const groupCommands = (pgid: number): Array<string> => {
  try {
    return execFileSync("ps", ["-o", "comm=", "-g", String(pgid)], { encoding: "utf8" }).split("\n").map((s) => s.trim()).filter(Boolean)
  } catch {
    return []
  }
}

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) => {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}\n${output.join("")}`)
}

const ofType = <T extends UploadEvent["_tag"]>(events: ReadonlyArray<UploadEvent>, tag: T) =>
  events.filter((e): e is Extract<UploadEvent, { _tag: T }> => e._tag === tag)

describe("npm run worker (a separate process)", () => {
  it("survives SIGKILL mid-transcode: after a restart, exactly one completion and no duplicate objects", async () => {
    const id = await p.upload(new Uint8Array(readFileSync((await testVideos()).noAudio)), "alice", "clip.mp4")
    const first = startWorker()
    await until("the transcode to start", async () => ofType(await p.events(id), "StepClaimed").some((e) => e.step === "transcode"), 60_000)
    await until("ffmpeg to run", () => groupCommands(first.pid!).includes("ffmpeg"), 20_000)
    killGroup(first.pid!, "SIGKILL")
    await exited(first)
    const before = await p.events(id)
    expect(ofType(before, "StepCompleted").map((e) => e.step)).toEqual(["chunk"])
    // Nothing of it is left running (ffmpeg died with it).
    await until("the killed group to be gone", () => groupCommands(first.pid!).length === 0, 10_000)

    const second = startWorker()
    const ready = await p.waitFor(id, ["Ready", "Failed"], 90_000)
    const events = await p.events(id)
    expect(ready.status, `${JSON.stringify(ofType(events, "StepFailed"))}\n${output.join("")}`).toBe("Ready")
    const transcodes = ofType(events, "StepClaimed").filter((e) => e.step === "transcode")
    expect(transcodes.map((e) => e.attempt)).toEqual([1, 2])
    expect(transcodes[0]!.workerId).not.toBe(transcodes[1]!.workerId)
    // Re-claimed only once the dead worker's lease (VIDEO_PROCESSING_TIMEOUT) had run out.
    expect(transcodes[1]!.at).toBeGreaterThanOrEqual(transcodes[0]!.leaseExpiresAt)
    expect(ofType(events, "StepCompleted").filter((e) => e.step === "transcode")).toHaveLength(1)
    expect(ofType(events, "UploadReady")).toHaveLength(1)

    // media/<id>/ holds exactly the master, the thumbnail, and each rendition's playlist and its segments.
    const published = [...(await p.keys(`media/${id}/`))].sort()
    const expected = await p.runtime.runPromise(Effect.gen(function*() {
      const store = yield* ObjectStore
      const files = [`media/${id}/master.m3u8`, `media/${id}/thumbnail.jpg`]
      for (const r of ["360p"]) {
        const playlist = yield* readText((yield* store.get(`media/${id}/${r}/index.m3u8`)).body, "playlist")
        files.push(`media/${id}/${r}/index.m3u8`, ...playlist.split("\n").filter((l) => l.endsWith(".ts")).map((s) => `media/${id}/${r}/${s}`))
      }
      return files.sort()
    }))
    expect(published).toEqual(expected)
    // Settling an ended upload (deleting work/ and staging/) runs just after UploadReady: give it a moment.
    const cleaned = async () => (await p.keys(`work/${id}/`)).length === 0 && (await p.keys(`staging/${id}/`)).length === 0
    await until("the ended upload's clean-up", cleaned, 10_000).catch(() => undefined)
    expect(await p.keys(`work/${id}/`)).toEqual([])
    expect(await p.keys(`staging/${id}/`)).toEqual([])
    // The restarted worker removed the dead one's scratch directory.
    expect(readdirSync(join(p.dir, "scratch")).filter((d) => d.includes(`-p${first.pid}-`))).toEqual([])

    killGroup(second.pid!, "SIGTERM")
    expect(await exited(second)).toBe(0)
  }, 180_000)

  it("refuses to start without a usable ffmpeg, saying how to fix it", async () => {
    const child = startWorker({ FFMPEG_PATH: "/nonexistent/ffmpeg", LOG_FORMAT: "pretty" })
    const lines: Array<string> = []
    child.stdout!.on("data", (d) => lines.push(String(d)))
    child.stderr!.on("data", (d) => lines.push(String(d)))
    expect(await exited(child)).toBe(1)
    expect(lines.join("")).toMatch(/Keyframe worker cannot start: ffmpeg not found at \/nonexistent\/ffmpeg .*apt-get install ffmpeg.*FFMPEG_PATH/)
  }, 60_000)
})
