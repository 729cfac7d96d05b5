/**
 * Benchmark: rooms (issue 13). Prints one JSON line per part.
 * (a) fan-out, for the `ws` transport (server under Node 24) and for uWebSockets.js (server under
 *     /usr/bin/node when it is Node 20, the only Node its build loads on here), same run: a Keyframe
 *     server in a child process, one sponsor room, its members real WebSocket clients spread over
 *     `--threads` worker threads of this process (they count arrivals without a JSON.parse per frame).
 *     - fan-out: `--members` (1,000) members, `--rate` (100) chats/s for `--seconds` (20): delivered
 *       msgs/s, send → all-received latency p50/p99 (one clock: epoch µs in every thread), lost;
 *     - saturation: the same room at `--saturation-rates` chats/s, `--saturation-seconds` each, until
 *       delivery falls behind (something lost, or under 90 % of the offered msgs/s): the most msgs/s
 *       delivered; the last line compares the transports (uws/ws);
 *     - largest room: the room grown (or shrunk) through `--search-sizes` at `--rate` for
 *       `--search-seconds` each: the largest with p99 < 250 ms.
 * (b) hot room: accepted chat commands/s in one room with mailbox batching vs one append per command,
 *     same run, on the embedded store and on PostgreSQL (KEYFRAME_BENCH_POSTGRES_URL, default
 *     postgres://root@127.0.0.1:5432/test; a fresh schema dropped at the end).
 *     The fan-out part runs per `--stores` (the server's event store: postgres = a fresh database on
 *     KEYFRAME_BENCH_POSTGRES_URL, the production setup; embedded = PGlite inside the server process); the
 *     targets are read on the first store given.
 *     Before the main fan-out run, `--warmup-seconds` (5) at the same rate, not measured (JIT, the presence
 *     frames the joins left queued); its lost count and latencies are printed beside the main run's.
 * Usage: npm run bench -- rooms [--only fanout|hot] [--transports ws,uWebSockets.js] [--stores postgres,embedded] [--members 1000]
 *        [--rate 100] [--seconds 20] [--threads 2] [--saturation-rates 200,300,400,600,800,1200]
 *        [--saturation-seconds 4] [--search-sizes 250,500,750,1000,1500,2000,3000] [--search-seconds 4]
 *        [--cpu-prof DIR] [--hot-seconds 3] [--in-flight 200] [--max-batch 100]
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import postgres from "postgres"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { hotRoomPair } from "./support/HotRoom.ts"
import { fanOut, type FanOutOptions, type Transport } from "./support/RoomFanOut.ts"

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    transports: { type: "string", default: "ws,uWebSockets.js" },
    stores: { type: "string", default: "postgres,embedded" },
    members: { type: "string", default: "1000" },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "20" },
    "warmup-seconds": { type: "string", default: "5" },
    threads: { type: "string", default: "2" },
    "saturation-rates": { type: "string", default: "200,300,400,600,800,1200" },
    "saturation-seconds": { type: "string", default: "4" },
    "search-sizes": { type: "string", default: "250,500,750,1000,1500,2000,3000" },
    "search-seconds": { type: "string", default: "4" },
    "cpu-prof": { type: "string" },
    "hot-seconds": { type: "string", default: "3" },
    "in-flight": { type: "string", default: "200" },
    "max-batch": { type: "string", default: "100" }
  }
})
const PG_URL = process.env.KEYFRAME_BENCH_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test"
const hotOptions = { seconds: Number(args["hot-seconds"]), inFlight: Number(args["in-flight"]), maxBatch: Number(args["max-batch"]) }

const withStore = async <A>(layer: Layer.Layer<EventStore, unknown>, use: (store: EventStore["Service"]) => Promise<A>) => {
  const runtime = ManagedRuntime.make(layer)
  try {
    return await use(await runtime.runPromise(EventStore.use(Effect.succeed)))
  } finally {
    await runtime.dispose()
  }
}

const hot = async () => {
  const dir = mkdtempSync(join(tmpdir(), "keyframe-bench-rooms-"))
  try {
    const embedded = await withStore(PgliteEventStore.layer({ dataDir: join(dir, "eventstore") }), (s) => hotRoomPair(s, hotOptions))
    console.log(JSON.stringify({ bench: "rooms", part: "hot-room", store: "embedded", ...hotOptions, ...embedded }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const schema = `kf_bench_rooms_${process.pid}`
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {} })
  try {
    const pg = await withStore(PostgresEventStore.layer({ url: PG_URL, schema, poolSize: 10 }), (s) => hotRoomPair(s, hotOptions))
    console.log(JSON.stringify({
      bench: "rooms",
      part: "hot-room",
      store: "postgres",
      ...hotOptions,
      ...pg,
      targets: { ratioAtLeast5: pg.ratio >= 5, batchedAtLeast3000PerSec: pg.batched.commandsPerSec >= 3000 }
    }))
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
    await sql.end({ timeout: 5 })
  }
}

const loadAverage = () => loadavg().map((l) => Math.round(l * 100) / 100)
const numbers = (list: string) => list.split(",").map(Number)

const cpuComparison = (ws: Record<number, number> | undefined, uws: Record<number, number> | undefined) => {
  const common = Object.keys(ws ?? {}).map(Number).filter((rate) => uws?.[rate] !== undefined).sort((a, b) => b - a)[0]
  if (common === undefined || ws === undefined || uws === undefined) return null
  const perCore = (micros: number) => Math.round(1_000_000 / Math.max(0.01, micros))
  return {
    chatsPerSec: common,
    microsPerMessage: { ws: ws[common], "uWebSockets.js": uws[common] },
    messagesPerCoreSecond: { ws: perCore(ws[common]!), "uWebSockets.js": perCore(uws[common]!) },
    uwsOverWs: Number((ws[common]! / Math.max(0.01, uws[common]!)).toFixed(2))
  }
}

const fan = async (store: "embedded" | "postgres", first: boolean) => {
  const options: FanOutOptions = {
    members: Number(args.members),
    rate: Number(args.rate),
    seconds: Number(args.seconds),
    warmupSeconds: Number(args["warmup-seconds"]),
    threads: Number(args.threads),
    saturationRates: numbers(args["saturation-rates"]),
    saturationSeconds: Number(args["saturation-seconds"]),
    searchSizes: numbers(args["search-sizes"]),
    searchSeconds: Number(args["search-seconds"]),
    p99LimitMs: 250,
    cpuProfDir: args["cpu-prof"],
    store,
    postgresUrl: PG_URL
  }
  const saturated: Partial<Record<Transport, number>> = {}
  // per transport and chat rate: the server's CPU µs per delivered message in the steps it kept up with
  const cpuPerMessage: Partial<Record<Transport, Record<number, number>>> = {}
  let uwsP99: number | null = null
  for (const transport of args.transports.split(",") as Array<Transport>) {
    const figures = await fanOut(transport, options)
    const line = { bench: "rooms", transport, store, load: loadAverage() }
    if ("skipped" in figures) {
      console.log(JSON.stringify({ ...line, part: "fan-out", skipped: figures.skipped }))
      continue
    }
    const { liveTransport, joinSeconds, warmup, main, saturation, largest } = figures
    console.log(JSON.stringify({ ...line, part: "fan-out", liveTransport, threads: options.threads, joinSeconds, warmup, ...main }))
    console.log(JSON.stringify({ ...line, part: "saturation", ...saturation }))
    console.log(JSON.stringify({ ...line, part: "largest-room", rate: options.rate, ...largest }))
    saturated[transport] = saturation.maxDeliveredPerSec
    cpuPerMessage[transport] = Object.fromEntries(saturation.steps.filter((s) => s.lost === 0 && s.deliveredPerSec >= 0.9 * s.offeredPerSec).map((s) => [Math.round(s.offeredPerSec / s.members), s.serverCpuMicrosPerMessage]))
    if (transport === "uWebSockets.js") uwsP99 = main.latencyMs.p99
  }
  if (saturated.ws !== undefined && saturated["uWebSockets.js"] !== undefined) {
    const ratio = Math.round((saturated["uWebSockets.js"] / Math.max(1, saturated.ws)) * 100) / 100
    console.log(JSON.stringify({
      bench: "rooms",
      part: "fan-out-compare",
      store,
      maxDeliveredPerSec: saturated,
      uwsOverWs: ratio,
      // at the highest chat rate both kept up with: server CPU µs per delivered message, and what a core of its
      // own would deliver (1 s / that): the transports compared where the load generator is not the limit
      serverCpu: cpuComparison(cpuPerMessage.ws, cpuPerMessage["uWebSockets.js"]),
      ...(first ? { targets: { uwsP99Under100: uwsP99 !== null && uwsP99 < 100, uwsAtLeast2xWs: ratio >= 2 } } : {})
    }))
  }
}

if (args.only === undefined || args.only === "fanout") {
  const stores = args.stores.split(",") as Array<"embedded" | "postgres">
  for (const [i, store] of stores.entries()) await fan(store, i === 0)
}
if (args.only === undefined || args.only === "hot") await hot()
