/**
 * The Node.js request body as a web stream, without copying it. @hono/node-server builds
 * `Request.body` with `Readable.toWeb`, which copies every chunk; at upload rates those copies
 * (and the garbage collections they trigger) cost more CPU than the rest of a PATCH.
 * Requests that did not come through node:http (tests calling `app.request`) keep `Request.body`.
 */
import type { IncomingMessage } from "node:http"
import { fetchRequestBody, type RequestBodyReader } from "../http/RequestBody.ts"

/** Chunks queued before the socket is paused (about 1 MiB of 64 KiB reads). */
const QUEUED_CHUNKS = 16

export const nodeRequestBody: RequestBodyReader = (c) => {
  const incoming = (c.env as { readonly incoming?: IncomingMessage } | undefined)?.incoming
  if (incoming === undefined || incoming.readableDidRead) return fetchRequestBody(c)
  return bodyStream(incoming)
}

export const bodyStream = (incoming: IncomingMessage): ReadableStream<Uint8Array> => {
  let settled = false
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const onData = (chunk: Buffer) => {
    if (settled) return
    controller.enqueue(chunk)
    if ((controller.desiredSize ?? 1) <= 0) incoming.pause()
  }
  const settle = () => {
    settled = true
    incoming.off("data", onData)
  }
  const onEnd = () => {
    if (settled) return
    settle()
    controller.close()
  }
  const onError = (error: unknown) => {
    if (settled) return
    settle()
    controller.error(error)
  }
  const onClose = () => {
    if (!incoming.readableEnded) onError(new Error("the client closed the connection before the body ended"))
  }
  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
      incoming.on("data", onData)
      incoming.once("end", onEnd)
      incoming.on("error", onError) // kept after settling: a late error must not go unhandled
      incoming.once("close", onClose)
    },
    pull() {
      incoming.resume()
    },
    cancel() {
      settle()
      // As Readable.toWeb does: the rest of the body is not wanted (too long, or another request took over).
      incoming.destroy()
    }
  }, { highWaterMark: QUEUED_CHUNKS })
}
