/**
 * Bench support, a worker thread: one share of a fan-out room's members (real WebSocket clients: the
 * lean RFC 6455 client of LeanWsClient.ts, frames parsed in place). It keeps its members connected and
 * joined, sends its share of the chats on the common schedule, and counts each chat's arrivals without a
 * JSON.parse per frame (a byte search for the chat's sequence number), so that the load generator is not
 * what the benchmark measures. Times are epoch ms at µs resolution
 * (performance.timeOrigin + performance.now()), one clock for every thread of the bench process.
 */
import { parentPort, workerData } from "node:worker_threads"
import { type LeanWs, openLeanWs } from "./LeanWsClient.ts"
import { tokenFor } from "../../../test/realtime/RoomServerProcess.ts"

export interface ClientsInit {
  readonly wsUrl: string
  readonly roomId: string
  readonly thread: number
  readonly threads: number
  /** Members 0 … senders-1 post the chats (round robin); every member listens. */
  readonly senders: number
}

/** What the main thread asks; every request is answered with one reply of the same `type`. */
export type ClientsRequest =
  | { readonly type: "resize"; readonly members: number }
  | {
    readonly type: "run"
    readonly from: number
    readonly count: number
    readonly rate: number
    readonly startAt: number
    /** Arrivals between these two times are counted apart: the steady delivery rate, ramp-up left out. */
    readonly windowFrom: number
    readonly windowTo: number
  }
  | { readonly type: "progress" }
  | { readonly type: "report" }

export interface RunReport {
  readonly type: "report"
  /** Per chat of the run (index = seq - from): arrivals here, the last arrival, the send time (0: another thread sent it). */
  readonly counts: Uint32Array
  readonly lastAt: Float64Array
  readonly sentAt: Float64Array
  readonly closedByServer: Record<string, number>
  readonly inWindow: number
}

const CONNECT_CONCURRENCY = 50
const MARK = Buffer.from(`"text":"bench `)
const now = () => performance.timeOrigin + performance.now()

const init = workerData as ClientsInit
const port = parentPort!
const sockets = new Map<number, LeanWs>()
/** Close codes of the sockets the server closed during the current run. */
let closedByServer: Record<string, number> = {}
let run:
  | { from: number; count: number; counts: Uint32Array; lastAt: Float64Array; sentAt: Float64Array; received: number; windowFrom: number; windowTo: number; inWindow: number }
  | undefined
/** Every frame received, chat or not: the main thread waits for this to stop moving between steps. */
let frames = 0

/** The sequence number in a chat's event frame (`data[start, end)`), or -1 (any other frame). */
const chatSeq = (data: Buffer, start: number, end: number) => {
  const at = data.indexOf(MARK, start)
  if (at < 0 || at >= end) return -1
  let seq = 0
  for (let i = at + MARK.length; i < end; i++) {
    const digit = data[i]! - 48
    if (digit < 0 || digit > 9) break
    seq = seq * 10 + digit
  }
  return seq
}

const arrived = (data: Buffer, start: number, end: number) => {
  frames++
  const r = run
  if (r === undefined) return
  const index = chatSeq(data, start, end) - r.from
  if (index < 0 || index >= r.count) return
  const at = now()
  r.counts[index]!++
  r.lastAt[index] = at
  r.received++
  if (at >= r.windowFrom && at <= r.windowTo) r.inWindow++
}

/** Connects member `n` and joins the room; resolves once the join is acknowledged. */
const connect = async (n: number) => {
  const token = await tokenFor(`member-${n}`)
  await new Promise<void>((resolve, reject) => {
    let joined = false
    const { client: socket, opened } = openLeanWs(`${init.wsUrl}/rooms/${init.roomId}?access_token=${token}`, {
      onText: (data, start, end) => {
        if (joined) return arrived(data, start, end)
        const frame = JSON.parse(data.toString("utf8", start, end)) as { type: string; id?: string; code?: string }
        if (frame.type === "welcome") socket.sendText(JSON.stringify({ type: "join", id: "join" }))
        else if (frame.type === "ack" && frame.id === "join") {
          joined = true
          sockets.set(n, socket)
          resolve()
        } else if (frame.type === "error" && frame.id === "join") reject(new Error(`join refused: ${frame.code}`))
      },
      onClose: (code) => {
        if (!joined) return reject(new Error(`member-${n} closed (${code}) before its join was acknowledged`))
        if (sockets.get(n) !== socket) return
        sockets.delete(n)
        closedByServer[code] = (closedByServer[code] ?? 0) + 1
      }
    })
    opened.catch(reject)
  })
}

/** This thread's members among the first `members`: connects the missing (again, if the server closed them), cuts the rest. */
const resize = async (members: number) => {
  for (const [n, socket] of sockets) {
    if (n < members) continue
    sockets.delete(n)
    socket.terminate()
  }
  const missing: Array<number> = []
  for (let n = init.thread; n < members; n += init.threads) if (!sockets.has(n)) missing.push(n)
  for (let i = 0; i < missing.length; i += CONNECT_CONCURRENCY) await Promise.all(missing.slice(i, i + CONNECT_CONCURRENCY).map(connect))
}

/** Sends this thread's chats of the run: chat `seq` is due at startAt + (seq - from) / rate and goes out from member seq % senders. */
const send = (from: number, count: number, rate: number, startAt: number, sentAt: Float64Array) => {
  let next = 0
  const tick = () => {
    const due = Math.min(count, Math.floor(((now() - startAt) / 1000) * rate) + 1)
    for (; next < due; next++) {
      const seq = from + next
      const sender = seq % init.senders
      if (sender % init.threads !== init.thread) continue
      sentAt[next] = now()
      sockets.get(sender)?.sendText(`{"type":"chat","id":"c${seq}","text":"bench ${seq}"}`)
    }
    if (next < count) setTimeout(tick, 1)
  }
  setTimeout(tick, Math.max(0, startAt - now()))
}

port.on("message", async (request: ClientsRequest) => {
  switch (request.type) {
    case "resize":
      try {
        await resize(request.members)
        return port.postMessage({ type: "resize", connected: sockets.size })
      } catch (e) {
        return port.postMessage({ type: "resize", error: String(e) })
      }
    case "run": {
      const { from, count } = request
      closedByServer = {}
      run = {
        from,
        count,
        counts: new Uint32Array(count),
        lastAt: new Float64Array(count),
        sentAt: new Float64Array(count),
        received: 0,
        windowFrom: request.windowFrom,
        windowTo: request.windowTo,
        inWindow: 0
      }
      send(from, count, request.rate, request.startAt, run.sentAt)
      return port.postMessage({ type: "run" })
    }
    case "progress":
      return port.postMessage({ type: "progress", received: run?.received ?? 0, frames, connected: sockets.size })
    case "report": {
      const r = run!
      run = undefined
      const report: RunReport = { type: "report", counts: r.counts, lastAt: r.lastAt, sentAt: r.sentAt, closedByServer, inWindow: r.inWindow }
      return port.postMessage(report)
    }
  }
})
