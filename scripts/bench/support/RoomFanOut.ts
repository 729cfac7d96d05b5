/**
 * Bench part (a), room fan-out: a Keyframe server in a child process (the `ws` transport under this
 * Node 24, or uWebSockets.js under the machine's Node 20), one sponsor room, `members` WebSocket
 * clients in this process. Members take turns posting chats at `rate` per second for `seconds`; every
 * member must receive every chat. Latency is from a chat's send to its arrival at the LAST member.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import WebSocket from "ws"
import { buildForNode20, node20Version } from "../../../test/realtime/Node20Build.ts"
import { type RoomServer, startRoomServer, tokenFor } from "../../../test/realtime/RoomServerProcess.ts"

export interface FanOutOptions {
  readonly members: number
  readonly rate: number
  readonly seconds: number
}

/** Members that post (round robin); the rest only listen. */
const SENDERS = 10
const CONNECT_CONCURRENCY = 25
const DRAIN_MS = 15_000

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 10) / 10

interface Tally {
  readonly sentAt: Array<number>
  readonly arrivals: Array<number>
  readonly lastArrival: Array<number>
  received: number
  lastAt: number
}

const member = (url: string, tally: Tally) =>
  new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once("error", reject)
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data))
      if (frame.type === "welcome") socket.send(JSON.stringify({ type: "join", id: "join" }))
      else if (frame.type === "ack" && frame.id === "join") resolve(socket)
      else if (frame.type === "error" && frame.id === "join") reject(new Error(`join refused: ${frame.code}`))
      else if (frame.type === "event" && frame.event === "ChatPosted" && typeof frame.data?.text === "string" && frame.data.text.startsWith("bench ")) {
        const seq = Number(frame.data.text.slice(6))
        const now = performance.now()
        tally.arrivals[seq] = (tally.arrivals[seq] ?? 0) + 1
        tally.lastArrival[seq] = now
        tally.received++
        tally.lastAt = now
      }
    })
  })

const serverCommand = (transport: "ws" | "uWebSockets.js") => {
  if (transport === "ws") return { command: [process.execPath, "src/runtime/node.ts"], remove: () => {} }
  const version = node20Version()
  if (!version.startsWith("v20.")) return { skipped: `no Node 20 at /usr/bin/node (found ${version || "none"}): the uWS build loads only there` }
  return buildForNode20()
}

/** One room of `members` on a running server: joins, then the chats, then the figures. */
const oneRoom = async (running: RoomServer, options: FanOutOptions) => {
  const sockets: Array<WebSocket> = []
  try {
    const opened = await fetch(`${running.http}/rooms`, {
      method: "POST",
      headers: { "content-type": "application/json", Authorization: `Bearer ${await tokenFor("bench-host", ["user", "sponsor"])}` },
      body: JSON.stringify({ title: "fan-out", tier: "sponsor" })
    })
    if (opened.status !== 201) throw new Error(`POST /rooms: ${opened.status} ${await opened.text()}`)
    const roomId = (await opened.json() as { id: string }).id
    const tally: Tally = { sentAt: [], arrivals: [], lastArrival: [], received: 0, lastAt: 0 }
    for (let i = 0; i < options.members; i += CONNECT_CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONNECT_CONCURRENCY, options.members - i) }, async (_, k) =>
        member(`${running.ws}/rooms/${roomId}?access_token=${await tokenFor(`member-${i + k}`)}`, tally))
      sockets.push(...await Promise.all(batch))
    }
    await new Promise((r) => setTimeout(r, 1000)) // let the joins' fan-out settle
    const total = Math.round(options.rate * options.seconds)
    const start = performance.now()
    await new Promise<void>((done) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * options.rate))
        while (tally.sentAt.length < due) {
          const seq = tally.sentAt.length
          tally.sentAt.push(performance.now())
          sockets[seq % Math.min(SENDERS, sockets.length)]!.send(JSON.stringify({ type: "chat", id: `c${seq}`, text: `bench ${seq}` }))
        }
        if (tally.sentAt.length >= total) {
          clearInterval(tick)
          done()
        }
      }, 2)
    })
    const expected = total * options.members
    const drainUntil = performance.now() + DRAIN_MS
    while (tally.received < expected && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50))
    const latencies = tally.sentAt
      .map((at, seq) => (tally.arrivals[seq] === options.members ? tally.lastArrival[seq]! - at : undefined))
      .filter((l): l is number => l !== undefined)
      .sort((a, b) => a - b)
    const elapsed = (tally.lastAt - start) / 1000
    return {
      members: options.members,
      chats: total,
      delivered: tally.received,
      lost: expected - tally.received,
      deliveredPerSec: Math.round(tally.received / elapsed),
      latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: percentile(latencies, 1) }
    }
  } finally {
    for (const s of sockets) s.terminate()
  }
}

/**
 * A fresh server per size on `transport` (a previous room's members, marked left after their grace
 * period, would otherwise write during the next run): a run per size, and the largest with p99 < 250 ms.
 */
export const fanOut = async (transport: "ws" | "uWebSockets.js", options: { readonly sizes: ReadonlyArray<number>; readonly rate: number; readonly seconds: number }) => {
  const server = serverCommand(transport)
  if ("skipped" in server) return { skipped: server.skipped }
  try {
    let liveTransport = "unknown"
    const runs = []
    for (const members of options.sizes) {
      const dataDir = mkdtempSync(join(tmpdir(), "keyframe-bench-fanout-"))
      const running = await startRoomServer(server.command, { DATA_DIR: dataDir, ROOM_MESSAGES_PER_SECOND: "100000" })
      try {
        liveTransport = /rooms WebSocket listening on port \d+ \(([^)]*)\)/.exec(running.output())?.[1] ?? liveTransport
        runs.push(await oneRoom(running, { members, rate: options.rate, seconds: options.seconds }))
      } finally {
        await running.stop()
        rmSync(dataDir, { recursive: true, force: true })
      }
    }
    const under = runs.filter((r) => r.lost === 0 && r.latencyMs.p99 !== null && r.latencyMs.p99 < 250).map((r) => r.members)
    return { liveTransport, runs, largestMembersWithP99Under250: under.length === 0 ? null : Math.max(...under) }
  } finally {
    server.remove()
  }
}
