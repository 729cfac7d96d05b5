/** A room client for tests over the `ws` package (it shows refused upgrades' status and body): collects frames, waits for one. */
import WebSocket from "ws"

export interface Frame {
  readonly type: string
  readonly [key: string]: any
}

export interface TestClient {
  readonly socket: WebSocket
  readonly frames: Array<Frame>
  send(frame: unknown): void
  sendRaw(data: string | Buffer, binary?: boolean): void
  /** The first frame (from the start, or after `from`) matching; fails after `ms`. */
  next(match: (f: Frame) => boolean, ms?: number): Promise<Frame>
  events(): Array<Frame>
  closed: Promise<{ readonly code: number; readonly reason: string }>
  close(): void
}

export const connect = (url: string, options: { headers?: Record<string, string>; protocols?: Array<string> } = {}): Promise<TestClient> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} })
    const frames: Array<Frame> = []
    const waiters: Array<() => void> = []
    socket.on("message", (data, binary) => {
      if (!binary) frames.push(JSON.parse(String(data)))
      for (const w of waiters.splice(0)) w()
    })
    const closed = new Promise<{ code: number; reason: string }>((done) => socket.once("close", (code, reason) => done({ code, reason: String(reason) })))
    socket.once("unexpected-response", (_req, res) => {
      let body = ""
      res.on("data", (d) => (body += d))
      res.on("end", () => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body || "{}") })))
    })
    socket.once("error", (e) => reject(e))
    socket.once("open", () => {
      const client: TestClient = {
        socket,
        frames,
        send: (frame) => socket.send(JSON.stringify(frame)),
        sendRaw: (data, binary = false) => socket.send(data, { binary }),
        next: (match, ms = 10_000) =>
          new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`no matching frame in ${ms} ms; got ${JSON.stringify(frames).slice(-1500)}`)), ms)
            const check = () => {
              const found = frames.find(match)
              if (found !== undefined) {
                clearTimeout(timer)
                ok(found)
              } else {
                waiters.push(check)
              }
            }
            check()
          }),
        events: () => frames.filter((f) => f.type === "event"),
        closed,
        close: () => socket.close()
      }
      resolve(client)
    })
  })

/** The refusal of an upgrade: status and JSON body. */
export const refusal = async (url: string, options: { headers?: Record<string, string> } = {}) => {
  try {
    const c = await connect(url, options)
    c.close()
    return { status: 101, body: {} as any }
  } catch (e: any) {
    return { status: e.status as number, body: e.body as any }
  }
}
