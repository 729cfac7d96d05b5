/**
 * Benchmark: segment requests through Keyframe's signed playback route against a plain node:http file
 * server over the same bytes, in the same run; and the token check alone.
 *
 * Method: a seeded history (SEED_UPLOADS uploads, every fifth a ready video) is written into a fresh
 * embedded store; each ready video gets a SEGMENT_KIB segment in the fs object store. A real server
 * (`node src/runtime/node-start.js`, workers off, rate limits raised but on) mints one playback URL per
 * video (`GET /videos/:id/playback`); `wrk` (2 threads, CONNECTIONS=64, SECONDS s) fetches
 * `/play/<token>/360p/segment_000.ts` across the videos. The baseline is a node:http server in its own
 * process (stat + createReadStream, no checks) serving copies of the same segments, loaded the same way;
 * the same server's `/media/<id>/thumbnail.jpg` (the same bytes, the same serving code, no token) isolates
 * the token check's share, and its `/healthz` shows the ceiling of its HTTP stack. The server runs with its default
 * media cache (MEDIA_CACHE_MB=64); a second server over a copy of the data with MEDIA_CACHE_MB=0 shows the route
 * when every request reads its file. ROUNDS=3 alternating rounds of SECONDS/ROUNDS s each; medians reported, with
 * each server's CPU µs per request (from /proc).
 * The token check alone (verify + access facts from a memory read store through the facts cache) is
 * timed per call over CHECKS iterations in this process.
 * Prints one JSON line: req/s, p50/p99 (ms) of both, their ratio, and the check's p50/p99 (µs).
 *
 * Use: node scripts/bench/playback.ts   (SECONDS=10, CONNECTIONS=64, SEED_UPLOADS=50, SEGMENT_KIB=256, CHECKS=200000,
 * CPU_PROF_DIR=<dir> for a profile of the server, SERVER_NODE_FLAGS for its node flags, ONLY=signed,baseline for some subjects)
 */
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Option } from "effect"
import { sign } from "hono/jwt"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { MemoryReadStore } from "../../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore } from "../../src/readstore/ReadStore.ts"
import { accessFactsOf } from "../../src/videos/AccessFacts.ts"
import { makePlayback } from "../../src/videos/Playback.ts"
import { signingKeys } from "../../src/videos/PlaybackTokens.ts"
import { cacheControlOf, contentTypeOf, THUMBNAIL } from "../../src/workers/PublishedFiles.ts"
import { freePort, seedHistory } from "./support/QuerySeed.ts"
import { runWrkWithCpu, type WrkResult, wrkScript } from "./support/Wrk.ts"

const SECONDS = Number(process.env.SECONDS ?? 10)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64)
const SEED_UPLOADS = Number(process.env.SEED_UPLOADS ?? 50)
const SEGMENT_BYTES = Number(process.env.SEGMENT_KIB ?? 256) * 1024
const CHECKS = Number(process.env.CHECKS ?? 200_000)
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SECRET = "playback-bench-secret-0123456789abcdef"
const SEGMENT = "360p/segment_000.ts"

type Measured = WrkResult & { readonly cpuMicrosPerRequest: number }

/** One wrk round against `origin`, with the CPU the server process `pid` spent per request. */
const wrk = (origin: string, script: string, pid: number | undefined) =>
  runWrkWithCpu(origin, script, CONNECTIONS, Math.max(1, Math.round(SECONDS / ROUNDS)), pid)

/** Per figure, the median of the rounds (errors: their sum). */
const medianOf = (results: ReadonlyArray<Measured>): Measured => {
  if (results.length === 0) return { rps: Number.NaN, p50: Number.NaN, p99: Number.NaN, errors: 0, cpuMicrosPerRequest: Number.NaN }
  const median = (pick: (r: Measured) => number) => [...results].map(pick).sort((a, b) => a - b)[Math.floor(results.length / 2)]!
  return {
    rps: median((r) => r.rps),
    p50: median((r) => r.p50),
    p99: median((r) => r.p99),
    errors: results.reduce((n, r) => n + r.errors, 0),
    cpuMicrosPerRequest: median((r) => r.cpuMicrosPerRequest)
  }
}

