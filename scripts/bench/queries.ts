/**
 * Benchmark: the query API under load, against `/healthz` of the same server in the same run.
 *
 * Method: a seeded history (SEED_UPLOADS uploads of SEED_USERS users with their quotas, every fifth
 * processed to a ready video) is written through the actors into a fresh event store; then a real
 * server (`node src/runtime/node-start.js`, rate limits raised but on, workers off) is started on it
 * and waited for until /readyz says the read models caught up. `wrk` (a separate process; 2 threads,
 * 32 connections, SECONDS s per route, a Lua script adding each request's bearer token) loads
 * `/healthz`, `/videos/:id`, `/videos?limit=20`, `/me/quota` and `/uploads/:id` (random documents and
 * users). Then writes: tus creations (`POST /files`, 2 commands each) with 4 connections alone, and
 * again while a paced reader runs reads at 19× that write rate (a 95 % / 5 % mix).
 * Stores: embedded (PGlite + memory), and PostgreSQL + Redis (a fresh database and key prefix, dropped after).
 * Prints one JSON line per store: req/s, p50 and p99 (ms) per route, ratios to /healthz, and the writes ratio.
 *
 * Use: node scripts/bench/queries.ts [embedded|postgres|both]   (SECONDS=10, SEED_UPLOADS=3000, SEED_USERS=300,
 * KEYFRAME_BENCH_POSTGRES_URL=postgres://root@127.0.0.1:5432, REDIS_URL=redis://127.0.0.1:6379)
 */
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sign } from "hono/jwt"
import { Redis } from "ioredis"
import postgres from "postgres"
import { freePort, seedHistory, type Seeded } from "./support/QuerySeed.ts"
import { runWrk, wrkScript as script, type WrkResult } from "./support/Wrk.ts"

const SECONDS = Number(process.env.SECONDS ?? 10)
const SEED_UPLOADS = Number(process.env.SEED_UPLOADS ?? 3000)
const SEED_USERS = Number(process.env.SEED_USERS ?? 300)
const PG_URL = process.env.KEYFRAME_BENCH_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432"
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const SECRET = "queries-bench-secret-0123456789abcdef"
const which = process.argv[2] ?? "both"

const wrk = (origin: string, file: string, connections = 32, seconds = SECONDS) => runWrk(origin, file, connections, seconds)

