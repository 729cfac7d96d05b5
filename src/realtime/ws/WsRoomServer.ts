/** The `ws` transport (Node without a loadable uWebSockets.js build): node:http on WS_PORT, upgrades checked by the channel before a socket exists. */
import { createServer, type IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"
import { Effect } from "effect"
import { type WebSocket, WebSocketServer } from "ws"
import { RealtimeStartFailed, refusalResponse, type ServeRealtime } from "../RealtimeServer.ts"
import { type Admission, UPGRADE_REQUIRED } from "../RealtimeChannel.ts"

const DRAIN_MS = 1_000
/** A client that has not answered the last ping within this long is cut (uWS: idleTimeout 120 s with automatic pings). */
const HEARTBEAT_MS = 30_000

export const serveRoomsWithWs: ServeRealtime = (channel, port) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly port: number; readonly close: () => Promise<void> }, RealtimeStartFailed>((resume) => {
      // the subprotocol each admitted upgrade chose, for handleProtocols (called inside handleUpgrade)
      const chosen = new WeakMap<IncomingMessage, string>()
      const wss = new WebSocketServer({
        noServer: true,
        // a bigger frame closes the socket with 1009 before it is buffered whole
        maxPayload: channel.settings.maxFrameBytes,
        handleProtocols: (_offered, req) => chosen.get(req) ?? false
      })
      const server = createServer((_req, res) => {
        res.writeHead(426, { "Content-Type": "application/json", Upgrade: "websocket" })
        res.end(JSON.stringify({ error: { code: "UPGRADE_REQUIRED", message: UPGRADE_REQUIRED } }))
      })
      const alive = new WeakMap<WebSocket, boolean>()
      const heartbeat = setInterval(() => {
        for (const ws of wss.clients) {
          if (alive.get(ws) === false) ws.terminate()
          else {
            alive.set(ws, false)
            ws.ping()
          }
        }
      }, HEARTBEAT_MS)
      heartbeat.unref()
      // per-tick batching: a socket written to in this tick stays corked until the tick ends, so its
      // frames leave in one writev (one syscall per socket per tick, not one per frame)
      const corked = new Set<Duplex>()
      const uncork = () => {
        for (const socket of corked) socket.uncork()
        corked.clear()
      }
      const accept = (ws: WebSocket, admitted: Admission, socket: Duplex) => {
        ws.on("pong", () => alive.set(ws, true))
        const connection = channel.open(admitted, {
          send: (frame) => {
            if (ws.readyState !== ws.OPEN) return
            if (!corked.has(socket)) {
              if (corked.size === 0) setImmediate(uncork)
              corked.add(socket)
              socket.cork()
            }
            // the frame's shared bytes, sent as text: ws frames them without copying
            ws.send(frame.bytes, { binary: false })
          },
          bufferedAmount: () => ws.bufferedAmount,
          close: (code, reason) => ws.close(code, reason)
        })
        ws.on("message", (data, isBinary) => {
          const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
          connection.message(isBinary ? { binary: buffer.length } : buffer.toString("utf8"))
        })
        ws.on("error", () => ws.terminate())
        ws.once("close", () => connection.closed())
      }
      server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on("error", () => socket.destroy())
        const header = (name: string) => {
          const value = req.headers[name]
          return Array.isArray(value) ? value.join(", ") : value
        }
        channel.admit({ url: req.url ?? "/", header, address: req.socket.remoteAddress }).then((result) => {
          if (socket.destroyed) return
          if (!result.ok) {
            socket.end(refusalResponse(result.status, result.code, result.message))
            return
          }
          if (result.protocol !== undefined) chosen.set(req, result.protocol)
          wss.handleUpgrade(req, socket, head, (ws) => accept(ws, result, socket))
        }, () => socket.destroy())
      })
      server.once("error", (e) => resume(Effect.fail(new RealtimeStartFailed({ reason: String(e) }))))
      server.listen(port, () => {
        const address = server.address()
        const close = () =>
          new Promise<void>((done) => {
            // clients are told to reconnect (1012), then whatever is left is cut
            const open = wss.clients.size
            clearInterval(heartbeat)
            channel.drain()
            setTimeout(() => {
              for (const ws of wss.clients) ws.terminate()
              wss.close()
              server.close(() => done())
              server.closeAllConnections()
            }, open === 0 ? 0 : DRAIN_MS)
          })
        resume(Effect.succeed({ port: typeof address === "object" && address !== null ? address.port : port, close }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ port }) => ({ port, transport: "ws 8" })))
