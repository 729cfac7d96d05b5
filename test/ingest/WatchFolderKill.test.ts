/**
 * The watch-folder ingester killed with SIGKILL while its file still grows, then started again on the same data
 * dir (embedded event store) and S3 server: the restarted process resumes the same stream from its events (one
 * StreamStarted, one multipart upload), records every part exactly once with no gap, and the original it
 * completes is byte-identical to the file. The ingester is `npm start`'s program with the media workers off;
 * the writer is a process of its own, so it keeps writing while the ingester is dead.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RoomServer } from "../realtime/RoomServerProcess.ts"
import { startGrowingMp4 } from "../support/GrowingMp4.ts"
import { type S3TestServer, startS3 } from "../support/s3.ts"
import {
  fileDigest,
  MiB,
  ownerGet,
  type RecordedEvent,
  s3ObjectDigest,
  startWatchServer,
  streamEvents,
  streamOfFile,
  until,
  uploadedPartNumbers
} from "./WatchServer.ts"

const CHUNK = 5 * MiB
let s3: S3TestServer
let root: string
const servers: Array<RoomServer> = []

beforeAll(async () => {
  s3 = await startS3()
  root = await mkdtemp(join(tmpdir(), "kf-watch-kill-"))
  await mkdir(join(root, "watch"))
}, 60_000)

afterAll(async () => {
  for (const s of servers) await s.stop()
  await s3?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

const start = async () => {
  const server = await startWatchServer({ dataDir: join(root, "data"), watchDir: join(root, "watch"), s3, workers: false })
  servers.push(server)
  return server
}
const logs = () => servers.map((s, i) => `--- process ${i + 1}\n${s.output()}`).join("\n")

describe("the watch-folder ingester killed mid-stream", () => {
  it("resumes after SIGKILL and a restart: every part recorded once, no gap, the same final SHA-256 as the file", async () => {
    const file = "kill-cam.mp4"
    const target = join(root, "watch", file)
    const first = await start()
    // ~10 s of writing: the kill lands while the file grows, and it is still growing when the restart looks
    const growing = await startGrowingMp4({ target, kind: "fragmented", sizeBytes: 40 * MiB, bursts: 40, intervalMs: 250 })
    const streamId = await until(`a stream for ${file}`, () => streamOfFile(first.http, file), 20_000, logs)
    const beforeKill = await until("two parts recorded", async () => {
      const events = await streamEvents(first.http, streamId)
      return uploadedPartNumbers(events).length >= 2 ? events : undefined
    }, 30_000, logs)
    await first.kill()
    const writtenAtKill = growing.written()
    expect(writtenAtKill, "the file was still growing when the ingester died").toBeLessThan(growing.size)

    const second = await start()
    const finalized = await until("the resumed stream to be finalized", async () => {
      const view = await ownerGet(second.http, `/streams/${streamId}`)
      if (view.body?.state === "failed") throw new Error(`stream failed: ${JSON.stringify(view.body)}\n${logs()}`)
      return view.body?.state === "finalized" ? view.body : undefined
    }, 90_000, logs)
    await growing.done
    const disk = await fileDigest(target)
    expect(disk).toEqual({ sha256: growing.sha256, size: growing.size })
    expect(second.output()).toContain(`resuming stream ${streamId}`)

    const events = await streamEvents(second.http, streamId)
    // what the killed process recorded is kept as it was: the restart continues the history, it does not redo it
    const key = (e: RecordedEvent) => `${e.revision}:${e.type}:${JSON.stringify(e.data)}`
    expect(events.slice(0, beforeKill.length).map(key)).toEqual(beforeKill.map(key))
    expect(await streamOfFile(second.http, file)).toBe(streamId)
    expect(events.filter((e) => e.type === "StreamStarted")).toHaveLength(1)
    expect(events.filter((e) => e.type === "StreamMultipartStarted")).toHaveLength(1)

    const partCount = Math.ceil(disk.size / CHUNK)
    const parts = uploadedPartNumbers(events)
    expect(new Set(parts).size, `part numbers recorded: ${parts.join(",")}`).toBe(parts.length)
    expect([...parts].sort((a, b) => a - b)).toEqual(Array.from({ length: partCount }, (_, i) => i + 1))
    expect(uploadedPartNumbers(beforeKill).length).toBeLessThan(partCount)
    const uploaded = events.filter((e) => e.type === "StreamPartUploaded").map((e) => e.data).sort((a, b) => a.partNumber - b.partNumber)
    expect(uploaded.map((p) => [p.offset, p.size])).toEqual(
      Array.from({ length: partCount }, (_, i) => [i * CHUNK, Math.min(CHUNK, disk.size - i * CHUNK)])
    )

    const done = events.filter((e) => e.type === "StreamFinalized")
    expect(done).toHaveLength(1)
    expect(done[0]!.data).toMatchObject({ totalSize: disk.size, chunkCount: partCount, sha256: disk.sha256, rewrittenParts: [] })
    expect(finalized.sha256).toBe(disk.sha256)
    expect(await s3ObjectDigest(s3, `originals/${streamId}`)).toEqual(disk)
  }, 240_000)
})
