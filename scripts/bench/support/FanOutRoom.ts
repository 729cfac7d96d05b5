/**
 * Bench support: one room's members spread over worker threads (FanOutClients.ts), and a measured run
 * of chats through them: delivered msgs/s, send → all-received latency p50/p99, lost.
 */
import { Worker } from "node:worker_threads"
import type { ClientsInit, ClientsRequest, RunReport } from "./FanOutClients.ts"

export interface RunOptions {
  readonly rate: number
  readonly seconds: number
  /** How long to wait for the last arrivals after the last send. */
  readonly drainMs: number
}

export interface RunFigures {
  readonly members: number
  readonly rate: number
  readonly seconds: number
  readonly chats: number
  /** Chats per second actually sent (the schedule can slip on a loaded machine). */
  readonly sentPerSec: number
  readonly offeredPerSec: number
  readonly delivered: number
  readonly lost: number
  /** Chat frames received per second while the chats were being sent, the first second (ramp-up) left out. */
  readonly deliveredPerSec: number
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null; readonly max: number | null }
  readonly closedByServer: Record<string, number>
}

const SENDERS = 10
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 10) / 10

class Thread {
  private readonly worker: Worker
  private readonly waiting: Array<(reply: any) => void> = []

  constructor(init: ClientsInit) {
    this.worker = new Worker(new URL("./FanOutClients.ts", import.meta.url), { workerData: init })
    this.worker.on("message", (reply) => this.waiting.shift()?.(reply))
    this.worker.on("error", (e) => console.error("fan-out client thread failed:", e))
  }

  /** One request, one reply, in order. */
  ask<A>(request: ClientsRequest): Promise<A> {
    return new Promise((resolve) => {
      this.waiting.push(resolve)
      this.worker.postMessage(request)
    })
  }

  stop = () => this.worker.terminate()
}

export class FanOutRoom {
  private readonly threads: ReadonlyArray<Thread>
  private members = 0
  private nextSeq = 0

  constructor(wsUrl: string, roomId: string, threads: number) {
    this.threads = Array.from({ length: threads }, (_, thread) => new Thread({ wsUrl, roomId, thread, threads, senders: SENDERS }))
  }

  /** The first `members` members connected and joined (the rest cut); then the joins' fan-out settles. */
  async resize(members: number) {
    const replies = await Promise.all(this.threads.map((t) => t.ask<{ connected: number; error?: string }>({ type: "resize", members })))
    const failed = replies.find((r) => r.error !== undefined)
    if (failed !== undefined) throw new Error(`members did not connect: ${failed.error}`)
    this.members = members
    await this.quiet()
  }

  /** Waits until no frame arrived for 500 ms (the joins' fan-out, a previous step's backlog), at most 60 s. */
  async quiet() {
    const until = now() + 60_000
    let last = -1
    for (;;) {
      const progress = await Promise.all(this.threads.map((t) => t.ask<{ frames: number }>({ type: "progress" })))
      const frames = progress.reduce((n, p) => n + p.frames, 0)
      if (frames === last || now() > until) return
      last = frames
      await sleep(500)
    }
  }

  /** Chats at `rate` per second for `seconds`, every member listening; waits for every arrival or `drainMs`. */
  async run(options: RunOptions): Promise<RunFigures> {
    const count = Math.max(1, Math.round(options.rate * options.seconds))
    const from = this.nextSeq
    this.nextSeq += count
    const startAt = now() + 200
    const windowTo = startAt + (count / options.rate) * 1000
    const windowFrom = Math.min(startAt + 1000, startAt + (windowTo - startAt) / 4)
    await Promise.all(this.threads.map((t) => t.ask({ type: "run", from, count, rate: options.rate, startAt, windowFrom, windowTo })))
    const expected = count * this.members
    await sleep(Math.max(0, startAt + options.seconds * 1000 - now()))
    const drainUntil = now() + options.drainMs
    for (;;) {
      const progress = await Promise.all(this.threads.map((t) => t.ask<{ received: number }>({ type: "progress" })))
      if (progress.reduce((n, p) => n + p.received, 0) >= expected || now() > drainUntil) break
      await sleep(100)
    }
    const reports = await Promise.all(this.threads.map((t) => t.ask<RunReport>({ type: "report" })))
    const latencies: Array<number> = []
    let delivered = 0
    const inWindow = reports.reduce((n, r) => n + r.inWindow, 0)
    let firstSent = Infinity
    let lastSent = 0
    for (let i = 0; i < count; i++) {
      let arrivals = 0
      let last = 0
      let sent = 0
      for (const r of reports) {
        arrivals += r.counts[i]!
        if (r.lastAt[i]! > last) last = r.lastAt[i]!
        if (r.sentAt[i]! > 0) sent = r.sentAt[i]!
      }
      delivered += arrivals
      if (sent > 0) {
        firstSent = Math.min(firstSent, sent)
        lastSent = Math.max(lastSent, sent)
      }
      if (arrivals === this.members && sent > 0) latencies.push(last - sent)
    }
    latencies.sort((a, b) => a - b)
    const closedByServer: Record<string, number> = {}
    for (const r of reports) for (const [code, n] of Object.entries(r.closedByServer)) closedByServer[code] = (closedByServer[code] ?? 0) + n
    return {
      members: this.members,
      rate: options.rate,
      seconds: options.seconds,
      chats: count,
      sentPerSec: Math.round(count / Math.max(0.001, (lastSent - firstSent) / 1000)),
      offeredPerSec: Math.round(options.rate * this.members),
      delivered,
      lost: expected - delivered,
      deliveredPerSec: Math.round(inWindow / ((windowTo - windowFrom) / 1000)),
      latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: percentile(latencies, 1) },
      closedByServer
    }
  }

  stop = () => Promise.all(this.threads.map((t) => t.stop()))
}
