/**
 * Bench support: a lean RFC 6455 client for the fan-out load generator. The `ws` library costs a `Buffer`,
 * an event and a callback per frame; at 400 k frames/s on this 2-core machine that made the load generator,
 * not the server, the limit. This one parses frames in place over each TCP read (no copy, no event per frame),
 * hands each text payload to `onText` as (buffer, start, end), answers pings, and sends masked text frames.
 * It speaks the protocol as a browser would (handshake with a key, masked client frames); it does not check
 * UTF-8 or the handshake's accept hash (a load generator, not a conformance client).
 */
import { randomBytes } from "node:crypto"
import { connect, type Socket } from "node:net"

export interface LeanWs {
  sendText(text: string): void
  terminate(): void
}

export interface LeanWsHandlers {
  /** A text frame's payload: `data[start, end)` (valid only during the call). */
  onText(data: Buffer, start: number, end: number): void
  /** The connection ended; `code` from the server's close frame, 1006 without one. */
  onClose(code: number): void
}

const OP_TEXT = 0x1
const OP_CLOSE = 0x8
const OP_PING = 0x9

const frame = (opcode: number, payload: Buffer): Buffer => {
  const length = payload.length
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10
  const out = Buffer.allocUnsafe(headerLength + 4 + length)
  out[0] = 0x80 | opcode
  if (length < 126) out[1] = 0x80 | length
  else if (length < 65536) {
    out[1] = 0x80 | 126
    out.writeUInt16BE(length, 2)
  } else {
    out[1] = 0x80 | 127
    out.writeBigUInt64BE(BigInt(length), 2)
  }
  const mask = randomBytes(4)
  mask.copy(out, headerLength)
  for (let i = 0; i < length; i++) out[headerLength + 4 + i] = payload[i]! ^ mask[i & 3]!
  return out
}

/**
 * Opens `url` (ws://host:port/path?query). The client is usable in `onText` at once (the first frames may come
 * in the same read as the 101); `opened` resolves on the 101, and fails on a refusal.
 */
export const openLeanWs = (url: string, handlers: LeanWsHandlers): { readonly client: LeanWs; readonly opened: Promise<void> } => {
  let client!: LeanWs
  const opened = new Promise<void>((resolve, reject) => {
    const target = new URL(url)
    const socket: Socket = connect(Number(target.port), target.hostname)
    socket.setNoDelay(true)
    let pending: Buffer | undefined
    let upgraded = false
    let closeCode = 1006
    let ended = false
    const end = () => {
      if (ended) return
      ended = true
      handlers.onClose(closeCode)
    }
    client = {
      sendText: (text) => void (upgraded && !socket.destroyed && socket.write(frame(OP_TEXT, Buffer.from(text)))),
      terminate: () => socket.destroy()
    }

    /** Every whole frame in `data`; returns the offset of the first incomplete one. */
    const frames = (data: Buffer): number => {
      let at = 0
      while (data.length - at >= 2) {
        const opcode = data[at]! & 0x0f
        let length = data[at + 1]! & 0x7f
        let header = 2
        if (length === 126) {
          if (data.length - at < 4) break
          length = data.readUInt16BE(at + 2)
          header = 4
        } else if (length === 127) {
          if (data.length - at < 10) break
          length = Number(data.readBigUInt64BE(at + 2))
          header = 10
        }
        if (data.length - at < header + length) break
        const start = at + header
        if (opcode === OP_TEXT) handlers.onText(data, start, start + length)
        else if (opcode === OP_PING) socket.write(frame(0xa, data.subarray(start, start + length)))
        else if (opcode === OP_CLOSE) {
          closeCode = length >= 2 ? data.readUInt16BE(start) : 1005
          socket.end(frame(OP_CLOSE, Buffer.alloc(0)))
        }
        at = start + length
      }
      return at
    }

    socket.once("connect", () => {
      socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`
      )
    })
    socket.on("data", (chunk: Buffer) => {
      let data = pending === undefined ? chunk : Buffer.concat([pending, chunk])
      pending = undefined
      if (!upgraded) {
        const headEnd = data.indexOf("\r\n\r\n")
        if (headEnd < 0) return void (pending = data)
        const status = data.subarray(0, data.indexOf("\r\n")).toString("latin1")
        if (!/^HTTP\/1\.1 101/.test(status)) {
          socket.destroy()
          return reject(new Error(`upgrade refused: ${status}`))
        }
        upgraded = true
        resolve()
        data = data.subarray(headEnd + 4)
      }
      const used = frames(data)
      // an incomplete frame waits for the next read (only its bytes kept, not the whole read)
      if (used < data.length) pending = Buffer.from(data.subarray(used))
    })
    socket.on("error", (e) => (upgraded ? socket.destroy() : reject(e)))
    socket.on("close", () => (upgraded ? end() : reject(new Error("closed before the upgrade"))))
  })
  return { client, opened }
}
