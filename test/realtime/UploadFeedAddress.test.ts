/**
 * FEED_MAX_PER_IP on the WebSocket feed behind a trusted proxy: the upgrade's address is read as the
 * HTTP side reads it (TRUST_PROXY, X-Forwarded-For; src/net/ForwardedFor.ts), so one client address holds
 * the same slots over SSE and WebSocket. A real server process (ws transport), real clients.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RoomServer, startRoomServer, tokenFor } from "./RoomServerProcess.ts"
import { connect, refusal } from "./RoomTestClient.ts"

describe("upload feed caps per address behind TRUST_PROXY", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "keyframe-feed-address-"))
  let server: RoomServer
  beforeAll(async () => {
    server = await startRoomServer([process.execPath, "src/runtime/node.ts"], { DATA_DIR: dataDir, TRUST_PROXY: "true", FEED_MAX_PER_IP: "1" })
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const create = async (user: string) => {
    const res = await fetch(`${server.http}/files`, {
      method: "POST",
      headers: { "Tus-Resumable": "1.0.0", Authorization: `Bearer ${await tokenFor(user)}`, "Upload-Length": "10", "Upload-Metadata": `filename ${btoa("a.mp4")}` }
    })
    expect(res.status).toBe(201)
    return res.headers.get("Location")!.split("/").at(-1)!
  }

  it("one forwarded address holds one feed, WebSocket or SSE; another address is counted apart; the client's own entries are ignored", async () => {
    const [a, b] = [await create("ann"), await create("bea")]
    const from = (ip: string) => ({ headers: { "X-Forwarded-For": ip } })
    const ws = await connect(`${server.ws}/uploads/${a}?access_token=${await tokenFor("ann")}`, from("203.0.113.7"))
    await ws.next((f) => f.type === "snapshot")
    // another user from the same address: over the cap, on both transports
    expect(await refusal(`${server.ws}/uploads/${b}?access_token=${await tokenFor("bea")}`, from("203.0.113.7")))
      .toMatchObject({ status: 429, body: { error: { code: "TOO_MANY_FEEDS", message: expect.stringMatching(/FEED_MAX_PER_IP/) } } })
    const sse = await fetch(`${server.http}/uploads/${b}/events`, { headers: { Authorization: `Bearer ${await tokenFor("bea")}`, "X-Forwarded-For": "203.0.113.7" } })
    expect(sse.status).toBe(429)
    // only the entry the proxy appended counts (the rightmost): a spoofed left entry changes nothing
    expect((await refusal(`${server.ws}/uploads/${b}?access_token=${await tokenFor("bea")}`, from("198.51.100.1, 203.0.113.7"))).status).toBe(429)
    const other = await connect(`${server.ws}/uploads/${b}?access_token=${await tokenFor("bea")}`, from("203.0.113.8"))
    expect((await other.next((f) => f.type === "snapshot")).data.upload.id).toBe(b)
    ws.close()
    other.close()
  })
})
