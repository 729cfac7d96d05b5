/**
 * Benchmark: rooms (issue 13). Prints one JSON line per part.
 * (a) fan-out: for each of `--sizes` (members), one room of real WebSocket clients in this process
 *     against a Keyframe server in a child process, chats at `--rate` per second for `--seconds`:
 *     delivered msgs/s, send → all received latency p50/p99, lost, and the largest size with p99 <
 *     250 ms; with the `ws` transport (Node 24) and with uWebSockets.js (the server under
 *     /usr/bin/node when it is Node 20, the only Node its build loads on here). The 1,000
 *     members do not fit this 2-core machine (clients and server share it); pass --sizes to try.
 * (b) hot room: accepted chat commands/s in one room with mailbox batching vs one append per command,
 *     same run, on the embedded store and on PostgreSQL (KEYFRAME_BENCH_POSTGRES_URL, default
 *     postgres://root@127.0.0.1:5432/test; a fresh schema dropped at the end).
 * Usage: npm run bench -- rooms [--only fanout|hot] [--sizes 100,250,500] [--rate 100] [--seconds 10]
 *        [--hot-seconds 3] [--in-flight 200] [--max-batch 100]
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import postgres from "postgres"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { hotRoomPair } from "./support/HotRoom.ts"
import { fanOut } from "./support/RoomFanOut.ts"

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    sizes: { type: "string", default: "100,250,500" },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
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

const fan = async () => {
  const options = { sizes: args.sizes.split(",").map(Number), rate: Number(args.rate), seconds: Number(args.seconds) }
  for (const transport of ["ws", "uWebSockets.js"] as const) {
    const figures = await fanOut(transport, options)
    console.log(JSON.stringify({ bench: "rooms", part: "fan-out", transport, rate: options.rate, seconds: options.seconds, ...figures }))
  }
}

if (args.only === undefined || args.only === "fanout") await fan()
if (args.only === undefined || args.only === "hot") await hot()
