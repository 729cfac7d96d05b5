/** Deno's realtime transport: Deno.serve on WS_PORT; the upgrade is checked before Deno.upgradeWebSocket makes a socket. */
import { Effect } from "effect"
import { RealtimeStartFailed, type ServeRealtime } from "../RealtimeServer.ts"
import { UPGRADE_REQUIRED } from "../RealtimeChannel.ts"
import type { RoomConnection } from "../RoomSocket.ts"

/** The few Deno APIs used here, declared locally so that tsc (which has no Deno types) checks this file too. */
interface DenoServer {
  readonly addr: { readonly port: number }
  shutdown(): Promise<void>
}
declare const Deno: {
  readonly version: { readonly deno: string }
  serve(
    options: { port: number; onListen?: (addr: { port: number }) => void },
    handler: (request: Request, info: { readonly remoteAddr: { readonly hostname?: string } }) => Response | Promise<Response>
  ): DenoServer
  upgradeWebSocket(request: Request, options?: { protocol?: string }): { socket: WebSocket; response: Response }
}

const DRAIN_MS = 1_000

const json = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error: { code, message } }), { status, headers: { "Content-Type": "application/json", ...headers } })

export const serveRoomsWithDeno: ServeRealtime = (channel, port) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: DenoServer; readonly sockets: Set<WebSocket> }, RealtimeStartFailed>((resume) => {
      const sockets = new Set<WebSocket>()
      const handler = async (request: Request, info: { readonly remoteAddr: { readonly hostname?: string } }): Promise<Response> => {
        if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
          return json(426, "UPGRADE_REQUIRED", UPGRADE_REQUIRED, { Upgrade: "websocket" })
        }
        const result = await channel.admit({ url: request.url, header: (name) => request.headers.get(name) ?? undefined, address: info.remoteAddr.hostname })
        if (!result.ok) return json(result.status, result.code, result.message)
        const { socket, response } = Deno.upgradeWebSocket(request, result.protocol === undefined ? {} : { protocol: result.protocol })
        let connection: RoomConnection | undefined
        socket.onopen = () => {
          sockets.add(socket)
          connection = channel.open(result, {
            send: (frame) => {
              // text, not the bytes: Deno sends a Uint8Array as a binary frame
              if (socket.readyState === WebSocket.OPEN) socket.send(frame.text)
            },
            bufferedAmount: () => socket.bufferedAmount,
            close: (code, reason) => socket.close(code, reason)
          })
        }
        // Deno has no frame-size option: the channel closes an oversized frame with 1009
        socket.onmessage = (event) => {
          const data: unknown = event.data
          connection?.message(typeof data === "string" ? data : { binary: data instanceof ArrayBuffer ? data.byteLength : 0 })
        }
        socket.onerror = () => {}
        socket.onclose = () => {
          sockets.delete(socket)
          connection?.closed()
        }
        return response
      }
      try {
        const server = Deno.serve({ port, onListen: () => {} }, handler)
        resume(Effect.succeed({ server, sockets }))
      } catch (e) {
        resume(Effect.fail(new RealtimeStartFailed({ reason: String(e) })))
      }
    }),
    ({ server, sockets }) =>
      Effect.promise(async () => {
        const open = sockets.size
        channel.drain()
        if (open > 0) await new Promise((r) => setTimeout(r, DRAIN_MS))
        await server.shutdown()
      })
  ).pipe(Effect.map(({ server }) => ({ port: server.addr.port, transport: `Deno ${Deno.version.deno} WebSocket` })))