/** A child process serving `args` until stopped; ready when `ready` answers 200. */
const startProcess = async (args: ReadonlyArray<string>, env: Record<string, string>, ready: string) => {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"] })
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited (${child.exitCode})`)
    if (await fetch(ready).then((r) => r.status === 200, () => false)) {
      return { pid: child.pid, stop: () => new Promise<void>((r) => (child.on("exit", () => r()), child.kill("SIGTERM"))) }
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  child.kill("SIGKILL")
  throw new Error(`${args.join(" ")} did not become ready`)
}

/** The no-checks baseline: what a bare node:http file server does per request. */
const STATIC_SERVER = `
const http = require("node:http"), fs = require("node:fs"), path = require("node:path")
const root = process.env.ROOT
http.createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url, "http://x").pathname))
  if (!file.startsWith(root)) { res.writeHead(404).end(); return }
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) { res.writeHead(req.url === "/ready" ? 200 : 404).end(); return }
    res.writeHead(200, { "content-type": "video/mp2t", "content-length": st.size })
    fs.createReadStream(file).pipe(res)
  })
}).listen(Number(process.env.PORT), "127.0.0.1")
`

/** The token check alone: verify + the access facts (a memory read store behind the 1 s facts cache), per call. */
const checkLatency = async (videoIds: ReadonlyArray<string>) => {
  const runtime = ManagedRuntime.make(MemoryReadStore.layer)
  const store = await runtime.runPromise(ReadStore)
  const slot = { projection: "videos", version: 1, generation: 0 }
  await runtime.runPromise(store.commit({
    slot,
    writes: videoIds.map((id) => ({ _tag: "Put" as const, model: "video", id, doc: { id, ownerId: "owner", status: "ready", visibility: "public", published: true, takenDown: false, accessEpoch: 0 } })),
    checkpoint: 1
  }))
  const playback = makePlayback(
    { ttlSeconds: 3600, keys: signingKeys([{ kid: "k1", secret: new TextEncoder().encode(SECRET) }]) },
    (id) => Effect.map(store.get(slot, "video", id), (doc) => (Option.isSome(doc) ? accessFactsOf(doc.value) : undefined))
  )
  const tokens = await Promise.all(videoIds.map((id) => Effect.runPromise(playback.mint(id, { userId: "viewer", roles: ["user"] }).pipe(Effect.map((g) => g.token)))))
  const check = (i: number) => playback.authorize(tokens[i % tokens.length]!, SEGMENT, {})
  // warm up (JIT, cache), then time each call
  for (let i = 0; i < 20_000; i++) await Effect.runPromise(check(i))
  const micros = new Float64Array(CHECKS)
  for (let i = 0; i < CHECKS; i++) {
    const start = performance.now()
    await Effect.runPromise(check(i))
    micros[i] = (performance.now() - start) * 1000
  }
  await runtime.dispose()
  micros.sort()
  const at = (q: number) => Number(micros[Math.min(CHECKS - 1, Math.floor(q * CHECKS))]!.toFixed(1))
  return { iterations: CHECKS, p50Micros: at(0.5), p99Micros: at(0.99), maxMicros: at(1) }
}

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), "kf-bench-playback-"))
  try {
    const dataDir = join(dir, "data")
    const seeded = await seedHistory({ kind: "embedded", dataDir: join(dataDir, "eventstore") }, SEED_UPLOADS, Math.max(1, Math.ceil(SEED_UPLOADS / 5)))
    const bytes = new Uint8Array(randomBytes(SEGMENT_BYTES))
    const objects = ManagedRuntime.make(FsObjectStore.layer({ root: join(dataDir, "objects") }))
    // the same bytes as each video's thumbnail too: /media serves it through the same code without a token (isolates the check's cost)
    await objects.runPromise(Effect.forEach(seeded.ready, (v) =>
      Effect.forEach([SEGMENT, THUMBNAIL], (file) =>
        ObjectStore.use((s) => s.put(`media/${v.id}/${file}`, bytes, { contentType: contentTypeOf(file), cacheControl: cacheControlOf(file) }))), { discard: true }))
    await objects.dispose()
    const plainRoot = join(dir, "plain")
    for (const v of seeded.ready) {
      mkdirSync(join(plainRoot, v.id, "360p"), { recursive: true })
      writeFileSync(join(plainRoot, v.id, SEGMENT), bytes)
    }

    // the same history and objects for a second server with MEDIA_CACHE_MB=0 (the embedded store is one process's)
    const uncachedDataDir = join(dir, "data-uncached")
    cpSync(dataDir, uncachedDataDir, { recursive: true })
    // CPU_PROF_DIR: Keyframe's server writes a V8 CPU profile there when it stops (node --cpu-prof)
    const profile = process.env.CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.CPU_PROF_DIR}`] : []
    // SERVER_NODE_FLAGS="--trace-gc …": extra node flags for Keyframe's server
    const flags = process.env.SERVER_NODE_FLAGS?.split(" ").filter((f) => f !== "") ?? []
    const startKeyframe = async (data: string, mediaCacheMb: string) => {
      const port = await freePort()
      const origin = `http://127.0.0.1:${port}`
      const server = await startProcess([...profile, ...flags, "src/runtime/node-start.js"], {
        PORT: String(port),
        WS_PORT: String(await freePort()),
        DATA_DIR: data,
        JWT_SECRET: SECRET,
        RUN_WORKERS: "false",
        LOG_LEVEL: "warn",
        RATE_LIMIT_PER_USER: "1000000000",
        RATE_LIMIT_PER_IP: "1000000000",
        MEDIA_CACHE_MB: mediaCacheMb
      }, `${origin}/readyz`)
      return { ...server, origin }
    }
    const keyframe = await startKeyframe(dataDir, "64")
    const uncached = await startKeyframe(uncachedDataDir, "0")
    const origin = keyframe.origin
    const plainPort = await freePort()
    const plainOrigin = `http://127.0.0.1:${plainPort}`
    const plain = await startProcess(["-e", STATIC_SERVER], { PORT: String(plainPort), ROOT: plainRoot }, `${plainOrigin}/ready`)
    try {
      /** One playback URL per video, minted by `server`, pointing at the segment. */
      const segmentPaths = async (server: string) => {
        const paths: Array<string> = []
        for (const v of seeded.ready) {
          const bearer = await sign({ sub: v.owner, roles: ["user"], exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET, "HS256")
          const res = await fetch(`${server}/videos/${v.id}/playback`, { headers: { Authorization: `Bearer ${bearer}` } })
          if (res.status !== 200) throw new Error(`minting for ${v.id}: ${res.status} ${await res.text()}`)
          const url = new URL(((await res.json()) as { url: string }).url)
          paths.push(url.pathname.replace(/master\.m3u8$/, SEGMENT))
        }
        const probe = await fetch(`${server}${paths[0]}`)
        if (probe.status !== 200 || (await probe.arrayBuffer()).byteLength !== SEGMENT_BYTES) throw new Error(`the signed segment answers ${probe.status}`)
        return paths
      }
      const paths = await segmentPaths(origin)
      const uncachedPaths = await segmentPaths(uncached.origin)
      // rounds alternate between the subjects, so a load change on the (shared) machine hits them alike
      const subjects = {
        signed: () => wrk(origin, wrkScript(dir, "signed", paths.map((path) => ({ path, headers: {} }))), keyframe.pid),
        signedUncached: () => wrk(uncached.origin, wrkScript(dir, "uncached", uncachedPaths.map((path) => ({ path, headers: {} }))), uncached.pid),
        baseline: () => wrk(plainOrigin, wrkScript(dir, "plain", seeded.ready.map((v) => ({ path: `/${v.id}/${SEGMENT}`, headers: {} }))), plain.pid),
        unsigned: () => wrk(origin, wrkScript(dir, "unsigned", seeded.ready.map((v) => ({ path: `/media/${v.id}/${THUMBNAIL}`, headers: {} }))), keyframe.pid),
        healthz: () => wrk(origin, wrkScript(dir, "healthz", [{ path: "/healthz", headers: {} }]), keyframe.pid)
      }
      const runs: Record<keyof typeof subjects, Array<Measured>> = { signed: [], signedUncached: [], baseline: [], unsigned: [], healthz: [] }
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, run] of Object.entries(subjects)) {
          // ONLY=signed (e.g. with CPU_PROF_DIR): the other subjects are skipped
          if (process.env.ONLY === undefined || process.env.ONLY.split(",").includes(name)) runs[name as keyof typeof subjects].push(await run())
        }
      }
      const signed = medianOf(runs.signed)
      const signedUncached = medianOf(runs.signedUncached)
      const baseline = medianOf(runs.baseline)
      const healthz = medianOf(runs.healthz)
      const unsigned = medianOf(runs.unsigned)
      const tokenCheck = await checkLatency(seeded.ready.map((v) => v.id))
      console.log(JSON.stringify({
        bench: "playback",
        seconds: SECONDS,
        connections: CONNECTIONS,
        segmentBytes: SEGMENT_BYTES,
        videos: seeded.ready.length,
        signed: { route: "/play/<token>/360p/segment_000.ts", ...signed },
        baseline: { route: "node:http + createReadStream, no checks", ...baseline },
        ratio: Number((signed.rps / baseline.rps).toFixed(3)),
        // the same route on a server with MEDIA_CACHE_MB=0: every request opens and reads the file
        signedUncached: { ...signedUncached, ratioToBaseline: Number((signedUncached.rps / baseline.rps).toFixed(3)) },
        // the same bytes through the same server and serving code, without a token (/media/<id>/thumbnail.jpg of a public video)
        unsigned: { ...unsigned, ratioToBaseline: Number((unsigned.rps / baseline.rps).toFixed(3)) },
        // the same server answering /healthz (no token, no file): the ceiling of its HTTP stack on this machine
        healthz: { ...healthz, ratioToBaseline: Number((healthz.rps / baseline.rps).toFixed(3)) },
        rounds: ROUNDS,
        tokenCheck,
        targets: { ratio: 0.8, tokenCheckP99Ms: 1 },
        met: signed.rps / baseline.rps >= 0.8 && tokenCheck.p99Micros < 1000 && signed.errors === 0 && baseline.errors === 0
      }))
    } finally {
      await plain.stop()
      await keyframe.stop()
      await uncached.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
