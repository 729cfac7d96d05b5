/**
 * Bench part (a), room fan-out, on one transport: a Keyframe server in a child process (the `ws`
 * transport under this Node 24, or uWebSockets.js under the machine's Node 20), one sponsor room
 * (unlimited capacity), its members in worker threads of this process (FanOutRoom.ts). One room for
 * the whole part, resized between steps: the main run, the saturation steps (the chat rate raised
 * until delivery falls behind), then the search for the largest room with p99 < 250 ms.
 * `store`: the server's event store — "embedded" (PGlite in the server process, the development default)
 * or "postgres" (a fresh database on the PostgreSQL given, dropped at the end: the production setup).
 */
import { mkdtempSync, rmSync } from "node:fs"
import postgres from "postgres"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { buildForNode20, node20Version } from "../../../test/realtime/Node20Build.ts"
import { startRoomServer, tokenFor } from "../../../test/realtime/RoomServerProcess.ts"
import { FanOutRoom, type RunFigures } from "./FanOutRoom.ts"
import { processCpuMicros } from "./Wrk.ts"

export type Transport = "ws" | "uWebSockets.js"

export interface FanOutOptions {
  readonly members: number
  readonly rate: number
  readonly seconds: number
  readonly threads: number
  /** Chat rates of the saturation steps, ascending. */
  readonly saturationRates: ReadonlyArray<number>
  readonly saturationSeconds: number
  /** Room sizes the search may try (around `members`), at `rate` for `searchSeconds`. */
  readonly searchSizes: ReadonlyArray<number>
  readonly searchSeconds: number
  readonly p99LimitMs: number
  /** When set, the server runs with --cpu-prof and writes its profile here. */
  readonly cpuProfDir: string | undefined
  readonly store: "embedded" | "postgres"
  /** A run at `rate` before the main one, not measured (0 = none). */
  readonly warmupSeconds: number
  /** For `store: "postgres"`: a server URL whose user may create databases. */
  readonly postgresUrl: string
}

/** A fresh database for one server run (EVENTSTORE_URL), and its removal. */
const freshDatabase = async (serverUrl: string) => {
  const name = `kf_bench_fanout_${process.pid}_${Date.now().toString(36)}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`CREATE DATABASE "${name}"`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {})
      await admin.end({ timeout: 5 })
    }
  }
}

const DRAIN_MS = 15_000
const STEP_DRAIN_MS = 5_000

/** Delivery kept up: everything arrived, at ≥ 90 % of the offered rate. */
const keptUp = (run: RunFigures) => run.lost === 0 && run.deliveredPerSec >= 0.9 * run.offeredPerSec
const under = (run: RunFigures, limitMs: number) => run.lost === 0 && run.latencyMs.p99 !== null && run.latencyMs.p99 < limitMs

/** BENCH_SERVER_CPUS=1: the server pinned to those CPUs (taskset), so it does not share a core with the clients. */
const pinned = (command: ReadonlyArray<string>) => {
  const cpus = process.env.BENCH_SERVER_CPUS
  return cpus === undefined || cpus === "" ? [...command] : ["taskset", "-c", cpus, ...command]
}

const serverCommand = (transport: Transport, cpuProfDir: string | undefined) => {
  const flags = cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`]
  if (transport === "ws") return { command: pinned([process.execPath, ...flags, "src/runtime/node.ts"]), remove: () => {} }
  const version = node20Version()
  if (!version.startsWith("v20.")) return { skipped: `no Node 20 at /usr/bin/node (found ${version || "none"}): the uWS build loads only there` }
  const build = buildForNode20()
  return { command: pinned([build.command[0]!, ...flags, ...build.command.slice(1)]), remove: build.remove }
}

/** Saturation: each rate in turn until one falls behind; the most delivered msgs/s of any step. */
const saturation = async (room: FanOutRoom, options: FanOutOptions, serverPid: number | undefined) => {
  const steps: Array<RunFigures & { readonly serverCpuMicrosPerMessage: number }> = []
  for (const rate of options.saturationRates) {
    await room.resize(options.members) // a member the server closed (1013) comes back for the next step
    // the server's CPU per delivered message: what it could deliver on a core of its own, whatever the clients manage
    const cpuBefore = processCpuMicros(serverPid)
    const step = await room.run({ rate, seconds: options.saturationSeconds, drainMs: STEP_DRAIN_MS })
    const cpu = processCpuMicros(serverPid) - cpuBefore
    steps.push({ ...step, serverCpuMicrosPerMessage: Number((cpu / Math.max(1, step.delivered)).toFixed(2)) })
    if (!keptUp(step)) break
  }
  return { maxDeliveredPerSec: Math.max(0, ...steps.map((s) => s.deliveredPerSec)), fellBehind: steps.some((s) => !keptUp(s)), steps }
}

