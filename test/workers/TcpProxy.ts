/** A TCP proxy for tests: forwards 127.0.0.1:<port> to a target port, and can be taken down (connections refused) and up again. */
import { createServer, type Server, type Socket, connect } from "node:net"

export interface TcpProxy {
  readonly port: number
  /** Closes the listener and cuts every open connection: clients get ECONNREFUSED until `up`. */
  down(): Promise<void>
  up(): Promise<void>
  stop(): Promise<void>
}

export const startTcpProxy = async (targetPort: number): Promise<TcpProxy> => {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(targetPort, "127.0.0.1")
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
          socket.on("error", () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream)
        upstream.pipe(client)
      })
      s.once("error", reject)
      s.listen(port, "127.0.0.1", () => {
        server = s
        resolve((s.address() as { port: number }).port)
      })
    })
  const port = await listen(0)
  const close = async () => {
    const s = server
    server = undefined
    for (const socket of sockets) socket.destroy()
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()))
  }
  return {
    port,
    down: close,
    up: async () => {
      if (server === undefined) await listen(port)
    },
    stop: close
  }
}