const startServer = async (env: Record<string, string>) => {
  const port = await freePort()
  // CPU_PROF_DIR: the server writes a V8 CPU profile there when it stops (node --cpu-prof)
  const profile = process.env.CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.CPU_PROF_DIR}`] : []
  const child = spawn(process.execPath, [...profile, "src/runtime/node-start.js"], {
    env: {
      ...process.env,
      PORT: String(port),
      WS_PORT: String(await freePort()),
      JWT_SECRET: SECRET,
      RUN_WORKERS: "false",
      LOG_LEVEL: "warn",
      RATE_LIMIT_PER_USER: "1000000000",
      RATE_LIMIT_PER_IP: "1000000000",
      ...env
    },
    stdio: ["ignore", "inherit", "inherit"]
  })
  const origin = `http://127.0.0.1:${port}`
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`)
    const ready = await fetch(`${origin}/readyz`).then((r) => r.status === 200, () => false)
    if (ready) return { origin, stop: () => new Promise<void>((r) => (child.on("exit", () => r()), child.kill("SIGTERM"))) }
    await new Promise((r) => setTimeout(r, 200))
  }
  child.kill("SIGKILL")
  throw new Error("the server did not become ready")
}

const bearer = (sub: string) => sign({ sub, roles: ["user"], exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET, "HS256")

const measure = async (store: string, seeded: Seeded, server: { origin: string }, dir: string) => {
  const tokens = new Map<string, string>()
  for (const user of seeded.users) tokens.set(user, `Bearer ${await bearer(user)}`)
  const auth = (user: string) => ({ Authorization: tokens.get(user)! })
  const someone = seeded.users[0]!
  const routes = {
    healthz: [{ path: "/healthz", headers: auth(someone) }],
    video: seeded.ready.map((u) => ({ path: `/videos/${u.id}`, headers: auth(u.owner) })),
    videos: seeded.users.slice(0, 50).map((user) => ({ path: "/videos?limit=20", headers: auth(user) })),
    quota: seeded.users.map((user) => ({ path: "/me/quota", headers: auth(user) })),
    upload: seeded.uploads.map((u) => ({ path: `/uploads/${u.id}`, headers: auth(u.owner) }))
  }
  const results: Record<string, WrkResult> = {}
  const only = process.env.ONLY?.split(",") // e.g. ONLY=healthz,video (profiling); writes need both "writes"
  for (const [name, requests] of Object.entries(routes)) {
    if (only && !only.includes(name) && name !== "healthz") continue
    results[name] = await wrk(server.origin, script(dir, `${store}-${name}`, requests))
  }
  const create = seeded.users.map((user) => ({
    method: "POST",
    path: "/files",
    headers: { ...auth(user), "Tus-Resumable": "1.0.0", "Upload-Length": "1000", "Upload-Metadata": `filename ${btoa("bench.mp4")},filetype ${btoa("video/mp4")}` }
  }))
  const writer = script(dir, `${store}-writes`, create)
  if (only && !only.includes("writes")) return { bench: "queries", store, partial: only, results }
  const writesAlone = await wrk(server.origin, writer, 4)
  // readers paced to 19 reads per write of the alone run: a 95 % / 5 % mix
  const readers = 16
  const readRate = Math.max(1, writesAlone.rps * 19)
  const reads = script(dir, `${store}-mixreads`, [...routes.video, ...routes.quota, ...routes.upload, ...routes.videos], Math.max(1, Math.round((readers * 1000) / readRate)))
  const [writesMixed, readsMixed] = await Promise.all([wrk(server.origin, writer, 4), wrk(server.origin, reads, readers)])
  const base = results.healthz!.rps
  const ratio = (n: number) => Number((n / base).toFixed(3))
  return {
    bench: "queries",
    store,
    seconds: SECONDS,
    connections: 32,
    seed: { uploads: seeded.uploads.length, readyVideos: seeded.ready.length, users: seeded.users.length },
    baseline: { route: "/healthz", ...results.healthz },
    routes: {
      "/videos/:id": { ...results.video, ratio: ratio(results.video!.rps) },
      "/videos?limit=20": { ...results.videos, ratio: ratio(results.videos!.rps) },
      "/me/quota": { ...results.quota, ratio: ratio(results.quota!.rps) },
      "/uploads/:id": { ...results.upload, ratio: ratio(results.upload!.rps) }
    },
    writes: {
      route: "POST /files (4 connections)",
      alone: writesAlone,
      mixed: writesMixed,
      mixedReads: readsMixed,
      readShare: Number((readsMixed.rps / (readsMixed.rps + writesMixed.rps)).toFixed(3)),
      ratio: Number((writesMixed.rps / writesAlone.rps).toFixed(3))
    }
  }
}

const embedded = async () => {
  const dir = mkdtempSync(join(tmpdir(), "kf-bench-queries-"))
  try {
    const seeded = await seedHistory({ kind: "embedded", dataDir: join(dir, "data", "eventstore") }, SEED_UPLOADS, SEED_USERS)
    const server = await startServer({ DATA_DIR: join(dir, "data") })
    try {
      return await measure("embedded", seeded, server, dir)
    } finally {
      await server.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const postgresAndRedis = async () => {
  const dir = mkdtempSync(join(tmpdir(), "kf-bench-queries-"))
  const database = `kfbench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
  const prefix = `kfbench:${database}:`
  const admin = postgres(`${PG_URL}/postgres`, { max: 1, onnotice: () => {} })
  await admin.unsafe(`CREATE DATABASE ${database}`)
  const url = `${PG_URL}/${database}`
  try {
    const seeded = await seedHistory({ kind: "postgres", url }, SEED_UPLOADS, SEED_USERS)
    const server = await startServer({ DATA_DIR: join(dir, "data"), EVENTSTORE_URL: url, REDIS_URL, READ_STORE_KEY_PREFIX: prefix })
    try {
      return await measure("postgres+redis", seeded, server, dir)
    } finally {
      await server.stop()
    }
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {})
    await admin.end({ timeout: 5 })
    const redis = new Redis(REDIS_URL)
    for (let cursor = "0";;) {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000)
      if (keys.length > 0) await redis.del(...keys)
      if ((cursor = next) === "0") break
    }
    redis.disconnect()
    rmSync(dir, { recursive: true, force: true })
  }
}

try {
  execFileSync("sh", ["-c", "command -v wrk"], { stdio: "ignore" })
} catch {
  console.error("this benchmark needs wrk on PATH (Debian: apt-get install wrk)")
  process.exit(2)
}
if (which === "embedded" || which === "both") console.log(JSON.stringify(await embedded()))
if (which === "postgres" || which === "both") console.log(JSON.stringify(await postgresAndRedis()))
