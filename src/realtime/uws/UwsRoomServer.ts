/**
 * The uWebSockets.js transport. Its traps, handled here: an async upgrade attaches onAborted and copies
 * the request before the first await; a message's ArrayBuffer is copied before the handler returns; a
 * socket is never touched after close; sends are queued and written once per tick inside `cork`.
 * Room events go out on native topics (RoomTopics.ts): one `app.publish` per event, the fan-out in C++;
 * the channel closes a subscriber that falls behind (1013) long before uWS's own limit.
 */
import { Effect } from "effect"
import type * as Uws from "uWebSockets.js"
import { RealtimeStartFailed, reasonPhrase, type ServeRealtime } from "../RealtimeServer.ts"
import { type Admission, UPGRADE_REQUIRED } from "../RealtimeChannel.ts"
import { CloseCode, type RoomConnection, type TopicPublisher } from "../RoomSocket.ts"
import type { WireFrame } from "../WireFrame.ts"

type UwsModule = typeof Uws

interface SocketData {
  readonly admitted: Admission
  connection?: RoomConnection
  closed: boolean
  queued: Array<WireFrame>
  /** Bytes in `queued`. */
  queuedBytes: number
}

const DRAIN_MS = 1_000
/** Room above the channel's slow-consumer cap before uWS closes a socket itself. */
const UWS_BACKPRESSURE_SLACK = 8 * 1024 * 1024

export const uwsServe = (uws: UwsModule, from: string): ServeRealtime => (channel, port) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly port: number; readonly close: () => Promise<void> }, RealtimeStartFailed>((resume) => {
      const app = uws.App()
      const publisher: TopicPublisher = { publish: (topic, frame) => void app.publish(topic, frame.bytes, false) }
      const open = new Set<Uws.WebSocket<SocketData>>()
      // per-tick batching: every socket written to in this tick is flushed once, corked
      const dirty = new Set<Uws.WebSocket<SocketData>>()
      let flushScheduled = false
      const flushOne = (ws: Uws.WebSocket<SocketData>) => {
        const data = ws.getUserData()
        if (data.closed || data.queued.length === 0) return
        const frames = data.queued.splice(0)
        data.queuedBytes = 0
        let dropped = false
        ws.cork(() => {
          // the frame's shared bytes: uWS copies them into this socket's buffer, no string encoding per socket
          for (const frame of frames) if (ws.send(frame.bytes, false) === 2) dropped = true
        })
        // a dropped frame would be a lost event: the client reconnects with since instead
        if (dropped) close(ws, CloseCode.tryAgainLater, "too slow: reconnect with since")
      }
      const flush = () => {
        flushScheduled = false
        const sockets = [...dirty]
        dirty.clear()
        for (const ws of sockets) {
          // one socket uWS has already let go of must not keep the others' frames back
          try {
            flushOne(ws)
          } catch (error) {
            console.warn(`rooms (uWebSockets.js): a socket could not be written to: ${String(error)}`)
          }
        }
      }
      const close = (ws: Uws.WebSocket<SocketData>, code: number, reason: string) => {
        const data = ws.getUserData()
        if (data.closed) return
        flushOne(ws)
        dirty.delete(ws)
        data.closed = true
        ws.end(code, reason)
      }

      app.ws<SocketData>("/*", {
        // uWS cuts a frame over maxPayloadLength without a close frame (the client sees 1006): frames up to
        // 2 MiB (or 4× the limit) reach the channel, which closes with 1009; only bigger ones are cut
        maxPayloadLength: Math.max(channel.settings.maxFrameBytes * 4, 2 * 1024 * 1024),
        // the channel closes a slow consumer (1013) at maxBackpressureBytes, checking after each send and each
        // topic publish; uWS counts topic frames only once it drains them (after the publishing tick), so a
        // burst can overshoot that check: uWS's own limit (where it would drop) sits well above. Not
        // closeOnBackpressureLimit: with it, sockets were cut (1006) right after they opened, now and then
        maxBackpressure: channel.settings.maxBackpressureBytes * 2 + UWS_BACKPRESSURE_SLACK,
        idleTimeout: 120,
        sendPingsAutomatically: true,
        upgrade: (res, req, context) => {
          // everything the request holds is gone after the first await
          const headers = new Map<string, string>()
          req.forEach((k, v) => headers.set(k.toLowerCase(), v))
          const query = req.getQuery()
          const url = `${req.getUrl()}${query ? `?${query}` : ""}`
          const address = Buffer.from(res.getRemoteAddressAsText()).toString("utf8")
          let aborted = false
          res.onAborted(() => (aborted = true))
          channel.admit({ url, header: (name) => headers.get(name), address }).then((result) => {
            if (aborted) return
            res.cork(() => {
              if (!result.ok) {
                res.writeStatus(`${result.status} ${reasonPhrase(result.status)}`)
                  .writeHeader("Content-Type", "application/json")
                  .end(JSON.stringify({ error: { code: result.code, message: result.message } }), true)
                return
              }
              res.upgrade<SocketData>(
                { admitted: result, closed: false, queued: [], queuedBytes: 0 },
                headers.get("sec-websocket-key") ?? "",
                result.protocol ?? "",
                headers.get("sec-websocket-extensions") ?? "",
                context
              )
            })
          }, () => {
            if (!aborted) res.cork(() => res.writeStatus("503 Service Unavailable").end("", true))
          })
        },
        open: (ws) => {
          open.add(ws)
          const data = ws.getUserData()
          data.connection = channel.open(data.admitted, {
            send: (frame) => {
              if (data.closed) return
              data.queued.push(frame)
              data.queuedBytes += frame.byteLength
              dirty.add(ws)
              if (!flushScheduled) {
                flushScheduled = true
                setImmediate(flush)
              }
            },
            bufferedAmount: () => (data.closed ? 0 : ws.getBufferedAmount() + data.queuedBytes),
            close: (code, reason) => close(ws, code, reason),
            // what `send` queued goes out before the first topic frame
            subscribe: (topic) => {
              if (data.closed) return
              flushOne(ws)
              dirty.delete(ws)
              ws.subscribe(topic)
            },
            unsubscribe: (topic) => {
              if (!data.closed) ws.unsubscribe(topic)
            },
            publisher
          })
        },
        message: (ws, message, isBinary) => {
          // the ArrayBuffer is neutered when this returns: decode it now
          const data = ws.getUserData()
          data.connection?.message(isBinary ? { binary: message.byteLength } : Buffer.from(message).toString("utf8"))
        },
        close: (ws) => {
          open.delete(ws)
          dirty.delete(ws)
          const data = ws.getUserData()
          data.closed = true
          data.connection?.closed()
        }
      })
      app.any("/*", (res) => {
        res.writeStatus("426 Upgrade Required").writeHeader("Content-Type", "application/json")
          .end(JSON.stringify({ error: { code: "UPGRADE_REQUIRED", message: UPGRADE_REQUIRED } }))
      })
      app.listen(port, (token) => {
        if (token === false) return resume(Effect.fail(new RealtimeStartFailed({ reason: `uWebSockets.js could not listen on port ${port}` })))
        const close = () =>
          new Promise<void>((done) => {
            const count = open.size
            channel.drain()
            uws.us_listen_socket_close(token)
            setTimeout(() => {
              for (const ws of [...open]) if (!ws.getUserData().closed) ws.close()
              done()
            }, count === 0 ? 0 : DRAIN_MS)
          })
        resume(Effect.succeed({ port: uws.us_socket_local_port(token as unknown as Uws.us_socket), close }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ port }) => ({ port, transport: from })))
