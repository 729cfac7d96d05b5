/** The FEED_* settings reach the feeds the way `npm start` composes the app (Main.ts appOptionsFor → App → read side). */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bearer, makeTestApp, type TestApp } from "../TestApp.ts"

const b64 = (s: string) => btoa(s)

let t: TestApp
let uploadPath: string
beforeAll(async () => {
  t = await makeTestApp({
    FEED_MAX_PER_USER: "1",
    FEED_MAX_PER_IP: "1",
    FEED_MAX_LIFETIME_SECONDS: "1",
    TRUST_PROXY: "true",
    RATE_LIMIT_PER_IP: "0",
    RATE_LIMIT_PER_USER: "0"
  })
  const created = await t.app.request("/files", {
    method: "POST",
    headers: { ...(await bearer("sam")), "Tus-Resumable": "1.0.0", "Upload-Length": "1000", "Upload-Metadata": `filename ${b64("clip.mp4")},filetype ${b64("video/mp4")}` }
  })
  expect(created.status).toBe(201)
  uploadPath = `/uploads/${created.headers.get("Location")!.split("/").at(-1)}/events`
}, 60_000)
afterAll(() => t?.dispose())

/** The body's text until `until` appears in it (or the stream ends). */
const readUntil = async (res: Response, until: string, timeoutMs = 5_000) => {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ""
  const deadline = Date.now() + timeoutMs
  while (!text.includes(until) && Date.now() < deadline) {
    const chunk = await reader.read()
    if (chunk.done) break
    text += decoder.decode(chunk.value, { stream: true })
  }
  await reader.cancel()
  return text
}

describe("FEED_* settings", () => {
  it("FEED_MAX_PER_USER and FEED_MAX_PER_IP=1 (the address behind TRUST_PROXY) give 429; FEED_MAX_LIFETIME_SECONDS=1 ends a feed", async () => {
    const from = async (sub: string, ip: string, roles?: ReadonlyArray<string>) =>
      t.app.request(uploadPath, { headers: { ...(await bearer(sub, roles)), "X-Forwarded-For": ip } })
    const first = await from("sam", "10.0.0.1")
    expect(first.status).toBe(200)
    const again = await from("sam", "10.0.0.2")
    expect(again.status).toBe(429)
    expect(((await again.json()) as any).error).toMatchObject({ code: "TOO_MANY_FEEDS", message: expect.stringMatching(/FEED_MAX_PER_USER/) })
    // an admin (who may watch sam's upload) from sam's address: the address is full; from another it is not
    const sameAddress = await from("ada", "10.0.0.1", ["admin"])
    expect(sameAddress.status).toBe(429)
    expect(((await sameAddress.json()) as any).error.message).toMatch(/FEED_MAX_PER_IP/)
    const otherAddress = await from("ada", "10.0.0.2", ["admin"])
    expect(otherAddress.status).toBe(200)
    await otherAddress.body!.cancel()

    const text = await readUntil(first, "event: end")
    expect(text).toMatch(/event: snapshot/)
    expect(text).toMatch(/event: end\ndata: \{"reason":"lifetime","reconnect":true/)
  }, 15_000)
})
