/**
 * Free TCP ports on 127.0.0.1 for the servers tests start. `freePorts(n)` holds all n listeners open until
 * each has its port, so they are distinct (two ports taken one after the other may be the same one: CI saw
 * a server refuse WS_PORT equal to PORT).
 */
import { createServer, type Server } from "node:net"

const listen = () =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve(server))
  })

export const freePorts = async (n: number): Promise<Array<number>> => {
  const servers = await Promise.all(Array.from({ length: n }, listen))
  const ports = servers.map((s) => (s.address() as { port: number }).port)
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  return ports
}

export const freePort = async (): Promise<number> => (await freePorts(1))[0]!

/** Two distinct free ports (an HTTP port and a WS_PORT, say). */
export const freePortPair = async (): Promise<readonly [number, number]> => {
  const [a, b] = await freePorts(2)
  return [a!, b!]
}
