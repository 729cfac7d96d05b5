/**
 * An upload processed by the real workers, watched over `ws://…/uploads/:id` and over SSE at once:
 * `src/runtime/node.ts` as a child process (workers on, ws transport, embedded store), the upload
 * created and its bytes sent over tus HTTP, ffmpeg transcoding it for real. The WebSocket gets the
 * SSE feed's messages one for one (stored ones identical and in the same order), and closes 1000.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectSse, type SseEvent } from "../http/queries/SseClient.ts"
import { testVideos } from "../support/videos.ts"
import { type RoomServer, startRoomServer, tokenFor } from "./RoomServerProcess.ts"
import { connect } from "./RoomTestClient.ts"

const TUS = { "Tus-Resumable": "1.0.0" }

describe("upload feed over WebSocket with the real workers", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "keyframe-feed-pipeline-"))
  let server: RoomServer
  beforeAll(async () => {
    server = await startRoomServer([process.execPath, "src/runtime/node.ts"], { DATA_DIR: dataDir, RUN_WORKERS: "true" })
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it("a tus upload to ready: the WebSocket frames are the SSE messages, stored ones identical and in order", async () => {
    const bytes = readFileSync((await testVideos()).tiny)
    const auth = { Authorization: `Bearer ${await tokenFor("wren")}` }
    const created = await fetch(`${server.http}/files`, {
      method: "POST",
      headers: { ...TUS, ...auth, "Upload-Length": String(bytes.length), "Upload-Metadata": `filename ${btoa("tiny.mp4")},filetype ${btoa("video/mp4")}` }
    })
    expect(created.status).toBe(201)
    const id = created.headers.get("Location")!.split("/").at(-1)!
    const sse = await connectSse(`${server.http}/uploads/${id}/events`, auth)
    const ws = await connect(`${server.ws}/uploads/${id}?access_token=${await tokenFor("wren")}`)
    await ws.next((f) => f.type === "snapshot")
    const patched = await fetch(`${server.http}/files/${id}`, {
      method: "PATCH",
      headers: { ...TUS, ...auth, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" },
      body: bytes
    })
    expect(patched.status).toBe(204)
    await ws.next((f) => f.type === "end", 120_000)
    expect(await ws.closed).toEqual({ code: 1000, reason: "finished" })
    const messages: Array<SseEvent> = await sse.until((e) => e.event === "end", 120_000)
    sse.close()
    const stored = <T extends { readonly type: string }>(list: ReadonlyArray<T>) => list.filter((m) => m.type !== "processing")
    const frames = ws.frames.map((f) => ({ ...f }))
    expect(stored(frames)).toEqual(stored(messages.map((e) => ({ type: e.event, ...(e.id === undefined ? {} : { id: e.id }), data: e.data }))))
    expect(frames.at(-1)).toEqual({ type: "end", data: { status: "ready", reason: "finished", reconnect: false } })
    const states = frames.filter((f) => f.type === "state").map((f) => f.data.upload.status)
    expect(states).toEqual(expect.arrayContaining(["received", "processing", "ready"]))
    // ephemeral percentages carry no id on either side
    for (const f of frames.filter((f) => f.type === "processing")) expect(f.id).toBeUndefined()
    console.log(JSON.stringify({
      upload: id,
      frames: frames.length,
      storedFrames: stored(frames).length,
      processingFrames: { ws: frames.length - stored(frames).length, sse: messages.filter((m) => m.event === "processing").length }
    }))
  }, 180_000)
})
