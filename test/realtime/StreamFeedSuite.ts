/**
 * `ws://…/streams/:id` in the black-box suite each transport's server process runs (ws, uWS under Node 20,
 * Deno): a live stream pushed over real HTTP (POST /streams, PATCH, POST /streams/:id/end; the embedded object
 * store) and watched over SSE and WebSocket at once — the same messages, one JSON frame each, close 1000.
 */
import { expect, it } from "vitest"
import { connectSse, type SseEvent } from "../http/queries/SseClient.ts"
import { type RoomServer, tokenFor } from "./RoomServerProcess.ts"
import { connect, refusal } from "./RoomTestClient.ts"

const asFrame = (e: SseEvent) => (e.id === undefined ? { type: e.event, data: e.data } : { type: e.event, id: e.id, data: e.data })

export const streamFeedSuite = (server: () => RoomServer) => {
  it("stream feed: a pushed stream's snapshot, updates as PATCHes land, state at the end and finalization, end; the SSE messages one for one; close 1000", async () => {
    const auth = { Authorization: `Bearer ${await tokenFor("sten")}` }
    const created = await fetch(`${server().http}/streams`, { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: "{}" })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    const patch = async (offset: number, length: number) => {
      const res = await fetch(`${server().http}/streams/${id}`, {
        method: "PATCH",
        headers: { ...auth, "Content-Type": "application/offset+octet-stream", "Stream-Offset": String(offset) },
        body: new Uint8Array(length).fill(7)
      })
      expect(res.status, await res.text()).toBe(204)
    }
    await patch(0, 100)
    const sse = await connectSse(`${server().http}/streams/${id}/events`, auth)
    const ws = await connect(`${server().ws}/streams/${id}?access_token=${await tokenFor("sten")}`)
    expect((await ws.next((f) => f.type === "snapshot")).data.stream).toMatchObject({ id, state: "live", bytesReceived: 100, lagBytes: 100 })
    await patch(100, 50)
    expect((await ws.next((f) => f.type === "progress" && f.data.type === "StreamBytesReceived")).data.stream).toMatchObject({ bytesReceived: 150, lagBytes: 150 })
    expect((await fetch(`${server().http}/streams/${id}/end`, { method: "POST", headers: auth })).status).toBe(202)
    await ws.next((f) => f.type === "end", 30_000)
    expect(await ws.closed).toEqual({ code: 1000, reason: "finished" })
    const messages = await sse.until((e) => e.event === "end", 30_000)
    sse.close()
    expect(ws.frames).toEqual(messages.map(asFrame))
    expect(ws.frames.filter((f) => f.type === "state").map((f) => f.data.stream.state)).toEqual(["ended", "finalized"])
    expect(ws.frames.at(-1)).toMatchObject({ type: "end", data: { state: "finalized", reason: "finished", reconnect: false } })
    // someone else's stream: the same 404 as none at all
    expect(await refusal(`${server().ws}/streams/${id}?access_token=${await tokenFor("mallory")}`)).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } })
  }, 45_000)
}
