/** A demo member's room WebSocket (the `ws` client): connects with its token, waits for the welcome, joins; `send` resolves on the frame's ack. */
import WebSocket from "ws"

export interface Member {
  readonly ws: WebSocket
  readonly send: (frame: Record<string, unknown>) => Promise<void>
}

let frameId = 0

export const joinRoom = async (wsUrl: URL, token: string): Promise<Member> => {
  const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${token}` } })
  const pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>()
  const welcomed = new Promise<void>((resolve, reject) => {
    ws.on("message", (raw) => {
      const frame = JSON.parse(String(raw)) as { type: string; id?: string; message?: string; code?: string }
      if (frame.type === "welcome") resolve()
      const p = frame.id === undefined ? undefined : pending.get(frame.id)
      if (p !== undefined && (frame.type === "ack" || frame.type === "error")) {
        pending.delete(frame.id!)
        frame.type === "ack" ? p.resolve() : p.reject(new Error(`${frame.code}: ${frame.message}`))
      }
    })
    ws.once("error", reject)
    ws.once("unexpected-response", (_req, res) => reject(new Error(`the room WebSocket at ${wsUrl.href} answered ${res.statusCode}`)))
  })
  await welcomed
  const send = (frame: Record<string, unknown>) =>
    new Promise<void>((resolve, reject) => {
      const id = `demo${++frameId}`
      pending.set(id, { resolve, reject })
      ws.send(JSON.stringify({ ...frame, id }))
    })
  await send({ type: "join" })
  return { ws, send }
}
