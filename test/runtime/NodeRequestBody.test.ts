/** The Node.js body reader (src/runtime/NodeRequestBody.ts) over a real node:http server and socket. */
import { createHash } from "node:crypto"
import { createServer, type IncomingMessage, request, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { bodyStream } from "../../src/runtime/NodeRequestBody.ts"

const MiB = 1024 * 1024

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve) ?? resolve(null))
  server = undefined
})

/** A server that hands each request's body stream to `handle`, and the port it listens on. */
const serveWith = async (handle: (body: ReadableStream<Uint8Array>, incoming: IncomingMessage) => Promise<string>) => {
  server = createServer((incoming, res) => {
    handle(bodyStream(incoming), incoming).then(
      (text) => res.end(text),
      (error: unknown) => res.end(`error: ${String(error)}`)
    )
  })
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve))
  return (server.address() as AddressInfo).port
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

describe("nodeRequestBody", () => {
  it("passes every byte in order to a slow reader, pausing the socket meanwhile", async () => {
    const body = crypto.getRandomValues(new Uint8Array(64 * 1024)).map((b, i) => b ^ i)
    const big = Buffer.concat(Array.from({ length: 48 }, (_, i) => Buffer.from(body.map((b) => b ^ i)))) // 3 MiB
    let sawPaused = false
    const port = await serveWith(async (stream, incoming) => {
      const hash = createHash("sha256")
      const reader = stream.getReader()
      while (true) {
        const next = await reader.read()
        if (next.done) break
        hash.update(next.value)
        sawPaused ||= incoming.isPaused()
        await new Promise((r) => setTimeout(r, 1))
      }
      return hash.digest("hex")
    })
    const answer = await fetch(`http://127.0.0.1:${port}/`, { method: "PUT", body: big }).then((r) => r.text())
    expect(answer).toBe(sha256(big))
    // The reader's pace sets the flow: the socket is paused while the stream's queue is full.
    expect(sawPaused).toBe(true)
  })

  it("errors the stream when the client goes away mid-body", async () => {
    let failure: unknown
    const port = await serveWith(async (stream) => {
      const reader = stream.getReader()
      try {
        while (!(await reader.read()).done) { /* keep reading */ }
        return "ended normally"
      } catch (error) {
        failure = error
        return "failed"
      }
    })
    const req = request({ host: "127.0.0.1", port, method: "PATCH", headers: { "Content-Length": String(4 * MiB) } })
    req.on("error", () => {})
    req.write(new Uint8Array(256 * 1024))
    await new Promise((r) => setTimeout(r, 100))
    req.destroy()
    for (let i = 0; i < 50 && failure === undefined; i++) await new Promise((r) => setTimeout(r, 20))
    expect(String(failure)).toMatch(/closed the connection|aborted|ECONNRESET/)
  })

  it("cancelling the stream drops the connection and leaves no stray error", async () => {
    const cancelled: Array<IncomingMessage> = []
    const port = await serveWith(async (stream, incoming) => {
      const reader = stream.getReader()
      await reader.read()
      await reader.cancel(new Error("enough"))
      cancelled.push(incoming)
      return "cancelled"
    })
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: "127.0.0.1", port, method: "PATCH", headers: { "Content-Length": String(8 * MiB) } })
      req.on("error", (e) => resolve(`client error: ${(e as NodeJS.ErrnoException).code}`))
      req.on("response", (res) => resolve(`response ${res.statusCode}`))
      req.write(new Uint8Array(MiB))
    })
    expect(outcome).toMatch(/client error: (ECONNRESET|EPIPE)/)
    expect(cancelled[0]!.destroyed).toBe(true)
  })
})