/** The largest size with p99 under the limit: up from `members` while it holds, else down until it does. */
const largestRoom = async (room: FanOutRoom, options: FanOutOptions, main: RunFigures) => {
  const tried: Array<Pick<RunFigures, "members" | "lost" | "deliveredPerSec" | "latencyMs"> & { readonly joinFailed?: string }> = []
  const probe = async (members: number) => {
    // a room that cannot even be joined at this size (members closed while joining) fails the size
    const joined = await room.resize(members).then(() => undefined, (e: unknown) => String(e))
    if (joined !== undefined) {
      tried.push({ members, lost: 0, deliveredPerSec: 0, latencyMs: { p50: null, p99: null, max: null }, joinFailed: joined })
      return false
    }
    const run = await room.run({ rate: options.rate, seconds: options.searchSeconds, drainMs: STEP_DRAIN_MS })
    tried.push({ members, lost: run.lost, deliveredPerSec: run.deliveredPerSec, latencyMs: run.latencyMs })
    return under(run, options.p99LimitMs)
  }
  let largest: number | null = null
  if (under(main, options.p99LimitMs)) {
    largest = options.members
    for (const size of options.searchSizes.filter((s) => s > options.members)) {
      if (!(await probe(size))) break
      largest = size
    }
  } else {
    for (const size of options.searchSizes.filter((s) => s < options.members).reverse()) {
      if (await probe(size)) {
        largest = size
        break
      }
    }
  }
  return { largestMembersWithP99Under: largest, p99LimitMs: options.p99LimitMs, searchSeconds: options.searchSeconds, tried }
}

/** The three measurements on one transport, on one server and one room. */
export const fanOut = async (transport: Transport, options: FanOutOptions) => {
  const server = serverCommand(transport, options.cpuProfDir)
  if ("skipped" in server) return { skipped: server.skipped }
  const dataDir = mkdtempSync(join(tmpdir(), "keyframe-bench-fanout-"))
  const database = options.store === "postgres" ? await freshDatabase(options.postgresUrl) : undefined
  try {
    const running = await startRoomServer(server.command, {
      DATA_DIR: dataDir,
      ...(database === undefined ? {} : { EVENTSTORE_URL: database.url }),
      ROOM_MESSAGES_PER_SECOND: "100000",
      // members cut between steps must not be marked left (events) during the next ones
      ROOM_MEMBER_GRACE_SECONDS: "86400"
    })
    let room: FanOutRoom | undefined
    try {
      const liveTransport = /rooms WebSocket listening on port \d+ \(([^)]*)\)/.exec(running.output())?.[1] ?? "unknown"
      const opened = await fetch(`${running.http}/rooms`, {
        method: "POST",
        headers: { "content-type": "application/json", Authorization: `Bearer ${await tokenFor("bench-host", ["user", "sponsor"])}` },
        body: JSON.stringify({ title: "fan-out", tier: "sponsor" })
      })
      if (opened.status !== 201) throw new Error(`POST /rooms: ${opened.status} ${await opened.text()}`)
      room = new FanOutRoom(running.ws, (await opened.json() as { id: string }).id, options.threads)
      const joinStart = performance.now()
      await room.resize(options.members)
      const joinSeconds = Math.round((performance.now() - joinStart) / 100) / 10
      // not measured: the servers' JIT, and the presence frames the joins left queued (a frame of 1,000
      // entries to 1,000 sockets per change), so the main run measures the room in its steady state
      const warmup = options.warmupSeconds > 0 ? await room.run({ rate: options.rate, seconds: options.warmupSeconds, drainMs: STEP_DRAIN_MS }) : undefined
      const main = await room.run({ rate: options.rate, seconds: options.seconds, drainMs: DRAIN_MS })
      const saturated = await saturation(room, options, running.pid)
      const largest = await largestRoom(room, options, main)
      return { liveTransport, joinSeconds, warmup: warmup && { seconds: options.warmupSeconds, lost: warmup.lost, latencyMs: warmup.latencyMs }, main, saturation: saturated, largest }
    } finally {
      await room?.stop()
      await running.stop()
    }
  } finally {
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
    server.remove()
  }
}
